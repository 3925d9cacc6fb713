// One received email → one InboundEvent. Pure: no I/O, the clock comes in as `receivedAt`.
import { createHash } from 'node:crypto';
import { safeFilename } from '../../src/domain/attachments.js';
import type { DeliveryStatusEvent, InboundAttachment, InboundEvent, SystemNoteEvent, ThreadHints } from '../../src/domain/events.js';
import { bounceReason, failedRecipient, LOOP_LABELS, loopKind, reportedMessageIds, reportSources } from './automatic.js';
import { extractNewText, htmlToText, normalizeNewlines } from './quotes.js';
import type { EmailAttachment, ParsedEmail } from './types.js';

export interface NormalizeOptions {
  /** SUPPORT_EMAIL_FROM, lower-cased; null when unset (no reply-token routing, no own-address check). */
  supportAddress: string | null;
  receivedAt: string;
}

/** Longest text kept for a system note (bounces quote whole messages). */
const NOTE_MAX_CHARS = 2000;

function splitAddress(address: string): { local: string; domain: string } | null {
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) return null;
  return { local: address.slice(0, at).toLowerCase(), domain: address.slice(at + 1).toLowerCase() };
}

/** `support+<ticket>@domain` → `<ticket>`, for the support address's own local part and domain only. */
export function ticketTokenFromAddress(address: string, supportAddress: string | null): string | null {
  if (!supportAddress) return null;
  const support = splitAddress(supportAddress);
  const candidate = splitAddress(address);
  if (!support || !candidate || candidate.domain !== support.domain) return null;
  const prefix = `${support.local}+`;
  if (!candidate.local.startsWith(prefix)) return null;
  const token = candidate.local.slice(prefix.length);
  if (!/^[a-z0-9_-]{1,64}$/i.test(token)) return null;
  // Ticket ids are ULIDs (upper case); addresses often come back lower-cased by mail clients.
  return /^[0-9a-hjkmnp-tv-z]{26}$/i.test(token) ? token.toUpperCase() : token;
}

/** Our own address, with or without a `+token`. */
export function isOwnAddress(address: string, supportAddress: string | null): boolean {
  if (!supportAddress) return false;
  const support = splitAddress(supportAddress);
  const candidate = splitAddress(address);
  if (!support || !candidate || candidate.domain !== support.domain) return false;
  return candidate.local === support.local || candidate.local.startsWith(`${support.local}+`);
}

/**
 * The ticket id inside one of our own Message-IDs (`<message_id>.<ticket_id>@<support domain>`, see send.ts).
 * A fallback for when the id is not (yet) indexed by the store, e.g. a reply racing the send's bookkeeping.
 */
export function ticketIdFromOurMessageId(messageId: string, supportAddress: string | null): string | null {
  if (!supportAddress) return null;
  const support = splitAddress(supportAddress);
  const id = splitAddress(messageId);
  if (!support || !id || id.domain !== support.domain) return null;
  const match = /\.([0-9a-z_-]{1,64})$/i.exec(messageId.slice(0, messageId.lastIndexOf('@')));
  if (!match) return null;
  return /^[0-9a-hjkmnp-tv-z]{26}$/i.test(match[1]) ? match[1].toUpperCase() : match[1];
}

export function threadHints(email: ParsedEmail, supportAddress: string | null): ThreadHints {
  // In-Reply-To names the direct parent; References runs oldest → newest, so read it backwards.
  const ids = [...new Set([...email.in_reply_to, ...[...email.references].reverse()])];
  const recipients = [...email.envelope_to, ...email.to.map((a) => a.address), ...email.cc.map((a) => a.address)];
  let ticketToken: string | null = null;
  for (const address of recipients) {
    ticketToken = ticketTokenFromAddress(address, supportAddress);
    if (ticketToken) break;
  }
  for (const id of ids) {
    if (ticketToken) break;
    ticketToken = ticketIdFromOurMessageId(id, supportAddress);
  }
  const hints: ThreadHints = {};
  if (ids.length > 0) hints.replyToExternalIds = ids;
  if (ticketToken) hints.ticketToken = ticketToken;
  return hints;
}

/** Message-ID, or a hash of what stays the same when SendGrid redelivers the same mail. */
export function externalIdOf(email: ParsedEmail): string {
  if (email.message_id) return email.message_id;
  const fingerprint = JSON.stringify({
    envelope_to: email.envelope_to,
    envelope_from: email.envelope_from,
    from: email.from?.address ?? null,
    date: email.date,
    subject: email.subject,
    text: email.text,
    html: email.html,
  });
  return `sha256:${createHash('sha256').update(fingerprint, 'utf8').digest('hex')}`;
}

/** Metadata, plus the bytes when within EMAIL_MAX_ATTACHMENT_BYTES: the core stores them and sets stored_key. */
function attachmentRecord(a: EmailAttachment): InboundAttachment {
  const record: InboundAttachment = {
    content_type: a.content_type,
    size: a.size,
    filename: safeFilename(a.filename),
    url: null,
    stored_key: null,
  };
  return a.content ? { ...record, content: a.content } : record;
}

function bodyOf(email: ParsedEmail): string {
  if (email.text && email.text.trim() !== '') return normalizeNewlines(email.text).trim();
  if (email.html && email.html.trim() !== '') return htmlToText(email.html);
  return '';
}

