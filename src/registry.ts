// The one list through which src/ knows channel adapters. Adding a channel = a folder + one entry here + config keys.
import { sendgridModule } from '../adapters/sendgrid/index.js';
import { twilioModule } from '../adapters/twilio/index.js';
import { webchatModule } from '../adapters/webchat/index.js';
import type { ChannelModule } from './domain/channel.js';

export type { AdapterDeps, ChannelModule, SimulateArgs, SimulateEnv } from './domain/channel.js';

export const channelModules: ChannelModule[] = [twilioModule, sendgridModule, webchatModule];
