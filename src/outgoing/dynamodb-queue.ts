// Outgoing webhook deliveries as items of the Freeda table (pk `OUTHOOK`, sk = delivery id): read back with a Query
// on that one partition at start (never a Scan); a delivered item is deleted. Several instances sharing the table
// each resume the pending items at their start: at-least-once, receivers dedup on the event id.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../storage/dynamodb/client.js';
import type { OutgoingDelivery, OutgoingQueueStore } from './queue.js';

export const OUTGOING_PK = 'OUTHOOK';

/** `ownsClient`: destroy the client on close (it was made for this queue). */
export function createDynamoQueueStore(client: DynamoDBClient, table: string, ownsClient = false): OutgoingQueueStore {
  const doc: DynamoDBDocumentClient = createDocumentClient(client);
  return {
    async open() {
      const records: OutgoingDelivery[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const out = await doc.send(
          new QueryCommand({
            TableName: table,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': OUTGOING_PK },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        );
        for (const item of out.Items ?? []) records.push(item.delivery as OutgoingDelivery);
        start = out.LastEvaluatedKey;
      } while (start);
      return records;
    },
    async put(deliveries) {
      for (const delivery of deliveries) {
        const Key = { pk: OUTGOING_PK, sk: delivery.delivery_id };
        if (delivery.state === 'delivered') await doc.send(new DeleteCommand({ TableName: table, Key }));
        else await doc.send(new PutCommand({ TableName: table, Item: { ...Key, delivery } }));
      }
    },
    close() {
      if (ownsClient) client.destroy();
      return Promise.resolve();
    },
  };
}
