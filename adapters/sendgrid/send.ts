// Outbound email through @sendgrid/mail. Retries are the core's job (persisted queue): this only
// builds a reply that threads in the customer's mail client and says whether a failure is worth retrying.
import { signedByAuthor } from '../../src/domain/authors.js';
import { createRequire } from 'node:module';
import type sgClientInstance from '@sendgrid/client';
import type sgMailInstance from '@sendgrid/mail';
import type { Message } from '../../src/domain/types.js';
import type { OutboundSendRequest, OutboundSender, SendResult } from '../../src/domain/channel.js';
import { EMAIL_CHANNEL, type SendGridSettings } from './types.js';

const require = createRequire(import.meta.url);
// Isolated instances (not the SDK's module singletons); named ESM imports of these classes fail under TS 7.
const { Client } = require('@sendgrid/client') as { Client: new () => typeof sgClientInstance };
const { MailService } = require('@sendgrid/mail') as { MailService: new () => typeof sgMailInstance };

export type MailService = typeof sgMailInstance;

const SEND_TIMEOUT_MS = 10_000;
/** Mail clients and some servers choke on very long References headers: keep the newest ids. */
const MAX_REFERENCES = 20;

export type SenderAvailability = { ok: true; from: string } | { ok: false; reason: string };

export function senderAvailability(settings: Pick<SendGridSettings, 'SENDGRID_API_KEY' | 'SUPPORT_EMAIL_FROM'>): SenderAvailability {
  const missing = [settings.SENDGRID_API_KEY ? null : 'SENDGRID_API_KEY', settings.SUPPORT_EMAIL_FROM ? null : 'SUPPORT_EMAIL_FROM'].filter(
    (v): v is string => v !== null,
  );
  if (missing.length > 0) return { ok: false, reason: `${missing.join(' and ')} not set: email replies are disabled` };
  return { ok: true, from: settings.SUPPORT_EMAIL_FROM!.toLowerCase() };
}

export function createMailService(apiKey: string, apiBaseUrl: string | undefined): MailService {
  const client = new Client();
  client.setApiKey(apiKey);
  // After setApiKey, which resets baseUrl to api.sendgrid.com.
  if (apiBaseUrl) client.setDefaultRequest('baseUrl', apiBaseUrl.replace(/\/+$/, ''));
  client.setDefaultRequest('timeout' as never, SEND_TIMEOUT_MS as never);
  const mail = new MailService();
  mail.setClient(client);
  return mail;
}

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1);
}

/** `support@x` + ticket → `support+<ticket_id>@x`: replies come back to the ticket even without headers. */
export function replyTokenAddress(supportAddress: string, ticketId: string): string {
  const at = supportAddress.lastIndexOf('@');
  return `${supportAddress.slice(0, at)}+${ticketId}@${supportAddress.slice(at + 1)}`;
}

/**
 * Our Message-ID for one outbound message, without brackets. Derived from the message id so a retried
 * send carries the same id (and earlier replies can be listed in References without storing them).
 */
export function outboundMessageId(message: Pick<Message, 'message_id' | 'ticket_id'>, supportAddress: string): string {
  return `${message.message_id}.${message.ticket_id}@${domainOf(supportAddress)}`;
}

/** `Re: <subject>` without piling up prefixes (`Re: RE: TR: x` → `Re: x`). */
export function replySubject(subject: string | null): string {
  const base = (subject ?? '').replace(/^(\s*(re|fw|fwd|tr|réf|ref|aw|sv|wg)\s*(\[\d+\])?\s*:\s*)+/i, '').trim();
  return base === '' ? 'Re: votre demande' : `Re: ${base}`;
}

function emailMeta(message: Message | null): { references?: unknown } {
  const email = (message?.meta as { email?: { references?: unknown } } | undefined)?.email;
  return email ?? {};
}

function wasSent(message: Message): boolean {
  return message.direction === 'outbound' && message.delivery !== null && ['sent', 'delivered', 'read'].includes(message.delivery.status);
}

