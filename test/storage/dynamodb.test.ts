// DynamoDB store against dynalite in-process: the shared contract, then what only a shared table can show.
import { after, before } from 'node:test';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoStore, type DynamoTicketStore } from '../../src/storage/dynamodb/store.js';
import { startDynalite, type DynaliteHandle } from '../helpers/dynalite.js';
import { capturingLogger } from '../helpers/logger.js';
import { runStoreContract } from './contract.js';

let dyn: DynaliteHandle;
before(async () => {
  dyn = await startDynalite();
});
after(async () => {
  await dyn.stop();
});

runStoreContract('dynamodb', async () => {
  const logger = capturingLogger();
  const clients: DynamoDBClient[] = [];
  const make = () => {
    const client = dyn.makeClient();
    clients.push(client);
    return createDynamoStore({ table: dyn.table, region: dyn.region, client, logger, repairIntervalMs: 0 });
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
