// Leases in the Freeda table (item `L#<name>` / `_`): one conditional UpdateItem claims a lease that is free, expired
// or already ours, and bumps its fence; release deletes it only while it is still ours (same owner and fence).
// dynalite and DynamoDB Local support both. Expiry uses each instance's clock: keep clocks in sync (NTP); a skew
// shortens or lengthens a lease by that much, and the work re-reads the stored state anyway.
import { DeleteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Lease, LeaseStore } from '../../pipeline/leases.js';
import { isConditionalFailure } from './client.js';
import { SINGLETON_SK } from './keys.js';

export const leasePk = (name: string) => `L#${name}`;

export function createDynamoLeases(options: { doc: DynamoDBDocumentClient; table: string; owner: string; now?: () => number }): LeaseStore {
  const { doc, table, owner } = options;
  const now = options.now ?? Date.now;
  return {
    kind: 'dynamodb',
    async claim(name, ttlMs): Promise<Lease | null> {
      const at = now();
      try {
        const result = await doc.send(
          new UpdateCommand({
            TableName: table,
            Key: { pk: leasePk(name), sk: SINGLETON_SK },
            UpdateExpression: 'SET #owner = :owner, #expires = :expires ADD #fence :one',
            ConditionExpression: 'attribute_not_exists(#pk) OR #expires < :now OR #owner = :owner',
            ExpressionAttributeNames: { '#pk': 'pk', '#owner': 'lease_owner', '#expires': 'lease_expires_at', '#fence': 'lease_fence' },
            ExpressionAttributeValues: { ':owner': owner, ':expires': at + ttlMs, ':now': at, ':one': 1 },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return { name, fence: Number(result.Attributes?.lease_fence ?? 0) };
      } catch (error) {
        if (isConditionalFailure(error)) return null;
        throw error;
      }
    },
    async renew(lease, ttlMs) {
      try {
        await doc.send(
          new UpdateCommand({
            TableName: table,
            Key: { pk: leasePk(lease.name), sk: SINGLETON_SK },
            UpdateExpression: 'SET #expires = :expires',
            ConditionExpression: '#owner = :owner AND #fence = :fence',
            ExpressionAttributeNames: { '#owner': 'lease_owner', '#fence': 'lease_fence', '#expires': 'lease_expires_at' },
            ExpressionAttributeValues: { ':owner': owner, ':fence': lease.fence, ':expires': now() + ttlMs },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionalFailure(error)) return false;
        throw error;
      }
    },
    async release(lease) {
      try {
        await doc.send(
          new DeleteCommand({
            TableName: table,
            Key: { pk: leasePk(lease.name), sk: SINGLETON_SK },
            ConditionExpression: '#owner = :owner AND #fence = :fence',
            ExpressionAttributeNames: { '#owner': 'lease_owner', '#fence': 'lease_fence' },
            ExpressionAttributeValues: { ':owner': owner, ':fence': lease.fence },
          }),
        );
      } catch (error) {
        if (!isConditionalFailure(error)) throw error;
      }
    },
  };
}
