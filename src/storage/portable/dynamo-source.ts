// Export source over the DynamoDB table, read while instances keep writing. Tickets are found by a consistent Scan of
// their META items (keys and created_at only, so memory holds ~60 bytes per ticket), sorted into canonical order and
// read back with consistent BatchGets; messages by a consistent Query of each ticket's partition. Hidden tickets
// (no message yet: a write in progress or crash garbage, see dynamodb/README.md) are not exported. The high-water mark
// is the instant the read started: a change after it may or may not be in this read; `migrate --follow` re-reads
// tickets changed since. Scans are for this offline tool only: the serving paths never scan.
import { ScanCommand, type ScanCommandInput } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Channel, ContactRecord, Message, Ticket } from '../../domain/types.js';
import { createDocumentClient, type Item } from '../dynamodb/client.js';
import { META_SK, ticketPk } from '../dynamodb/keys.js';
import { createTableOps, type TableOps } from '../dynamodb/ops.js';
import { itemToRecord } from '../dynamodb/records.js';
import { CANNED_PK } from '../dynamodb/workspace.js';
import type { CannedReply, ContactProfile } from '../../domain/workspace.js';
import type { StoredRecord } from '../records.js';
import { compareMessages } from '../../domain/metrics.js';
import type { ProviderIdRef } from './format.js';
import type { ExportSource } from './source.js';

const TICKETS_PER_READ = 100;

/** Every item a Scan matches (consistent), page by page. */
export async function* scanAll(ops: TableOps, input: Omit<ScanCommandInput, 'TableName' | 'ExclusiveStartKey'>): AsyncGenerator<Item> {
  let start: Record<string, unknown> | undefined;
  do {
    const out = await ops.doc.send(new ScanCommand({ ...input, TableName: ops.table, ConsistentRead: true, ExclusiveStartKey: start }));
    yield* out.Items ?? [];
    start = out.LastEvaluatedKey;
  } while (start);
}

/** (created_at, ticket_id) of every visible ticket, oldest first. */
export async function ticketKeys(ops: TableOps): Promise<{ created_at: string; ticket_id: string; updated_at: string }[]> {
  const keys: { created_at: string; ticket_id: string; updated_at: string }[] = [];
  for await (const item of scanAll(ops, {
    FilterExpression: '#type = :ticket AND #ticket.#stats.#count > :zero',
    ProjectionExpression: '#ticket.#ticket_id, #ticket.#created_at, #ticket.#updated_at',
    ExpressionAttributeNames: {
      '#type': 'type',
      '#ticket': 'ticket',
      '#stats': 'stats',
      '#count': 'messages_count',
      '#ticket_id': 'ticket_id',
      '#created_at': 'created_at',
      '#updated_at': 'updated_at',
    },
    ExpressionAttributeValues: { ':ticket': 'ticket', ':zero': 0 },
  })) {
    const t = item.ticket as Pick<Ticket, 'ticket_id' | 'created_at' | 'updated_at'>;
    keys.push({ created_at: t.created_at, ticket_id: t.ticket_id, updated_at: t.updated_at });
  }
  return keys.sort((a, b) =>
    a.created_at !== b.created_at
      ? a.created_at < b.created_at
        ? -1
        : 1
      : a.ticket_id < b.ticket_id
        ? -1
        : a.ticket_id > b.ticket_id
          ? 1
          : 0,
  );
}

export async function readTickets(ops: TableOps, ticketIds: string[]): Promise<Ticket[]> {
  const items = await ops.batchGet(ticketIds.map((id) => ({ pk: ticketPk(id), sk: META_SK })));
  return items.map((item) => item.ticket as Ticket);
}

export async function readMessages(ops: TableOps, ticketId: string): Promise<Message[]> {
  return (await ops.messagesOf(await ops.queryPartition(ticketPk(ticketId), 'M#'))).sort(compareMessages);
}

/** Items whose partition key starts with `prefix` (a consistent Scan: offline tools only). */
export async function scanPrefix(ops: TableOps, prefix: string): Promise<Item[]> {
  const items: Item[] = [];
  for await (const item of scanAll(ops, {
    FilterExpression: 'begins_with(#pk, :prefix)',
    ExpressionAttributeNames: { '#pk': 'pk' },
    ExpressionAttributeValues: { ':prefix': prefix },
  }))
    items.push(item);
  return items;
}

/** The workspace and the generic records (dynamodb/workspace.ts, dynamodb/records.ts); deleted canned replies included. */
export async function readCanned(ops: TableOps): Promise<CannedReply[]> {
  return (await ops.queryPartition(CANNED_PK, '')).map((item) => item.reply as CannedReply);
}
export async function readProfiles(ops: TableOps): Promise<ContactProfile[]> {
  return (await scanPrefix(ops, 'CP#')).map((item) => item.profile as ContactProfile);
}
export async function readRecords(ops: TableOps): Promise<StoredRecord[]> {
  return (await scanPrefix(ops, 'R#')).map((item) => itemToRecord(item));
}

export function openDynamoSource(client: DynamoDBClient, table: string, ownsClient: boolean): ExportSource & { ops: TableOps } {
  const ops = createTableOps(createDocumentClient(client), table);
  const highWater = new Date().toISOString();
  const side = (prefix: 'C#' | 'P#'): Promise<Item[]> => scanPrefix(ops, prefix);
  return {
    kind: 'dynamodb',
    highWater,
    ops,
    async *tickets() {
      const keys = await ticketKeys(ops);
      for (let i = 0; i < keys.length; i += TICKETS_PER_READ)
        yield* await readTickets(
          ops,
          keys.slice(i, i + TICKETS_PER_READ).map((k) => k.ticket_id),
        );
    },
    messages: (ticketId) => readMessages(ops, ticketId),
    async contacts(): Promise<ContactRecord[]> {
      return (await side('C#')).map((item) => ({
        channel: item.channel as Channel,
        address: String(item.address),
        display_name: (item.display_name as string | null | undefined) ?? null,
        opted_out: Boolean(item.opted_out),
        opted_out_at: (item.opted_out_at as string | null | undefined) ?? null,
        last_inbound_at: (item.last_inbound_at as string | null | undefined) ?? null,
        updated_at: String(item.updated_at),
      }));
    },
    async providerIds(): Promise<ProviderIdRef[]> {
      return (await side('P#')).map((item) => ({
        channel: String(item.pk).split('#')[1],
        provider_id: String(item.provider_id),
        ticket_id: String(item.ticket_id),
        message_id: String(item.message_id),
      }));
    },
    cannedReplies: () => readCanned(ops),
    contactProfiles: () => readProfiles(ops),
    records: () => readRecords(ops),
    close: () => {
      if (ownsClient) client.destroy();
      return Promise.resolve();
    },
  };
}
