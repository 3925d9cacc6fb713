// The one list through which src/ knows channel adapters. Adding a channel = a folder + one entry here + config keys.
import type { Config } from './config.js';
import type { ChannelAdapter, LoggerLike } from './domain/channel.js';
import { sendgridModule } from '../adapters/sendgrid/index.js';
import { twilioModule } from '../adapters/twilio/index.js';
import { webchatModule } from '../adapters/webchat/index.js';

export interface AdapterDeps {
  logger: LoggerLike;
  now(): Date;
  /** The public base URL providers call us on (PUBLIC_BASE_URL, or the local listener). */
  publicBaseUrl(): string;
}

export interface SimulateArgs {
  text: string;
  from?: string;
  options: Record<string, string>;
}

export interface SimulateEnv {
  /** Where the running server listens (may differ from PUBLIC_BASE_URL behind a proxy). */
  serverUrl: string;
  config: Config;
  apiToken: string | null;
  print(line: string): void;
}

export interface ChannelModule {
  name: string;
  create(config: Config, deps: AdapterDeps): ChannelAdapter;
  /** `freeda simulate <kind>` implementations keyed by kind (sms, whatsapp, voice, email, chat). */
  simulators?: Record<string, (args: SimulateArgs, env: SimulateEnv) => Promise<void>>;
}

export const channelModules: ChannelModule[] = [twilioModule, sendgridModule, webchatModule];
