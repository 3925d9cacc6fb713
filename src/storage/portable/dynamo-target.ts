// Import target over the DynamoDB table: the items the store itself writes (dynamodb/README.md), put directly. Per
// ticket: body chunks and message items first, then the META item (which makes the ticket visible in lists), then the
// contact's open-ticket pointer. `create` puts on `attribute_not_exists(pk)`: a re-run after a crash skips every item
// already there and writes the rest (no transactions: dynalite has none, and none are needed). The search postings
// and the contact's ticket list (dynamodb/workspace.ts) are derived from tickets and messages, not in a backup: they
// are written here for every ticket and message put, as DynamoTicketStore.reindex does (idempotent puts). Canned
// replies, contact profiles and generic records are put as the store writes them, version included.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { join } from 'node:path';
import type { Message, Ticket } from '../../domain/types.js';
import { STATUS_OPEN } from '../../domain/types.js';
import { createFileBlobStore } from '../blobs.js';
import { createDocumentClient, isConditionalFailure, type Item } from '../dynamodb/client.js';
import { messageItem, prepareMessage, ticketToItem } from '../dynamodb/items.js';
import { DEDUP_SK, META_SK, SINGLETON_SK, contactPk, dedupPk, openTicketPk, providerPk, ticketPk } from '../dynamodb/keys.js';
import { createTableOps } from '../dynamodb/ops.js';
import { recordToItem } from '../dynamodb/records.js';
import { CANNED_PK, createWorkspaceItems, profilePk } from '../dynamodb/workspace.js';
import { assertTableReady } from '../dynamodb/table.js';
import { scanAll } from './dynamo-source.js';
import type { ImportTarget, TransferMarker, WriteMode } from './target.js';

const MARKER_KEY = { pk: 'X#transfer', sk: SINGLETON_SK };