function emailMeta(email: ParsedEmail): Record<string, unknown> {
  return {
    email: {
      mode: email.mode,
      message_id: email.message_id,
      in_reply_to: email.in_reply_to,
      references: email.references,
      from: email.from,
      to: email.to,
      cc: email.cc,
      envelope_to: email.envelope_to,
      envelope_from: email.envelope_from,
      subject: email.subject,
      date: email.date,
      spam_score: email.spam_score,
      html_only: !(email.text && email.text.trim() !== '') && Boolean(email.html),
      attachments: email.attachments.map((a) => ({
        filename: safeFilename(a.filename),
        content_type: a.content_type,
        size: a.size,
        sha256: a.sha256,
        content_id: a.content_id,
        inline: a.inline,
        within_size_limit: a.content !== null,
      })),
    },
  };
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

export function normalizeInboundEmail(email: ParsedEmail, options: NormalizeOptions): InboundEvent {
  if (!email.from) {
    return {
      kind: 'unsupported',
      channel: 'email',
      external_id: email.message_id,
      reason: 'email without a sender address',
      raw: { subject: email.subject },
    };
  }
  if (isOwnAddress(email.from.address, options.supportAddress)) {
    return { kind: 'ignored', channel: 'email', reason: 'mail from our own support address (loop)' };
  }
  const external_id = externalIdOf(email);
  const contact = { address: email.from.address, display_name: email.from.name };
  const received_at = options.receivedAt;
  const thread = threadHints(email, options.supportAddress);
  const body = bodyOf(email);
  const loop = loopKind(email);
  if (loop) return automaticNote(email, options, loop, body, thread, contact, external_id);
  const newText = extractNewText(body);
  return {
    kind: 'message',
    channel: 'email',
    external_id,
    contact,
    text: newText,
    full_text: body !== '' && body !== newText ? body : null,
    subject: email.subject,
    attachments: email.attachments.map(attachmentRecord),
    received_at,
    thread,
    meta: emailMeta(email),
  };
}

/**
 * Automatic mail → a system note (never answered). Reports thread by the Message-ID they quote; a bounce belongs to
 * the failed recipient's ticket and never opens one, nor does a report or a read receipt for an unknown thread.
 */
function automaticNote(
  email: ParsedEmail,
  options: NormalizeOptions,
  loop: NonNullable<ReturnType<typeof loopKind>>,
  body: string,
  thread: ThreadHints,
  contact: SystemNoteEvent['contact'],
  external_id: string,
): SystemNoteEvent {
  const isReport = loop.kind === 'bounce' || loop.kind === 'feedback_report' || loop.kind === 'read_receipt';
  const sources = isReport ? reportSources(email, body) : [];
  const ids = reportedMessageIds(sources);
  const recipient = isReport ? failedRecipient(email, sources) : null;
  const reason = loop.kind === 'bounce' ? bounceReason(sources) : null;
  // A report is about a mail we sent: it belongs to that mail's recipient (the customer), not to the reporting system.
  const noteContact = recipient && !isOwnAddress(recipient, options.supportAddress) ? { address: recipient, display_name: null } : contact;
  const noteThread: ThreadHints = { ...thread };
  if (ids.length > 0) noteThread.replyToExternalIds = [...new Set([...(thread.replyToExternalIds ?? []), ...ids])];
  for (const id of ids) {
    if (noteThread.ticketToken) break;
    const token = ticketIdFromOurMessageId(id, options.supportAddress);
    if (token) noteThread.ticketToken = token;
  }
  const summary = `${LOOP_LABELS[loop.kind]} from ${email.from?.address ?? 'unknown sender'} (${loop.evidence})${email.subject ? `: ${email.subject}` : ''}`;
  const head = reason ? `${summary}\nReason: ${reason.message}` : summary;
  const text = truncate(body === '' ? head : `${head}\n\n${extractNewText(body)}`, NOTE_MAX_CHARS);
  // Our own mails the report is about (a bounce marks their delivery failed).
  const ours = ids.filter((id) => ticketIdFromOurMessageId(id, options.supportAddress) !== null);
  return {
    kind: 'system_note',
    channel: 'email',
    external_id,
    contact: noteContact,
    text,
    received_at: options.receivedAt,
    thread: noteThread,
    // An auto-reply is still worth keeping on the contact; a report about an unknown thread is noise.
    may_open_ticket: !isReport,
    meta: {
      ...emailMeta(email),
      loop: loop.kind,
      loop_evidence: loop.evidence,
      ...(recipient ? { failed_recipient: recipient } : {}),
      ...(reason ? { bounce: { code: reason.code, message: reason.message, message_ids: ours } } : {}),
    },
  };
}

/** A bounce's effect on our outbound mails: each one it names is marked failed with the reason. */
export function bounceDeliveryFailures(note: SystemNoteEvent): DeliveryStatusEvent[] {
  const bounce = note.meta?.bounce as { code: string; message: string; message_ids: string[] } | undefined;
  if (!bounce) return [];
  return bounce.message_ids.map((id) => ({
    kind: 'delivery_status',
    channel: 'email',
    provider_id: id,
    status: 'failed',
    provider_status: 'bounced',
    error_code: `email_bounce_${bounce.code}`,
    error_message: bounce.message,
    at: note.received_at,
  }));
}
