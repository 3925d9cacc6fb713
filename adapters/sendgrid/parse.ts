// Bytes → email. No network, no disk: busboy reads the multipart body from memory, mailparser reads
// the header block (parsed mode) or the whole MIME message (raw mode).
import { createHash } from 'node:crypto';
import busboy from 'busboy';
import iconv from 'iconv-lite';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { ValidationError } from '../../src/errors.js';
import type { EmailAddress, EmailAttachment, FormFile, InboundForm, ParsedEmail, ReadEmailResult } from './types.js';

export class InvalidMultipartError extends ValidationError {
  constructor(message: string) {
    super('invalid_multipart', message);
  }
}

export interface FormLimits {
  /** Largest file part whose bytes are kept; bigger ones keep size + sha256 only. */
  maxAttachmentBytes: number;
  /** Largest text field (raw mode puts the whole message in `email`). */
  maxFieldBytes: number;
}

/**
 * Split an Inbound Parse multipart body into fields and files. Fields are read as latin1 so their
 * original bytes come back intact (`text`/`html` are in the mail's own charset, see `decodeBody`).
 */
export function parseInboundForm(rawBody: Buffer, contentType: string | undefined, limits: FormLimits): Promise<InboundForm> {
  if (!contentType || !/^multipart\/form-data\b/i.test(contentType.trim())) {
    return Promise.reject(new InvalidMultipartError('Expected a multipart/form-data body (SendGrid Inbound Parse).'));
  }
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { 'content-type': contentType },
      defCharset: 'latin1',
      defParamCharset: 'utf8',
      limits: { fieldSize: limits.maxFieldBytes, fields: 200, files: 100, parts: 300, fileSize: Number.MAX_SAFE_INTEGER },
    });
  } catch (err) {
    return Promise.reject(new InvalidMultipartError(`Unreadable multipart body: ${(err as Error).message}.`));
  }
  return new Promise((resolve, reject) => {
    const fields = new Map<string, Buffer>();
    const files: FormFile[] = [];
    let failed = false;
    const fail = (message: string) => {
      if (failed) return;
      failed = true;
      reject(new InvalidMultipartError(message));
    };
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) return fail(`Field "${name}" is larger than ${limits.maxFieldBytes} bytes.`);
      fields.set(name, fieldBytes(value));
    });
    parser.on('file', (name, stream, info) => {
      const hash = createHash('sha256');
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        hash.update(chunk);
        if (size <= limits.maxAttachmentBytes) chunks.push(chunk);
      });
      stream.on('end', () => {
        files.push({
          field: name,
          filename: info.filename ?? null,
          content_type: info.mimeType.toLowerCase(),
          size,
          sha256: hash.digest('hex'),
          content: size <= limits.maxAttachmentBytes ? Buffer.concat(chunks) : null,
        });
      });
    });
    parser.on('fieldsLimit', () => fail('Too many form fields.'));
    parser.on('filesLimit', () => fail('Too many attachments.'));
    parser.on('partsLimit', () => fail('Too many form parts.'));
    parser.on('error', (err: Error) => fail(`Unreadable multipart body: ${err.message}.`));
    parser.on('close', () => {
      if (failed) return;
      if (fields.size === 0 && files.length === 0) return fail('The multipart body has no fields.');
      resolve({ fields, files });
    });
    parser.end(rawBody);
  });
}

/**
 * busboy decoded the field as latin1 (our default), which maps bytes 1:1 to code points. A part that
 * declared its own non-latin1 charset comes back with wider code points: keep it as UTF-8 then.
 */
function fieldBytes(value: string): Buffer {
  for (let i = 0; i < value.length; i++) {
    if (value.charCodeAt(i) > 0xff) return Buffer.from(value, 'utf8');
  }
  return Buffer.from(value, 'latin1');
}

/**
 * Decode bytes with a declared charset label; unknown labels fall back to UTF-8 (never throw).
 * iconv-lite first: Node 20's TextDecoder drops windows-1252's 0x80-0x9F bytes (€, ’, œ); TextDecoder
 * (ICU) then covers what iconv-lite lacks, such as iso-2022-jp.
 */
export function decodeBody(bytes: Buffer, charset: string | undefined): string {
  const declared = (charset ?? 'utf-8').trim().toLowerCase() || 'utf-8';
  // As browsers do (WHATWG): mail labelled latin1/ascii is very often really windows-1252.
  const label = /^(iso-?8859-1|latin-?1|l1|us-ascii|ascii|cp819)$/.test(declared) ? 'windows-1252' : declared;
  if (iconv.encodingExists(label)) return iconv.decode(bytes, label);
  try {
    return new TextDecoder(label).decode(bytes);
  } catch {
    return bytes.toString('utf8');
  }
}

