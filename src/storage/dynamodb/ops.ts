// Typed item operations on the one table: conditional single-item writes taking option objects, consistent reads,
// batches, the sparse queues, and message bodies put back together from their chunks.
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { Message } from '../../domain/types.js';
import { batchGetAll, batchWriteAll, isConditionalFailure, type Item, type Key } from './client.js';
import { chunkKeysOf, itemToMessage, type PreparedMessage } from './items.js';
import { GSI_QUEUES } from './keys.js';

export type Values = Record<string, unknown>;

export interface PutOptions {
  item: Item;
  /** Written only when this holds (e.g. `attribute_not_exists(#pk)`, `#version = :v`). */
  condition: string;
  values?: Values;
}

export interface UpdateOptions {
  key: Key;
  /** `SET …` / `REMOVE …`; every `#name` is declared for you. */
  update: string;
  condition?: string;
  /** Extra attribute names (those the expressions do not spell as `#name` themselves). */
  names?: Record<string, string>;
  values?: Values;
}

export interface DeleteOptions {
  key: Key;
  condition?: string;
  values?: Values;
}

export interface TableOps {
  readonly doc: DynamoDBDocumentClient;
  readonly table: string;
  /** Strongly consistent read of one item. */
  get(key: Key): Promise<Item | null>;
  /** false when the condition failed. */
  put(options: PutOptions): Promise<boolean>;
  /** The item after the update, or null when the condition failed. */
  update(options: UpdateOptions): Promise<Item | null>;
  /** false when the condition failed. */
  remove(options: DeleteOptions): Promise<boolean>;
  batchGet(keys: Key[]): Promise<Item[]>;
  /** Large-body chunks go first: nothing references them until their message (or intent) item is written. */
  writeChunks(prepared: PreparedMessage): Promise<void>;
  deleteChunks(prepared: PreparedMessage): Promise<void>;
  /** Message items with their overflowed bodies put back together. */
  messagesOf(items: Item[]): Promise<Message[]>;
  /** Every item of a partition whose sort key starts with `prefix` (consistent: a ticket's messages). */
  queryPartition(pk: string, prefix: string): Promise<Item[]>;
  /** Keys in one sparse queue of gsi3 (`OUTBOX`, `WORK`, `REPAIR`), optionally those sorting below `below`. */
  queueKeys(queue: string, below?: string): Promise<Key[]>;
}

/** ExpressionAttributeNames for every `#name` in the expressions: no reserved-word surprises. */
export function attributeNames(...expressions: Array<string | undefined>): Record<string, string> | undefined {
  const names: Record<string, string> = {};
  for (const expression of expressions) for (const match of (expression ?? '').matchAll(/#(\w+)/g)) names[match[0]] = match[1];
  return Object.keys(names).length ? names : undefined;
}

/** Runs a conditional write: false when its condition failed, any other error thrown. */
async function conditional(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (err) {
    if (isConditionalFailure(err)) return false;
    throw err;
  }
}

export function createTableOps(doc: DynamoDBDocumentClient, table: string): TableOps {
  /** Every item a query matches, following LastEvaluatedKey. */
  async function queryAll(input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>): Promise<Item[]> {
    const items: Item[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await doc.send(new QueryCommand({ ...input, TableName: table, ExclusiveStartKey: start }));
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }

  /** The table and a write condition with its names and values. */
  const guarded = (condition: string | undefined, values: Values | undefined) => ({
    TableName: table,
    ConditionExpression: condition,
    ExpressionAttributeNames: attributeNames(condition),
    ExpressionAttributeValues: values,
  });

  const ops: TableOps = {
    doc,
    table,
    async get(key) {
      const out = await doc.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }));
      return out.Item ?? null;
    },
    put: ({ item, condition, values }) => conditional(doc.send(new PutCommand({ ...guarded(condition, values), Item: item }))),
    async update({ key, update, condition, names, values }) {
      const command = new UpdateCommand({
        TableName: table,
        Key: key,
        UpdateExpression: update,
        ConditionExpression: condition,
        ExpressionAttributeNames: { ...attributeNames(update, condition), ...names },
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      });
      try {
        return (await doc.send(command)).Attributes ?? {};
      } catch (err) {
        if (isConditionalFailure(err)) return null;
        throw err;
      }
    },
    remove: ({ key, condition, values }) => conditional(doc.send(new DeleteCommand({ ...guarded(condition, values), Key: key }))),
    batchGet: (keys) => batchGetAll(doc, table, keys),
    async writeChunks(prepared) {
      if (prepared.chunks.length)
        await batchWriteAll(
          doc,
          table,
          prepared.chunks.map((Item) => ({ PutRequest: { Item } })),
        );
    },
    async deleteChunks(prepared) {
      if (prepared.chunks.length)
        await batchWriteAll(
          doc,
          table,
          prepared.chunks.map((c) => ({ DeleteRequest: { Key: { pk: String(c.pk), sk: String(c.sk) } } })),
        );
    },
    async messagesOf(items) {
      const chunkKeys = items.flatMap((item) => chunkKeysOf(item));
      const chunks = chunkKeys.length ? await batchGetAll(doc, table, chunkKeys) : [];
      return items.map((item) => itemToMessage(item, chunks));
    },
    queryPartition: (pk, prefix) =>
      queryAll({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
        ConsistentRead: true,
      }),
    async queueKeys(queue, below) {
      const items = await queryAll({
        IndexName: GSI_QUEUES,
        KeyConditionExpression: below ? 'gsi3pk = :q AND gsi3sk < :below' : 'gsi3pk = :q',
        ExpressionAttributeValues: below ? { ':q': queue, ':below': below } : { ':q': queue },
      });
      return items.map((k) => ({ pk: String(k.pk), sk: String(k.sk) }));
    },
  };
  return ops;
}
