// Lease store selection: in the table with DynamoDB (instances share it), in the process with the JSON store (it
// cannot be shared: one process per DATA_DIR).
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Config } from '../config.js';
import { createMemoryLeases, type LeaseStore } from '../pipeline/leases.js';
import { createDocumentClient, createDynamoClient } from './dynamodb/client.js';
import { createDynamoLeases } from './dynamodb/leases.js';

/** This process as a lease owner (host and pid for an operator reading the table, random so a restart is a new owner). */
export const instanceId = () => `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;

export function createLeaseStore(config: Config, storeKind: string, owner = instanceId()): { leases: LeaseStore; close(): void } {
  if (storeKind !== 'dynamodb') return { leases: createMemoryLeases(), close: () => undefined };
  const client = createDynamoClient({ region: config.AWS_REGION, endpoint: config.DYNAMODB_ENDPOINT });
  return {
    leases: createDynamoLeases({ doc: createDocumentClient(client), table: config.DYNAMODB_TABLE, owner }),
    close: () => client.destroy(),
  };
}