export async function openDynamoTarget(options: {
  client: DynamoDBClient;
  table: string;
  region: string;
  ownsClient: boolean;
  /** Where attachment bytes go (DATA_DIR/attachments: both store types keep them on files). */
  dataDir: string;
}): Promise<ImportTarget> {
  const { client, table } = options;
  await assertTableReady(client, { table, region: options.region });
  const ops = createTableOps(createDocumentClient(client), table);
  const blobs = createFileBlobStore(join(options.dataDir, 'attachments'));
  const getTicket = async (id: string) => ((await ops.get({ pk: ticketPk(id), sk: META_SK }))?.ticket as Ticket | undefined) ?? null;
  const workspace = createWorkspaceItems({ ops, getTicket, maxConflictRetries: 1 });

  /** false when `create` found the item there. */
  async function put(item: Item, mode: WriteMode): Promise<boolean> {
    try {
      await ops.doc.send(
        new PutCommand({
          TableName: table,
          Item: item,
          ...(mode === 'create' ? { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': 'pk' } } : {}),
        }),
      );
      return true;
    } catch (error) {
      if (mode === 'create' && isConditionalFailure(error)) return false;
      throw error;
    }
  }

  const providerItem = (channel: string, providerId: string, ticketId: string, messageId: string): Item => ({
    pk: providerPk(channel, providerId),
    sk: SINGLETON_SK,
    type: 'provider_id',
    provider_id: providerId,
    ticket_id: ticketId,
    message_id: messageId,
  });

  async function writeMessage(channel: string, message: Message, mode: WriteMode): Promise<void> {
    const prepared = prepareMessage(message);
    await ops.writeChunks(prepared);
    await put(messageItem(prepared.stored, prepared.overflow, 0), mode);
    if (message.delivery?.provider_id)
      await put(providerItem(channel, message.delivery.provider_id, message.ticket_id, message.message_id), 'upsert');
  }

  /** One message alone (followed from the source): its postings too, once its ticket is there (else putTicket does). */
  async function putMessage(channel: string, message: Message, mode: WriteMode): Promise<void> {
    await writeMessage(channel, message, mode);
    const ticket = await getTicket(message.ticket_id);
    if (ticket) await workspace.index(ticket, message, false);
  }

  return {
    kind: 'dynamodb',
    description: `DynamoDB table ${table}`,
    async isEmpty() {
      for await (const item of scanAll(ops, { Limit: 25, ProjectionExpression: 'pk' })) if (item.pk !== MARKER_KEY.pk) return false;
      return true;
    },
    async readMarker() {
      const item = await ops.get(MARKER_KEY);
      return item ? (item.marker as TransferMarker) : null;
    },
    async writeMarker(marker) {
      await put({ ...MARKER_KEY, type: 'transfer', marker }, 'upsert');
    },
    async putTicket(ticket, messages, mode) {
      // Messages of one ticket in parallel (their order on the table does not matter), then the ticket.
      await Promise.all(messages.map((m) => writeMessage(ticket.channel, m, mode)));
      // Postings before the META item: once the ticket is listed, it is also found by search.
      await workspace.index(ticket, null, true);
      for (const m of messages) await workspace.index(ticket, m, false);
      const written = await put(ticketToItem(ticket, []), mode);
      const key = { pk: openTicketPk(ticket.channel, ticket.contact.address), sk: SINGLETON_SK };
      const values = { ':t': ticket.ticket_id, ':c': ticket.channel, ':a': ticket.contact.address };
      await ops.update({
        key,
        update: 'SET #last_ticket_id = :t, #channel = :c, #address = :a',
        condition: 'attribute_not_exists(#last_ticket_id) OR #last_ticket_id <= :t',
        values,
      });
      if (ticket.status === STATUS_OPEN)
        await ops.update({
          key,
          update: 'SET #open_ticket_id = :t',
          condition: 'attribute_not_exists(#open_ticket_id) OR #open_ticket_id <= :t',
          values: { ':t': ticket.ticket_id },
        });
      else
        await ops.update({ key, update: 'REMOVE #open_ticket_id', condition: '#open_ticket_id = :t', values: { ':t': ticket.ticket_id } });
      return written;
    },
    putMessage,
    async putDedup(d, mode) {
      const message = await ops.get({ pk: `T#${d.ticket_id}`, sk: `M#${d.message_id}` });
      await put(
        {
          pk: dedupPk(d.channel, d.external_id),
          sk: DEDUP_SK,
          type: 'intent',
          kind: (message?.message as Message | undefined)?.direction === 'outbound' ? 'append' : 'ingest',
          state: 'done',
          lease_owner: 'restore',
          lease_until: 0,
          message_id: d.message_id,
          channel: d.channel,
          ticket_id: d.ticket_id,
          created_at: (message?.message as Message | undefined)?.created_at ?? new Date(0).toISOString(),
        },
        mode,
      );
    },
    async putContact(c, mode) {
      await put({ pk: contactPk(c.channel, c.address), sk: SINGLETON_SK, type: 'contact', ...c }, mode);
    },
    async putProviderId(ref, mode) {
      await put(providerItem(ref.channel, ref.provider_id, ref.ticket_id, ref.message_id), mode);
    },
    async putCannedReply(reply, mode) {
      await put({ pk: CANNED_PK, sk: reply.canned_id, type: 'canned', reply }, mode);
    },
    async putContactProfile(profile, mode) {
      await put({ pk: profilePk(profile.contact_id), sk: SINGLETON_SK, type: 'profile', version: profile.version, profile }, mode);
    },
    async putRecord(record, mode) {
      await put(recordToItem(record), mode);
    },
    async putBlob(key, bytes) {
      const stored = await blobs.put(bytes);
      if (stored !== key) throw new Error(`attachment ${key}: its bytes hash to ${stored} (damaged backup)`);
    },
    close: () => {
      if (options.ownsClient) client.destroy();
      return Promise.resolve();
    },
  };
}
