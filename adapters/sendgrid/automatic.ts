// Mail written by a machine is never answered: RFC 3834 Auto-Submitted, RFC 6522 multipart/report (RFC 3464 delivery
// status, RFC 5965 feedback, RFC 8098 read receipts), Precedence bulk/junk/list, List-Id/List-Unsubscribe,
// X-Autoreply/X-Autorespond, an empty Return-Path, auto-reply subjects in FR/EN/DE/ES/IT. Pure.
import type { ParsedEmail } from './types.js';

export type LoopKind = 'bounce' | 'feedback_report' | 'read_receipt' | 'auto_reply' | 'bulk';

export const LOOP_LABELS: Record<LoopKind, string> = {
  bounce: 'Delivery failure notice',
  feedback_report: 'Feedback report (complaint)',
  read_receipt: 'Read receipt',
  auto_reply: 'Automatic reply',
  bulk: 'Bulk or mailing-list mail',
};

/** Subjects of automatic replies (out of office, vacation, acknowledgements) in French, English, German, Spanish, Italian. */
const AUTO_REPLY_SUBJECT =
  /^\s*(r[ée]ponse automatique|absence du bureau|absent(e)? du bureau|message d'absence|absence\s*:|automatic reply|auto(matic)?[- ]?(reply|response)|autoreply|out of (the )?office|ooo\b|on vacation|vacation reply|away from (the )?office|mail delivery failed|abwesenheitsnotiz|automatische antwort|abwesend|nicht im b[üu]ro|respuesta autom[áa]tica|fuera de (la )?oficina|risposta automatica|fuori (sede|ufficio)|read:|lu\s*:|gelesen\s*:|le[íi]do\s*:|letto\s*:)/i;

function reportType(contentType: string): string | null {
  if (!contentType.startsWith('multipart/report')) return null;
  return /report-type\s*=\s*"?([a-z-]+)/.exec(contentType)?.[1] ?? 'unknown';
}

function hasPart(email: ParsedEmail, type: string): boolean {
  return email.attachments.some((a) => a.content_type === type);
}

/** Why this mail must not be answered, or null for a mail written by a person. Strongest evidence first. */
export function loopKind(email: ParsedEmail): { kind: LoopKind; evidence: string } | null {
  const h = email.headers;
  const local = (email.from?.address ?? '').split('@')[0] ?? '';
  const contentType = (email.content_type ?? '').toLowerCase();
  const report = reportType(contentType);
  if (report === 'delivery-status' || hasPart(email, 'message/delivery-status')) {
    return { kind: 'bounce', evidence: 'multipart/report delivery-status' };
  }
  if (report === 'feedback-report' || hasPart(email, 'message/feedback-report')) {
    return { kind: 'feedback_report', evidence: 'multipart/report feedback-report' };
  }
  if (report === 'disposition-notification' || hasPart(email, 'message/disposition-notification')) {
    return { kind: 'read_receipt', evidence: 'multipart/report disposition-notification' };
  }
  if (/^(mailer-daemon|postmaster)$/i.test(local)) return { kind: 'bounce', evidence: `from ${local}` };
  if (h['x-failed-recipients']) return { kind: 'bounce', evidence: 'X-Failed-Recipients' };
  if (report) return { kind: 'auto_reply', evidence: `multipart/report ${report}` };
  const autoSubmitted = h['auto-submitted']?.trim().toLowerCase();
  if (autoSubmitted && !autoSubmitted.startsWith('no')) return { kind: 'auto_reply', evidence: `Auto-Submitted: ${autoSubmitted}` };
  for (const name of ['x-autoreply', 'x-autorespond', 'x-autoresponder'] as const) {
    if (h[name] !== undefined) return { kind: 'auto_reply', evidence: name };
  }
  const precedence = h.precedence?.trim().toLowerCase();
  if (precedence === 'auto_reply') return { kind: 'auto_reply', evidence: 'Precedence: auto_reply' };
  if (precedence && ['bulk', 'junk', 'list'].includes(precedence)) return { kind: 'bulk', evidence: `Precedence: ${precedence}` };
  if (h['list-id']) return { kind: 'bulk', evidence: 'List-Id' };
  if (h['list-unsubscribe']) return { kind: 'bulk', evidence: 'List-Unsubscribe' };
  // RFC 3834 §3.3 / RFC 5321: automatic messages go out with a null reverse-path.
  if (h['return-path'] !== undefined && /^<\s*>$/.test(h['return-path'].trim()))
    return { kind: 'auto_reply', evidence: 'empty Return-Path' };
  if (email.subject && AUTO_REPLY_SUBJECT.test(email.subject)) return { kind: 'auto_reply', evidence: 'auto-reply subject' };
  if (/^(no-?reply|do-?not-?reply)$/i.test(local)) return { kind: 'auto_reply', evidence: `from ${local}` };
  return null;
}

/** The texts a bounce or report may quote the failed mail in: the body and its report/message parts. */
export function reportSources(email: ParsedEmail, body: string): string[] {
  const sources = [body];
  for (const a of email.attachments) {
    if (
      a.content &&
      /^(message\/rfc822|text\/rfc822-headers|message\/delivery-status|message\/feedback-report|message\/disposition-notification|text\/plain)$/.test(
        a.content_type,
      )
    ) {
      sources.push(a.content.toString('utf8'));
    }
  }
  return sources;
}

/** A report quotes the headers of the mail it is about: its Message-ID threads the note. */
export function reportedMessageIds(sources: string[]): string[] {
  const ids: string[] = [];
  for (const source of sources) {
    for (const m of source.matchAll(/^\s*(?:Message-ID|Original-Message-ID):\s*<([^<>\s]+)>/gim)) ids.push(m[1]);
  }
  return [...new Set(ids)];
}

const ADDRESS_RE = /<?([^\s<>"';:,]+@[^\s<>"';:,]+\.[^\s<>"';:,]+)>?/;

/**
 * Who the reported mail was for (X-Failed-Recipients, Final-Recipient, Original-Rcpt-To, the quoted To:): the note
 * belongs to that contact's ticket, not to MAILER-DAEMON's or the feedback loop's.
 */
export function failedRecipient(email: ParsedEmail, sources: string[]): string | null {
  const candidates = [email.headers['x-failed-recipients'] ?? ''];
  // Strongest evidence first, whichever part carries it.
  for (const pattern of [
    /^\s*Final-Recipient:\s*rfc822;\s*(.+)$/gim,
    /^\s*Original-Recipient:\s*rfc822;\s*(.+)$/gim,
    /^\s*Original-Rcpt-To:\s*(.+)$/gim,
    /^\s*To:\s*(.+)$/gim,
  ]) {
    for (const source of sources) {
      for (const m of source.matchAll(pattern)) candidates.push(m[1]);
    }
  }
  for (const candidate of candidates) {
    const m = ADDRESS_RE.exec(candidate);
    if (m) return m[1].toLowerCase();
  }
  return null;
}

/**
 * Why the mail bounced, for the delivery's error: the DSN's Diagnostic-Code or Status (RFC 3464), else the first
 * SMTP reply quoted in the text ("550 5.1.1 User unknown").
 */
export function bounceReason(sources: string[]): { code: string; message: string } {
  for (const source of sources) {
    const diagnostic = /^\s*Diagnostic-Code:\s*[a-z-]+;\s*(.+(?:\n[ \t]+.+)*)$/im.exec(source);
    if (diagnostic) {
      const message = diagnostic[1].replace(/\s+/g, ' ').trim();
      return { code: statusOf(sources) ?? enhancedStatus(message) ?? 'bounced', message };
    }
  }
  for (const source of sources) {
    const smtp = /\b([45]\d\d[ -][45]\.\d{1,3}\.\d{1,3}\b.*)$/m.exec(source);
    if (smtp) return { code: enhancedStatus(smtp[1]) ?? 'bounced', message: smtp[1].trim() };
  }
  const status = statusOf(sources);
  return { code: status ?? 'bounced', message: status ? `delivery status ${status}` : 'the recipient’s mail server returned the message' };
}

function statusOf(sources: string[]): string | null {
  for (const source of sources) {
    const m = /^\s*Status:\s*([245]\.\d{1,3}\.\d{1,3})/im.exec(source);
    if (m) return m[1];
  }
  return null;
}

function enhancedStatus(text: string): string | null {
  return /\b([245]\.\d{1,3}\.\d{1,3})\b/.exec(text)?.[1] ?? null;
}
