// Shapes private to the SendGrid adapter: the channel it serves, the multipart form as received, and the email it carries.
import { declareChannel, type ChannelDeclaration } from '../../src/domain/capabilities.js';
import type { SendGridConfig } from './config.js';

export const EMAIL_CHANNEL = 'email';

/**
 * Email threads by headers only (our Message-ID in In-Reply-To/References, or the `+<ticket>` reply address): a new mail
 * from the same sender is a new conversation. Replies are letters.
 */
export const EMAIL_CHANNEL_DECLARATION: ChannelDeclaration = declareChannel(
  { name: EMAIL_CHANNEL, label: 'Email' },
  {
    max_chars: 1500,
    letter: true,
    style: {
      fr: 'Email : corps du message seulement (sans formule d’appel ni signature).',
      en: 'Email: body only (no greeting line, no signature).',
    },
  },
  { threading: 'by_headers' },
);

/** The config keys this adapter reads (its fragment, ./config.ts). */
export type SendGridSettings = Pick<
  SendGridConfig,
  'SENDGRID_API_KEY' | 'SENDGRID_API_BASE_URL' | 'SUPPORT_EMAIL_FROM' | 'INBOUND_EMAIL_SECRET' | 'EMAIL_MAX_ATTACHMENT_BYTES'
>;

/** One file part of the Inbound Parse form (`attachment1`…). Content is kept only up to the size limit. */
export interface FormFile {
  field: string;
  filename: string | null;
  content_type: string;
  size: number;
  sha256: string;
  /** null when the file was larger than the limit (metadata and hash only). */
  content: Buffer | null;
}

/**
 * The Inbound Parse multipart body, decoded. Text fields keep their original bytes because SendGrid
 * sends `text`/`html` in the mail's own charset (named in `charsets`), not in UTF-8.
 */
export interface InboundForm {
  fields: Map<string, Buffer>;
  files: FormFile[];
}

export interface EmailAddress {
  /** Lower-cased address. */
  address: string;
  name: string | null;
}

export interface EmailAttachment {
  filename: string | null;
  content_type: string;
  size: number;
  sha256: string;
  content_id: string | null;
  inline: boolean;
  /** Bytes, when within EMAIL_MAX_ATTACHMENT_BYTES. */
  content: Buffer | null;
}

/** One received email, whichever Inbound Parse mode delivered it. */
export interface ParsedEmail {
  mode: 'parsed' | 'raw';
  from: EmailAddress | null;
  to: EmailAddress[];
  cc: EmailAddress[];
  /** SMTP recipients from the `envelope` field (lower-cased): the addresses the mail was really delivered to. */
  envelope_to: string[];
  envelope_from: string | null;
  subject: string | null;
  /** Message-ID without angle brackets, case kept (see `normalizeMessageId`). */
  message_id: string | null;
  in_reply_to: string[];
  references: string[];
  /** Date header as ISO 8601, null when absent or unreadable. */
  date: string | null;
  /** Lower-cased header name → first value, for the loop checks. */
  headers: Record<string, string>;
  /** Top-level Content-Type value, e.g. `multipart/report; report-type=delivery-status`. */
  content_type: string | null;
  text: string | null;
  html: string | null;
  attachments: EmailAttachment[];
  spam_score: number | null;
}

export type ReadEmailResult = { ok: true; email: ParsedEmail } | { ok: false; reason: string };
