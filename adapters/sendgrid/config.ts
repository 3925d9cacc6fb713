// The SendGrid module's environment keys (parsed by src/config.ts with the core's, documented in the README table).
import { z } from 'zod';
import { envEmail, envPositiveInt, envString, envUrl, type FragmentValues, type SharedConfig } from '../../src/domain/config.js';

const shape = {
  SENDGRID_API_KEY: envString,
  SENDGRID_API_BASE_URL: envUrl,
  SUPPORT_EMAIL_FROM: envEmail,
  INBOUND_EMAIL_SECRET: envString,
  /** Largest attachment stored per email (bytes); bigger ones keep metadata only. */
  EMAIL_MAX_ATTACHMENT_BYTES: envPositiveInt(10 * 1024 * 1024),
};

export const sendgridConfig = {
  schema: z.object(shape),
  docs: {
    SENDGRID_API_KEY: 'Outbound email.',
    SENDGRID_API_BASE_URL: 'Point the SDK at a local fake (set after the key, as the SDK requires).',
    SUPPORT_EMAIL_FROM: 'Our support address; replies carry `support+<ticket_id>@…` as reply address.',
    INBOUND_EMAIL_SECRET: 'Secret of the Inbound Parse URL (`?token=`) or HTTP Basic password. Unset: inbound email is refused.',
    EMAIL_MAX_ATTACHMENT_BYTES:
      'Largest email attachment whose bytes are kept (under `DATA_DIR/attachments`); bigger ones keep metadata only.',
  },
};

/** What the SendGrid module reads: its own keys, plus the core keys every adapter may read. */
export type SendGridConfig = FragmentValues<typeof shape> & SharedConfig;
