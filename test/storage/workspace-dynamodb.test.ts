// The agent workspace contract on DynamoDB (dynalite); no request of it is a Scan.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoTicketStore } from '../../src/storage/dynamodb/store.js';
import { startDynalite, type DynaliteHandle, dynamoStoreOn } from '../helpers/dynalite.js';
import { capturingLogger } from '../helpers/logger.js';
import { runWorkspaceContract } from './workspace-contract.js';

let dyn: DynaliteHandle;
before(async () => {
  dyn = await startDynalite();
});
after(async () => {
  await dyn.stop();
});

runWorkspaceContract('dynamodb', async () => {
  const logger = capturingLogger();
  const clients: DynamoDBClient[] = [];
  const make = () => {
    const client = dyn.makeClient();
    clients.push(client);
    return dynamoStoreOn(dyn, client, { logger });
  };
  let store: DynamoTicketStore = make();
  await store.open();
  return {
    store,
    async reopen() {
      await store.close();
      store = make();
      await store.open();
      return store;
    },
    async cleanup() {
      await store.close();
      for (const c of clients) c.destroy();
    },
  };
});

it('the workspace never scans the table', () => {
  assert.ok(dyn.targets.length > 0);
  assert.deepEqual(
    dyn.targets.filter((t) => t.endsWith('.Scan')),
    [],
  );
});