/**
 * A Message-ID we may deduplicate on and look threads up by: within the header line limit, no control character, and
 * never in the `sha256:` namespace of the content-hash key we use for mail without one (a sender could otherwise claim
 * the key of another mail and have it dropped as a duplicate). Anything else counts as no Message-ID.
 */
function usableMessageId(id: string): boolean {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  return id.length > 0 && id.length <= 998 && !/[\u0000-\u001f\u007f]/.test(id) && !id.toLowerCase().startsWith('sha256:');
}

/** `<abc@host>` / ` abc@host ` → `abc@host`. Case is kept: Message-IDs are compared as written. */
export function normalizeMessageId(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const bracketed = /<([^<>\s]+)>/.exec(raw);
  const id = (bracketed ? bracketed[1] : (raw.trim().split(/\s+/)[0] ?? '')).trim();
  return usableMessageId(id) ? id : null;
}

/** Every `<id>` of an In-Reply-To/References value, in order, without brackets. */
export function messageIdList(raw: string | string[] | null | undefined): string[] {
  if (!raw) return [];
  const joined = Array.isArray(raw) ? raw.join(' ') : raw;
  const bracketed = [...joined.matchAll(/<([^<>\s]+)>/g)].map((m) => m[1]);
  const ids = bracketed.length > 0 ? bracketed : joined.split(/[\s,]+/).filter((s) => s.includes('@'));
  return [...new Set(ids.filter(usableMessageId))];
}

function parseJson(bytes: Buffer | undefined): unknown {
  if (!bytes || bytes.length === 0) return null;
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return null;
  }
}

function addresses(obj: AddressObject | AddressObject[] | undefined): EmailAddress[] {
  const list = obj === undefined ? [] : Array.isArray(obj) ? obj : [obj];
  const out: EmailAddress[] = [];
  const visit = (entries: AddressObject['value']) => {
    for (const entry of entries) {
      if (entry.group) visit(entry.group);
      else if (entry.address) out.push({ address: entry.address.trim().toLowerCase(), name: entry.name?.trim() || null });
    }
  };
  for (const item of list) visit(item.value);
  return out;
}

function headerValue(mail: ParsedMail, name: string): string | null {
  const line = mail.headerLines.find((h) => h.key === name);
  if (!line) return null;
  const colon = line.line.indexOf(':');
  return line.line
    .slice(colon + 1)
    .replace(/\r?\n[ \t]+/g, ' ')
    .trim();
}

const LOOP_HEADERS = [
  'auto-submitted',
  'x-autoreply',
  'x-autorespond',
  'x-autoresponder',
  'x-auto-response-suppress',
  'precedence',
  'list-id',
  'list-unsubscribe',
  'x-failed-recipients',
  'return-path',
  'content-type',
  'x-loop',
];

function selectedHeaders(mail: ParsedMail): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of LOOP_HEADERS) {
    const value = headerValue(mail, name);
    if (value !== null) out[name] = value;
  }
  return out;
}

function envelopeOf(fields: Map<string, Buffer>): { to: string[]; from: string | null } {
  const envelope = parseJson(fields.get('envelope')) as { to?: unknown; from?: unknown } | null;
  const to = Array.isArray(envelope?.to) ? envelope.to.filter((v): v is string => typeof v === 'string') : [];
  return {
    to: to.map((a) => a.trim().toLowerCase()),
    from: typeof envelope?.from === 'string' && envelope.from.trim() ? envelope.from.trim().toLowerCase() : null,
  };
}

function spamScore(fields: Map<string, Buffer>): number | null {
  const raw = fields.get('spam_score')?.toString('utf8').trim();
  if (!raw) return null;
  const n = Number(raw);
  return Number.isFinite(n) ? n : null;
}

const MAILPARSER_OPTIONS = { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true } as const;

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function fromMail(
  mail: ParsedMail,
): Pick<ParsedEmail, 'from' | 'to' | 'cc' | 'subject' | 'message_id' | 'in_reply_to' | 'references' | 'date' | 'headers' | 'content_type'> {
  return {
    from: addresses(mail.from)[0] ?? null,
    to: addresses(mail.to),
    cc: addresses(mail.cc),
    subject: mail.subject?.trim() || null,
    message_id: normalizeMessageId(mail.messageId),
    in_reply_to: messageIdList(mail.inReplyTo),
    references: messageIdList(mail.references),
    date: mail.date && !Number.isNaN(mail.date.getTime()) ? mail.date.toISOString() : null,
    headers: selectedHeaders(mail),
    content_type: headerValue(mail, 'content-type'),
  };
}

