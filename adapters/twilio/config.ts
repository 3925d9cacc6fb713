// The Twilio module's environment keys (parsed by src/config.ts with the core's, documented in the README table).
import { z } from 'zod';
import { envString, envUrl, type FragmentValues, type SharedConfig } from '../../src/domain/config.js';

const shape = {
  TWILIO_ACCOUNT_SID: envString,
  TWILIO_AUTH_TOKEN: envString,
  TWILIO_SMS_FROM: envString,
  TWILIO_WHATSAPP_FROM: envString,
  TWILIO_MESSAGING_SERVICE_SID: envString,
  TWILIO_API_BASE_URL: envUrl,
};

export const twilioConfig = {
  schema: z.object(shape),
  docs: {
    TWILIO_ACCOUNT_SID: 'Twilio account (outbound SMS/WhatsApp, recording downloads).',
    TWILIO_AUTH_TOKEN: 'Verifies `X-Twilio-Signature`; without it Twilio webhooks are refused (403).',
    TWILIO_SMS_FROM: 'E.164 sender for SMS. Messages from our own numbers are ignored (no loops).',
    TWILIO_WHATSAPP_FROM: '`whatsapp:+…` sender.',
    TWILIO_MESSAGING_SERVICE_SID: 'Send through a Messaging Service instead of the From numbers.',
    TWILIO_API_BASE_URL: 'Point the SDK at a local fake (tests, demos).',
  },
};

/** What the Twilio module reads: its own keys, plus the core keys every adapter may read. */
export type TwilioConfig = FragmentValues<typeof shape> & SharedConfig;
