// Twilio messaging adapter: the channels it serves and what they can do, and the settings it needs (built from Config in
// index.ts).
import { declareChannel, type ChannelDeclaration } from '../../src/domain/capabilities.js';

/** Twilio messaging serves SMS (and MMS) and WhatsApp: conversations (joined by address, written replies). */
export const MESSAGING_CHANNELS: readonly ChannelDeclaration[] = [
  // Two segments at most, in the GSM-7 alphabet (153–160 characters each instead of 67–70 in UCS-2).
  declareChannel(
    { name: 'sms', label: 'SMS' },
    {
      max_chars: 300,
      max_segments: 2,
      gsm7: true,
      single_line: true,
      style: {
        fr: 'SMS : texte brut, pas d’emoji, pas de mise en forme.',
        en: 'SMS: plain text, no emoji, no formatting.',
      },
    },
  ),
  declareChannel(
    { name: 'whatsapp', label: 'WhatsApp' },
    {
      max_chars: 300,
      style: { fr: 'WhatsApp : ton chaleureux, pas de mise en forme Markdown.', en: 'WhatsApp: warm tone, no Markdown formatting.' },
    },
  ),
];

export interface TwilioMessagingSettings {
  accountSid?: string;
  authToken?: string;
  /** E.164 SMS sender (TWILIO_SMS_FROM). */
  smsFrom?: string;
  /** WhatsApp sender, `whatsapp:+E164` (TWILIO_WHATSAPP_FROM). */
  whatsappFrom?: string;
  messagingServiceSid?: string;
  /** Twilio REST base URL override (tests and demos point it at a local fake). */
  apiBaseUrl?: string;
}

export const MESSAGING_PATH = '/webhooks/twilio/messaging';
export const STATUS_PATH = '/webhooks/twilio/status';

/** Twilio refuses a single message body over 1600 characters (SMS and WhatsApp alike). */
export const MAX_BODY_CHARS = 1600;

/** WhatsApp free-form replies are allowed within 24 h of the customer's last message. */
export const WHATSAPP_WINDOW_MS = 24 * 60 * 60 * 1000;
