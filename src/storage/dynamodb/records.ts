// The generic records port (../records.ts) on the one table: one partition per kind (`R#<kind>`), the record key as
// sort key, the data as a JSON string (no marshalling surprises with empty strings or undefined), `version` guarded
// by conditional puts. Listing is a Query on that partition in sort-key order, the cursor its LastEvaluatedKey.
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { assertRecordKey, type ListRecordsOptions, type RecordStore, type StoredRecord } from '../records.js';
import type { Page } from '../types.js';
import type { Item } from './client.js';
import type { TableOps } from './ops.js';

export const recordPk = (kind: string) => `R#${kind}`;

const isRecordCursor = (v: unknown): v is { k: string } =>
  typeof v === 'object' && v !== null && typeof (v as { k?: unknown }).k === 'string';

export function itemToRecord<T>(item: Item): StoredRecord<T> {
  return {
    kind: String(item.kind),
    key: String(item.sk),
    version: Number(item.version),
    data: JSON.parse(String(item.data)) as T,
    updated_at: String(item.updated_at),
  };
}

/** The item of a record (also written as it is by restore and migrate). */
export const recordToItem = (record: StoredRecord): Item => ({
  pk: recordPk(record.kind),
  sk: record.key,
  kind: record.kind,
  version: record.version,
  data: JSON.stringify(record.data),
  updated_at: record.updated_at,
});

export function createRecordItems(ops: TableOps): RecordStore {
  const toItem = recordToItem;

  return {
    async putRecordIfAbsent<T>(kind: string, key: string, data: T, now: string) {
      assertRecordKey(kind, key);
      const record: StoredRecord<T> = { kind, key, version: 1, data, updated_at: now };
      return (await ops.put({ item: toItem(record), condition: 'attribute_not_exists(#pk)' })) ? record : null;
    },
    async putRecordIfVersion<T>(kind: string, key: string, data: T, expectedVersion: number, now: string) {
      assertRecordKey(kind, key);
      const record: StoredRecord<T> = { kind, key, version: expectedVersion + 1, data, updated_at: now };
      const written = await ops.put({ item: toItem(record), condition: '#version = :expected', values: { ':expected': expectedVersion } });
      return written ? record : null;
    },
    async getRecord<T>(kind: string, key: string) {
      assertRecordKey(kind, key);
      const item = await ops.get({ pk: recordPk(kind), sk: key });
      return item ? itemToRecord<T>(item) : null;
    },
    async listRecords<T>(kind: string, options: ListRecordsOptions): Promise<Page<StoredRecord<T>>> {
      const after = options.cursor ? decodeCursor(options.cursor, isRecordCursor).k : null;
      const limit = Math.max(1, options.limit);
      const items: StoredRecord<T>[] = [];
      let start: Record<string, unknown> | undefined = after === null ? undefined : { pk: recordPk(kind), sk: after };
      // Pages may come back short (1 MB cap): keep reading until limit + 1 records or the end of the partition.
      do {
        const out = await ops.doc.send(
          new QueryCommand({
            TableName: ops.table,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': recordPk(kind) },
            ConsistentRead: true,
            ScanIndexForward: (options.order ?? 'asc') === 'asc',
            Limit: limit + 1 - items.length,
            ExclusiveStartKey: start,
          }),
        );
        items.push(...(out.Items ?? []).map((item) => itemToRecord<T>(item)));
        start = out.LastEvaluatedKey;
      } while (start && items.length <= limit);
      const more = items.length > limit;
      if (more) items.length = limit;
      return { items, next_cursor: more ? encodeCursor({ k: items[items.length - 1].key }) : null };
    },
  };
}
