// The export side of the store-neutral port: everything a store holds, in canonical order (format.ts), read while
// the store keeps serving. json: json-source.ts (reads DATA_DIR read-only beside the server); DynamoDB: dynamo-source.ts.
import { compareMessages } from '../../domain/metrics.js';
import type { ContactRecord, Message, Ticket } from '../../domain/types.js';
import type { CannedReply, ContactProfile } from '../../domain/workspace.js';
import type { BlobStore } from '../blobs.js';
import type { StoredRecord } from '../records.js';
import type { BackupRecord, ProviderIdRef } from './format.js';

export interface ExportSource {
  readonly kind: 'json' | 'dynamodb';
  /** Where this read stops (json: journal offset; DynamoDB: the instant the read started). */
  readonly highWater: string;
  /** Every ticket, oldest first by (created_at, ticket_id). */
  tickets(): AsyncIterable<Ticket>;
  messages(ticketId: string): Promise<Message[]>;
  /** Sorted by (channel, address). */
  contacts(): Promise<ContactRecord[]>;
  /** Sorted by (channel, provider_id). */
  providerIds(): Promise<ProviderIdRef[]>;
  /** Canned replies, deleted ones included (`migrate --follow` carries a deletion; a backup leaves them out). */
  cannedReplies(): Promise<CannedReply[]>;
  contactProfiles(): Promise<ContactProfile[]>;
  /** Every generic record of every kind (agents, tokens, audit, keys…). Leases are not records: never exported. */
  records(): Promise<StoredRecord[]>;
  close(): Promise<void>;
}

const byKeys =
  <T>(...keys: ((x: T) => string)[]) =>
  (a: T, b: T): number => {
    for (const key of keys) {
      const [x, y] = [key(a), key(b)];
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  };

export const compareContacts = byKeys<ContactRecord>(
  (c) => c.channel,
  (c) => c.address,
);
export const compareProviderIds = byKeys<ProviderIdRef>(
  (p) => p.channel,
  (p) => p.provider_id,
);

export interface RecordOptions {
  /** Attachment bytes to include as `blob` records (omit for references only). */
  blobs?: BlobStore | null;
  /** Called after each ticket (progress). */
  onTicket?: (count: number) => void;
}

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
export const compareCanned = (a: CannedReply, b: CannedReply): number => byString(a.canned_id, b.canned_id);
export const compareProfiles = (a: ContactProfile, b: ContactProfile): number => byString(a.contact_id, b.contact_id);
export const compareRecords = byKeys<StoredRecord>(
  (r) => r.kind,
  (r) => r.key,
);

/** Every record of the source in canonical order (format.ts); memory holds one ticket's messages at a time. */
export async function* canonicalRecords(source: ExportSource, options: RecordOptions = {}): AsyncGenerator<BackupRecord> {
  const blobKeys = new Set<string>();
  let tickets = 0;
  for await (const ticket of source.tickets()) {
    yield { kind: 'ticket', ticket };
    const messages = [...(await source.messages(ticket.ticket_id))].sort(compareMessages);
    for (const message of messages) {
      yield { kind: 'message', message };
      if (message.external_id)
        yield {
          kind: 'dedup',
          channel: ticket.channel,
          external_id: message.external_id,
          ticket_id: ticket.ticket_id,
          message_id: message.message_id,
        };
      for (const a of message.attachments) if (a.stored_key) blobKeys.add(a.stored_key);
    }
    options.onTicket?.(++tickets);
  }
  for (const contact of (await source.contacts()).sort(compareContacts)) yield { kind: 'contact', contact };
  for (const ref of (await source.providerIds()).sort(compareProviderIds)) yield { kind: 'provider_id', ...ref };
  // A deleted canned reply is gone for every reader (and a json snapshot drops it): not part of the data.
  for (const reply of (await source.cannedReplies()).filter((r) => !r.deleted).sort(compareCanned))
    yield { kind: 'canned_reply', canned_reply: reply };
  for (const profile of (await source.contactProfiles()).sort(compareProfiles)) yield { kind: 'contact_profile', profile };
  for (const record of (await source.records()).sort(compareRecords)) yield { kind: 'record', record };
  if (!options.blobs) return;
  for (const key of [...blobKeys].sort()) {
    const bytes = await options.blobs.get(key);
    // A missing file is reported by `store:check`; the reference itself is in the message.
    if (bytes) yield { kind: 'blob', key, size: bytes.length, data: bytes.toString('base64') };
  }
}
