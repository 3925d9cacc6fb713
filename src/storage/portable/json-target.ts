// Import target over a json DATA_DIR: the real json store opened (and locked) by this process, written through its
// journal (one batch per ticket with its messages: a crash never leaves half a ticket). Dedup keys and the provider ids
// of messages are indexes the store derives from the messages, so they need no write of their own.
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LoggerLike } from '../../domain/channel.js';
import { createFileBlobStore } from '../blobs.js';
import { createJsonStore } from '../json/store.js';
import type { ImportTarget, TransferMarker } from './target.js';

const MARKER = 'TRANSFER.json';

export async function openJsonTarget(
  dataDir: string,
  logger: LoggerLike,
): Promise<ImportTarget & { store: ReturnType<typeof createJsonStore> }> {
  const store = createJsonStore({ dataDir, logger });
  await store.open();
  const blobs = createFileBlobStore(join(dataDir, 'attachments'));
  return {
    kind: 'json',
    description: `json store in ${dataDir}`,
    store,
    isEmpty: () => Promise.resolve(store.stats().tickets === 0),
    async readMarker() {
      const text = await readFile(join(dataDir, MARKER), 'utf8').catch(() => null);
      return text ? (JSON.parse(text) as TransferMarker) : null;
    },
    async writeMarker(marker) {
      const tmp = join(dataDir, `${MARKER}.tmp`);
      await writeFile(tmp, JSON.stringify(marker) + '\n', { mode: 0o600 });
      await rename(tmp, join(dataDir, MARKER));
    },
    async putTicket(ticket, messages, mode) {
      if (mode === 'create' && (await store.getTicket(ticket.ticket_id))) return false;
      await store.importBatch({ tickets: [ticket], messages });
      return true;
    },
    putMessage: (_channel, message) => store.importBatch({ messages: [message] }),
    putDedup: () => Promise.resolve(),
    async putContact(contact, mode) {
      if (mode === 'create' && (await store.getContact(contact.channel, contact.address))) return;
      await store.importBatch({ contacts: [contact] });
    },
    async putProviderId(ref, mode) {
      if (mode === 'create' && (await store.findMessageByProviderId(ref.channel, ref.provider_id))) return;
      await store.importBatch({ provider_ids: [ref] });
    },
    async putCannedReply(reply, mode) {
      // getCannedReply hides a deleted one: a restore (only live replies) never meets one.
      if (mode === 'create' && (await store.getCannedReply(reply.canned_id))) return;
      await store.importBatch({ canned_replies: [reply] });
    },
    async putContactProfile(profile, mode) {
      if (mode === 'create' && (await store.getContactProfile(profile.contact_id))) return;
      await store.importBatch({ contact_profiles: [profile] });
    },
    async putRecord(record, mode) {
      if (mode === 'create' && (await store.getRecord(record.kind, record.key))) return;
      await store.importBatch({ records: [record] });
    },
    async putBlob(key, bytes) {
      const stored = await blobs.put(bytes);
      if (stored !== key) throw new Error(`attachment ${key}: its bytes hash to ${stored} (damaged backup)`);
    },
    close: () => store.close(),
  };
}
