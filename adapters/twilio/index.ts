// Twilio channel module: SMS/MMS/WhatsApp messaging (this folder) and voice (./voice).
import type { AdapterDeps, ChannelAdapter, ChannelModule } from '../../src/domain/channel.js';
import { twilioConfig, type TwilioConfig } from './config.js';
import { messagingRoutes } from './routes.js';
import { createTwilioClient, createTwilioSender, senderAvailability } from './send.js';
import { messagingSimulators } from './simulate.js';
import { MESSAGING_CHANNELS, type TwilioMessagingSettings } from './types.js';
import { simulateVoice, voiceRoutesFromConfig } from './voice/index.js';
import { VOICE_CHANNEL_DECLARATION } from './voice/types.js';

export function twilioSettings(config: TwilioConfig): TwilioMessagingSettings {
  return {
    accountSid: config.TWILIO_ACCOUNT_SID,
    authToken: config.TWILIO_AUTH_TOKEN,
    smsFrom: config.TWILIO_SMS_FROM,
    whatsappFrom: config.TWILIO_WHATSAPP_FROM,
    messagingServiceSid: config.TWILIO_MESSAGING_SERVICE_SID,
    apiBaseUrl: config.TWILIO_API_BASE_URL,
  };
}

function create(config: TwilioConfig, deps: AdapterDeps): ChannelAdapter {
  const settings = twilioSettings(config);
  const availability = senderAvailability(settings);
  const sender = availability.ok
    ? createTwilioSender({ settings, client: createTwilioClient(settings), channels: availability.channels, deps })
    : null;
  return {
    name: 'twilio',
    routes: [...messagingRoutes(settings), ...voiceRoutesFromConfig(config, deps.publicBaseUrl)],
    sender,
    ...(availability.ok ? {} : { senderDisabledReason: availability.reason }),
  };
}

export const twilioModule: ChannelModule<typeof twilioConfig.schema.shape> = {
  name: 'twilio',
  channels: [...MESSAGING_CHANNELS, VOICE_CHANNEL_DECLARATION],
  config: twilioConfig,
  create,
  simulators: (config) => ({ ...messagingSimulators(config), voice: (args, env) => simulateVoice(args, env, config) }),
};
export default twilioModule;
