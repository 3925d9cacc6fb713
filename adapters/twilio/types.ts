// Twilio messaging adapter: settings the adapter needs (built from Config in index.ts).

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
