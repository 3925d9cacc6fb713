// The configuration keys channel adapters may read. src/config.ts owns parsing; a compile-time check there keeps
// its Config assignable to this, so adapters never import src/config.ts.
export interface ChannelConfig {
  readonly PUBLIC_BASE_URL?: string;
  readonly TWILIO_ACCOUNT_SID?: string;
  readonly TWILIO_AUTH_TOKEN?: string;
  readonly TWILIO_SMS_FROM?: string;
  readonly TWILIO_WHATSAPP_FROM?: string;
  readonly TWILIO_MESSAGING_SERVICE_SID?: string;
  readonly TWILIO_API_BASE_URL?: string;
  readonly SENDGRID_API_KEY?: string;
  readonly SENDGRID_API_BASE_URL?: string;
  readonly SUPPORT_EMAIL_FROM?: string;
  readonly INBOUND_EMAIL_SECRET?: string;
  readonly EMAIL_MAX_ATTACHMENT_BYTES: number;
  readonly MISTRAL_API_KEY?: string;
  readonly MISTRAL_MODEL: string;
  readonly MISTRAL_SERVER_URL?: string;
  readonly MISTRAL_TIMEOUT_MS: number;
  readonly WEBCHAT_SECRET?: string;
  readonly PORT: number;
}
