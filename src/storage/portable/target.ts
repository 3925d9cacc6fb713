// The import side of the store-neutral port: records written into a store that no server is using yet (restore,
// migrate). `create` writes only what is not there (a resumed restore skips what the crashed run wrote); `upsert`
// overwrites (migrate: the source's newer state wins). A marker in the target names the operation that is filling it,
// so a non-empty target is refused unless it is the same restore or migration resuming.
import type { ContactRecord, Message, Ticket } from '../../domain/types.js';
import type { CannedReply, ContactProfile } from '../../domain/workspace.js';
import type { StoredRecord } from '../records.js';
import type { DedupKey, ProviderIdRef } from './format.js';

export type WriteMode = 'create' | 'upsert';

export interface TransferMarker {
  operation: 'restore' | 'migrate';
  /** restore: the backup's record digest; migrate: the source's identity. */
  id: string;
  state: 'running' | 'done';
  started_at: string;
  updated_at: string;
}

export interface ImportTarget {
  readonly kind: 'json' | 'dynamodb';
  readonly description: string;
  /** No ticket, contact or provider id yet (the marker does not count). */
  isEmpty(): Promise<boolean>;
  readMarker(): Promise<TransferMarker | null>;
  writeMarker(marker: TransferMarker): Promise<void>;
  /** A ticket with all its messages; false when `create` found it already there. */
  putTicket(ticket: Ticket, messages: Message[], mode: WriteMode): Promise<boolean>;
  /** One message alone (a delivery update followed from the source); `channel` is its ticket's. */
  putMessage(channel: string, message: Message, mode: WriteMode): Promise<void>;
  putDedup(key: DedupKey, mode: WriteMode): Promise<void>;
  putContact(contact: ContactRecord, mode: WriteMode): Promise<void>;
  putProviderId(ref: ProviderIdRef, mode: WriteMode): Promise<void>;
  /** A canned reply as it is (a `deleted: true` one, followed from the source, deletes it in the target). */
  putCannedReply(reply: CannedReply, mode: WriteMode): Promise<void>;
  putContactProfile(profile: ContactProfile, mode: WriteMode): Promise<void>;
  /** A generic record with its version and updated_at as they are in the source. */
  putRecord(record: StoredRecord, mode: WriteMode): Promise<void>;
  putBlob(key: string, bytes: Buffer): Promise<void>;
  close(): Promise<void>;
}