/** In-Reply-To and References for a reply on this ticket (ids without brackets). */
export function threadingIds(
  req: Pick<OutboundSendRequest, 'lastInbound' | 'history' | 'message'>,
  supportAddress: string,
): { inReplyTo: string | null; references: string[] } {
  const chain: string[] = [];
  const add = (id: unknown) => {
    if (typeof id === 'string' && id !== '' && !id.startsWith('sha256:') && !chain.includes(id)) chain.push(id);
  };
  const last = req.lastInbound;
  const customerReferences = emailMeta(last).references;
  if (Array.isArray(customerReferences)) customerReferences.forEach(add);
  // Our own replies before this one, in time order, then the customer's message we answer.
  for (const m of req.history) {
    if (m.message_id !== req.message.message_id && wasSent(m) && (!last || m.created_at <= last.created_at))
      add(outboundMessageId(m, supportAddress));
  }
  if (last && last.external_id && !last.external_id.startsWith('sha256:')) add(last.external_id);
  const inReplyTo = last?.external_id && !last.external_id.startsWith('sha256:') ? last.external_id : (chain[chain.length - 1] ?? null);
  return { inReplyTo, references: chain.slice(-MAX_REFERENCES) };
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Plain text → minimal HTML: escaped, paragraphs on blank lines, <br> on single newlines. */
export function textToHtml(text: string): string {
  const paragraphs = text
    .replace(/\r\n?/g, '\n')
    .split(/\n{2,}/)
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>\n')}</p>`);
  return `<!DOCTYPE html><html><body>${paragraphs.join('\n')}</body></html>`;
}

export function buildMail(req: OutboundSendRequest, supportAddress: string) {
  const messageId = outboundMessageId(req.message, supportAddress);
  const { inReplyTo, references } = threadingIds(req, supportAddress);
  const headers: Record<string, string> = { 'Message-ID': `<${messageId}>` };
  if (inReplyTo) headers['In-Reply-To'] = `<${inReplyTo}>`;
  if (references.length > 0) headers.References = references.map((id) => `<${id}>`).join(' ');
  const contact = req.ticket.contact;
  return {
    messageId,
    mail: {
      to: contact.display_name ? { email: contact.address, name: contact.display_name } : { email: contact.address },
      from: { email: supportAddress },
      replyTo: { email: replyTokenAddress(supportAddress, req.ticket.ticket_id) },
      subject: replySubject(req.ticket.subject),
      text: signedByAuthor(req.message),
      html: textToHtml(signedByAuthor(req.message)),
      headers,
      customArgs: { freeda_ticket_id: req.ticket.ticket_id, freeda_message_id: req.message.message_id },
    },
  };
}

function headerOf(headers: unknown, name: string): string | null {
  if (!headers || typeof headers !== 'object') return null;
  const h = headers as { get?: (n: string) => unknown } & Record<string, unknown>;
  const value = typeof h.get === 'function' ? h.get(name) : (h[name] ?? h[name.toLowerCase()]);
  if (Array.isArray(value)) return typeof value[0] === 'string' ? value[0] : null;
  if (typeof value === 'string') return value;
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : null;
}

function retryAfterMs(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/**
 * Whether a failed send is worth retrying, with the code recorded on the message. A reset after the request was sent is
 * retried like any network error: every attempt carries the same Message-ID and custom_args (buildMail), so a resend is
 * the same email to the recipient's client (README "Outbound after an ambiguous failure").
 */
export function classifySendGridError(err: unknown): Extract<SendResult, { ok: false }> {
  const e = err as { code?: unknown; message?: string; response?: { headers?: unknown; body?: unknown } } | null;
  if (e && typeof e.code === 'number' && e.response) {
    const status = e.code;
    const body = e.response.body as { errors?: Array<{ message?: string; field?: string | null }> } | undefined;
    const detail = body?.errors
      ?.map((x) => [x.message, x.field ? `(field ${x.field})` : null].filter(Boolean).join(' '))
      .filter((s) => s !== '')
      .join('; ');
    const retryable = status === 429 || status >= 500;
    return {
      ok: false,
      retryable,
      error_code: `sendgrid_${status}`,
      error_message: detail || e.message || `SendGrid answered HTTP ${status}`,
      ...(status === 429 ? { retry_after_ms: retryAfterMs(headerOf(e.response.headers, 'retry-after')) } : {}),
    };
  }
  const code = e && typeof e.code === 'string' ? e.code : 'network_error';
  return { ok: false, retryable: true, error_code: code.toLowerCase(), error_message: e?.message ?? 'SendGrid could not be reached' };
}

const EMAIL_RE = /^[^\s@<>()[\],;:"]+@[^\s@<>()[\],;:"]+\.[^\s@<>()[\],;:"]+$/;

export function createSendGridSender(input: { mail: MailService; supportAddress: string }): OutboundSender {
  const { mail, supportAddress } = input;
  return {
    channels: [EMAIL_CHANNEL],
    precheck(req) {
      if (!EMAIL_RE.test(req.ticket.contact.address)) {
        return { ok: false, error_code: 'invalid_recipient', error_message: `"${req.ticket.contact.address}" is not an email address.` };
      }
      return { ok: true };
    },
    async send(req): Promise<SendResult> {
      const built = buildMail(req, supportAddress);
      try {
        const [response] = await mail.send(built.mail);
        const providerId = headerOf(response.headers, 'x-message-id') ?? built.messageId;
        return {
          ok: true,
          provider_id: providerId,
          status: 'sent',
          extra_provider_ids: [built.messageId],
          meta: {
            email_message_id: built.messageId,
            in_reply_to: built.mail.headers['In-Reply-To'] ?? null,
            references: built.mail.headers.References ?? null,
          },
        };
      } catch (err) {
        return classifySendGridError(err);
      }
    },
  };
}
