// The portable backup format (`freeda backup`, `freeda restore`, `freeda migrate`): JSON lines, one record per line.
//
//   line 1    {"format":"freeda-backup","version":1,"source":"json"|"dynamodb","created_at":…,"high_water":…}
//   then      {"kind":"ticket","ticket":{…}}          every ticket, oldest first by (created_at, ticket_id), each followed by
//             {"kind":"message","message":{…}}        its messages in time order (delivery state included), each
//             {"kind":"dedup",…}                      message with a provider id followed by its dedup key
//             {"kind":"contact","contact":{…}}        contacts by (channel, address)
//             {"kind":"provider_id",…}                outbound provider ids by (channel, provider_id)
//             {"kind":"canned_reply","canned_reply":{…}}  canned replies not deleted, by canned_id            (version 2)
//             {"kind":"contact_profile","profile":{…}}  contact profiles by contact_id                      (version 2)
//             {"kind":"record","record":{…}}          generic records (agents, e-mail index, refresh tokens and
//                                                     sessions, personal tokens, audit, the JWT key) by (kind, key)
//             {"kind":"blob","key","size","data"}     attachment bytes (base64) by key, unless --no-blobs
//   last      {"kind":"end","records":N,"sha256":…}   count and digest of every record line (a cut file is refused)
//
// Records are written in canonical JSON (object keys sorted at every depth), so the same data gives the same bytes
// whichever store it came from: backup → restore → backup differs only in the header line. New kinds are new `kind`
// values after the existing ones (version 2 added the workspace and the generic records); a reader refuses a kind it
// does not know, and a version newer than its own. Leases (`L#…` items) are never in a backup: they are transient
// claims on follow-up work, held by a running instance for seconds, meaningless in another store.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Channel, ContactRecord, Message, Ticket } from '../../domain/types.js';
import type { CannedReply, ContactProfile } from '../../domain/workspace.js';
import { cannedReplyRecord, contactProfileRecord, contactRecord, genericRecord, messageRecord, ticketRecord } from '../json/records.js';
import type { StoredRecord } from '../records.js';

export const BACKUP_FORMAT = 'freeda-backup';
/** 2: canned replies, contact profiles and generic records (agents, tokens, audit…). Version 1 files still restore. */
export const BACKUP_VERSION = 2;

export interface BackupHeader {
  format: typeof BACKUP_FORMAT;
  version: number;
  source: 'json' | 'dynamodb';
  created_at: string;
  /** Where the copy stops: json `journal-<gen>:<byte offset>`, DynamoDB the instant the read started. */
  high_water: string;
}

export interface DedupKey {
  channel: Channel;
  external_id: string;
  ticket_id: string;
  message_id: string;
}
export interface ProviderIdRef {
  channel: Channel;
  provider_id: string;
  ticket_id: string;
  message_id: string;
}

export type BackupRecord =
  | { kind: 'ticket'; ticket: Ticket }
  | { kind: 'message'; message: Message }
  | ({ kind: 'dedup' } & DedupKey)
  | { kind: 'contact'; contact: ContactRecord }
  | ({ kind: 'provider_id' } & ProviderIdRef)
  | { kind: 'canned_reply'; canned_reply: CannedReply }
  | { kind: 'contact_profile'; profile: ContactProfile }
  | { kind: 'record'; record: StoredRecord }
  | { kind: 'blob'; key: string; size: number; data: string };

export interface BackupTrailer {
  kind: 'end';
  records: number;
  sha256: string;
}

const id = z.string().min(1);
const ref = { channel: id, ticket_id: id, message_id: id };
const recordSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ticket'), ticket: ticketRecord }),
  z.object({ kind: z.literal('message'), message: messageRecord }),
  z.object({ kind: z.literal('dedup'), external_id: z.string(), ...ref }),
  z.object({ kind: z.literal('contact'), contact: contactRecord }),
  z.object({ kind: z.literal('provider_id'), provider_id: id, ...ref }),
  z.object({ kind: z.literal('canned_reply'), canned_reply: cannedReplyRecord }),
  z.object({ kind: z.literal('contact_profile'), profile: contactProfileRecord }),
  z.object({ kind: z.literal('record'), record: genericRecord }),
  z.object({
    kind: z.literal('blob'),
    key: z.string().regex(/^sha256-[0-9a-f]{64}$/),
    size: z.number().int().nonnegative(),
    data: z.string(),
  }),
]);
const headerSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  version: z.number().int(),
  source: z.enum(['json', 'dynamodb']),
  created_at: z.string(),
  high_water: z.string(),
});
const trailerSchema = z.object({ kind: z.literal('end'), records: z.number().int().nonnegative(), sha256: z.string() });

/** JSON with object keys sorted at every depth and undefined fields dropped: one byte form per value. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = sortKeys(v);
  }
  return out;
}

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

export class BackupFormatError extends Error {
  constructor(
    readonly line: number,
    reason: string,
  ) {
    super(`line ${line}: ${reason}`);
    this.name = 'BackupFormatError';
  }
}

export function parseHeader(line: string): BackupHeader {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new BackupFormatError(1, 'not a Freeda backup (the first line is not JSON)');
  }
  const parsed = headerSchema.safeParse(value);
  if (!parsed.success) throw new BackupFormatError(1, `not a Freeda backup header (${parsed.error.issues[0]?.message})`);
  if (parsed.data.version > BACKUP_VERSION)
    throw new BackupFormatError(1, `backup format version ${parsed.data.version} is newer than this Freeda reads (${BACKUP_VERSION})`);
  return parsed.data;
}

/** A record line, or the trailer. Throws BackupFormatError naming the line. */
export function parseLine(line: string, lineNo: number): BackupRecord | BackupTrailer {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new BackupFormatError(lineNo, 'not valid JSON (a damaged or cut file)');
  }
  if ((value as { kind?: unknown } | null)?.kind === 'end') {
    const trailer = trailerSchema.safeParse(value);
    if (!trailer.success) throw new BackupFormatError(lineNo, 'malformed end line');
    return trailer.data;
  }
  const parsed = recordSchema.safeParse(value);
  if (!parsed.success) {
    const kind = (value as { kind?: unknown } | null)?.kind;
    throw new BackupFormatError(
      lineNo,
      `not a record this version reads (kind ${JSON.stringify(kind)}): ${parsed.error.issues[0]?.message}`,
    );
  }
  return parsed.data;
}

/** Running count and digest of record lines, for the trailer and for checking it. */
export class RecordDigest {
  private readonly hash = createHash('sha256');
  records = 0;
  add(line: string): void {
    this.hash.update(line).update('\n');
    this.records++;
  }
  trailer(): BackupTrailer {
    return { kind: 'end', records: this.records, sha256: this.hash.copy().digest('hex') };
  }
}
