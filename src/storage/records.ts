// The generic "records" port: small keyed documents the core keeps beside tickets (agents, their e-mail index,
// refresh tokens and families, personal API tokens, audit entries, signing keys). Both stores implement it with
// single-item conditional writes only (dynalite has no transactions): put-if-absent and put-if-version.
import type { Page } from './types.js';

export interface StoredRecord<T = unknown> {
  kind: string;
  key: string;
  /** 1 on creation, +1 on each put-if-version. */
  version: number;
  data: T;
  updated_at: string;
}

export interface ListRecordsOptions {
  limit: number;
  cursor?: string | null;
  /** Key order (default ascending). Audit keys start with the time: `desc` lists newest first. */
  order?: 'asc' | 'desc';
}

export interface RecordStore {
  /** Writes the record (version 1) only when (kind, key) does not exist yet; null when it does. */
  putRecordIfAbsent<T>(kind: string, key: string, data: T, now: string): Promise<StoredRecord<T> | null>;
  /** Replaces the record only when its stored version is `expectedVersion`; null when it changed or is gone. */
  putRecordIfVersion<T>(kind: string, key: string, data: T, expectedVersion: number, now: string): Promise<StoredRecord<T> | null>;
  getRecord<T>(kind: string, key: string): Promise<StoredRecord<T> | null>;
  /** Records of one kind in key order; `next_cursor` is opaque (null at the end). */
  listRecords<T>(kind: string, options: ListRecordsOptions): Promise<Page<StoredRecord<T>>>;
}

/** Kinds and keys are short printable identifiers: they become DynamoDB keys and journal fields. */
export function assertRecordKey(kind: string, key: string): void {
  if (!/^[a-z][a-z0-9_]{0,39}$/.test(kind)) throw new Error(`invalid record kind ${JSON.stringify(kind)}`);
  if (key.length === 0 || Buffer.byteLength(key) > 512 || [...key].some((c) => c.charCodeAt(0) < 0x20))
    throw new Error(`invalid record key for ${kind}`);
}

/**
 * Read-modify-write with put-if-version, retried on a lost race. `mutate` returns the new data, or null to leave
 * the record as it is. Returns the stored record (null when it does not exist).
 */
export async function updateRecord<T>(
  records: RecordStore,
  kind: string,
  key: string,
  mutate: (data: T) => T | null,
  now: () => string,
  attempts = 20,
): Promise<StoredRecord<T> | null> {
  for (let i = 0; i < attempts; i++) {
    const current = await records.getRecord<T>(kind, key);
    if (!current) return null;
    const next = mutate(current.data);
    if (next === null) return current;
    const written = await records.putRecordIfVersion(kind, key, next, current.version, now());
    if (written) return written;
  }
  throw new Error(`record ${kind}/${key} kept changing: gave up after ${attempts} attempts`);
}