async function readRawMode(fields: Map<string, Buffer>, email: Buffer, maxAttachmentBytes: number): Promise<ParsedEmail> {
  const mail = await simpleParser(email, MAILPARSER_OPTIONS);
  const envelope = envelopeOf(fields);
  const attachments: EmailAttachment[] = mail.attachments.map((a) => ({
    filename: a.filename ?? null,
    content_type: (a.contentType || 'application/octet-stream').toLowerCase(),
    size: a.content.length,
    sha256: sha256(a.content),
    content_id: normalizeMessageId(a.contentId),
    inline: a.contentDisposition === 'inline' || Boolean(a.related),
    content: a.content.length <= maxAttachmentBytes ? a.content : null,
  }));
  return {
    mode: 'raw',
    ...fromMail(mail),
    envelope_to: envelope.to,
    envelope_from: envelope.from,
    text: mail.text ?? null,
    html: typeof mail.html === 'string' ? mail.html : null,
    attachments,
    spam_score: spamScore(fields),
  };
}

/** This file's entry of the `attachment-info` JSON, keeping only string values (the JSON is untrusted). */
function describedAttachment(info: unknown, field: string): { filename?: string; type?: string; content_id?: string } {
  if (!info || typeof info !== 'object' || !Object.hasOwn(info, field)) return {};
  const entry = (info as Record<string, unknown>)[field];
  if (!entry || typeof entry !== 'object') return {};
  const str = (key: string) => {
    const value = (entry as Record<string, unknown>)[key];
    return typeof value === 'string' && value.trim() !== '' ? value : undefined;
  };
  return { filename: str('filename') ?? str('name'), type: str('type'), content_id: str('content-id') };
}

async function readParsedMode(form: InboundForm): Promise<ParsedEmail> {
  const { fields } = form;
  const charsets = (parseJson(fields.get('charsets')) ?? {}) as Record<string, unknown>;
  const charsetOf = (name: string) => (typeof charsets[name] === 'string' ? charsets[name] : undefined);
  // The header block carries Message-ID, In-Reply-To, References and the loop markers; SendGrid's
  // own from/to/cc/subject fields (already UTF-8) fill in what it lacks.
  const headerBlock = Buffer.concat([fields.get('headers') ?? Buffer.alloc(0), Buffer.from('\r\n\r\n')]);
  const mail = await simpleParser(headerBlock, MAILPARSER_OPTIONS);
  const fromHeaders = fromMail(mail);
  const fallbackLines = (['from', 'to', 'cc', 'subject'] as const)
    .filter((name) => fields.has(name))
    .map(
      (name) =>
        `${name}: ${fields
          .get(name)!
          .toString('utf8')
          .replace(/[\r\n]+/g, ' ')}`,
    );
  const fallback = fromMail(await simpleParser(Buffer.from(`${fallbackLines.join('\r\n')}\r\n\r\n`, 'utf8'), MAILPARSER_OPTIONS));
  const envelope = envelopeOf(fields);
  const info = parseJson(fields.get('attachment-info'));
  const attachments: EmailAttachment[] = form.files.map((file) => {
    const described = describedAttachment(info, file.field);
    const contentId = normalizeMessageId(described.content_id);
    return {
      filename: described.filename ?? file.filename,
      content_type: (described.type ?? file.content_type).toLowerCase(),
      size: file.size,
      sha256: file.sha256,
      content_id: contentId,
      inline: contentId !== null,
      content: file.content,
    };
  });
  const text = fields.get('text');
  const html = fields.get('html');
  return {
    mode: 'parsed',
    from: fromHeaders.from ?? fallback.from,
    to: fromHeaders.to.length > 0 ? fromHeaders.to : fallback.to,
    cc: fromHeaders.cc.length > 0 ? fromHeaders.cc : fallback.cc,
    envelope_to: envelope.to,
    envelope_from: envelope.from,
    subject: fallback.subject ?? fromHeaders.subject,
    message_id: fromHeaders.message_id,
    in_reply_to: fromHeaders.in_reply_to,
    references: fromHeaders.references,
    date: fromHeaders.date,
    headers: fromHeaders.headers,
    content_type: fromHeaders.content_type,
    text: text ? decodeBody(text, charsetOf('text')) : null,
    html: html ? decodeBody(html, charsetOf('html')) : null,
    attachments,
    spam_score: spamScore(fields),
  };
}

/** Turn the Inbound Parse form (either mode) into one email. */
export async function readEmail(form: InboundForm, limits: Pick<FormLimits, 'maxAttachmentBytes'>): Promise<ReadEmailResult> {
  const raw = form.fields.get('email');
  try {
    const email = raw && raw.length > 0 ? await readRawMode(form.fields, raw, limits.maxAttachmentBytes) : await readParsedMode(form);
    if (!email.from) return { ok: false, reason: 'no_sender' };
    return { ok: true, email };
  } catch (err) {
    return { ok: false, reason: `unreadable_email: ${(err as Error).message}` };
  }
}
