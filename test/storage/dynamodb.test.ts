// DynamoDB store against dynalite in-process: the shared contract, then what only a shared table can show.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createTable } from '../../src/cli/dynamodb.js';
import type { DynamoTicketStore } from '../../src/storage/dynamodb/store.js';
import { startDynalite, type DynaliteHandle, dynamoStoreOn } from '../helpers/dynalite.js';
import { capturingLogger } from '../helpers/logger.js';
import { runRecordsContract } from './records-contract.js';
import { inbound, runStoreContract } from './contract.js';

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

runRecordsContract('dynamodb', async () => {
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

describe('dynamodb store specifics', () => {
  const logger = capturingLogger();
  const clients: DynamoDBClient[] = [];
  const open = async (client = dyn.makeClient()) => {
    clients.push(client);
    const store = dynamoStoreOn(dyn, client, { logger });
    await store.open();
    return store;
  };
  after(() => {
    for (const c of clients) c.destroy();
  });

  it('open() on a missing table fails with the command that creates it; createTable is idempotent', async () => {
    const client = dyn.makeClient();
    clients.push(client);
    const missing = dynamoStoreOn(dyn, client, { logger, table: 'freeda-missing' });
    await assert.rejects(missing.open(), /"freeda-missing" does not exist.*npm run -s freeda -- dynamodb:create-table/);
    assert.equal(await createTable({ table: 'freeda-missing', region: dyn.region, client }, logger), 'created');
    assert.equal(await createTable({ table: 'freeda-missing', region: dyn.region, client }, logger), 'exists');
    await missing.open();
    await missing.ping();
    await missing.close();
  });

  it('a body far over the 400 KB item limit is stored in chunks and read back whole', async () => {
    const store = await open();
    const big = 'é'.repeat(300_000) + ' fin'; // ~600 KB of UTF-8
    const input = inbound('email', 'long@example.com', 'mail-big', big);
    input.message.full_text = big + '\n> citation';
    const r = await store.ingest(input);
    assert.ok(r.kind === 'stored');
    assert.equal(r.message.text, big);
    const [stored] = await store.getMessages(r.ticket.ticket_id);
    assert.equal(stored.text, big);
    assert.equal(stored.full_text, big + '\n> citation');
    assert.equal((await store.findMessageByExternalId('email', 'mail-big'))?.text.length, big.length);
    const updated = await store.updateMessage(r.ticket.ticket_id, r.message.message_id, (m) => ({ ...m, meta: { seen: true } }));
    assert.equal(updated?.text, big);
    assert.equal((await store.getMessage(r.ticket.ticket_id, r.message.message_id))?.text, big);
    await store.close();
  });

  it('batch writes and reads retry unprocessed items and throttling until everything is done', async () => {
    const client = dyn.makeClient();
    let throttled = 0;
    let leftovers = 0;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const command = (context as { commandName?: string }).commandName;
        // BatchWriteItem: table → write requests; BatchGetItem: table → { Keys, ... }.
        const input = args.input as { RequestItems: Record<string, unknown[] | { Keys: unknown[] }> };
        if (command === 'BatchWriteItemCommand' || command === 'BatchGetItemCommand') {
          if (throttled < 2) {
            throttled += 1;
            throw Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
              name: 'ProvisionedThroughputExceededException',
            });
          }
          const [table] = Object.keys(input.RequestItems);
          const isWrite = command === 'BatchWriteItemCommand';
          const requests = input.RequestItems[table];
          const all = Array.isArray(requests) ? requests : requests.Keys;
          const reshape = (items: unknown[]) => (Array.isArray(requests) ? items : { ...requests, Keys: items });
          if (all.length > 1) {
            // Like DynamoDB under pressure: process half, hand the rest back.
            const keep = all.slice(0, Math.ceil(all.length / 2));
            const rest = all.slice(keep.length);
            leftovers += rest.length;
            const trimmed = { ...input, RequestItems: { [table]: reshape(keep) } } as typeof args.input;
            const result = await next({ ...args, input: trimmed });
            const output = result.output as { UnprocessedItems?: unknown; UnprocessedKeys?: unknown };
            if (isWrite) output.UnprocessedItems = { [table]: reshape(rest) };
            else output.UnprocessedKeys = { [table]: reshape(rest) };
            return result;
          }
        }
        return next(args);
      },
      { step: 'initialize', name: 'flakyBatches' },
    );
    const store = await open(client);
    const r = await store.ingest(inbound('sms', '+33699999999', 'SM-batch', 'split'));
    assert.ok(r.kind === 'stored');
    const ids = Array.from({ length: 60 }, (_, i) => `SMpart${i}`);
    await store.indexProviderIds('sms', r.ticket.ticket_id, r.message.message_id, ids);
    for (const id of ids) assert.equal((await store.findMessageByProviderId('sms', id))?.message_id, r.message.message_id, id);
    const page = await store.listTickets({}, 50);
    assert.ok(page.items.some((t) => t.ticket_id === r.ticket.ticket_id));
    assert.ok(throttled === 2 && leftovers > 0, 'the fault injection really happened');
    await store.close();
  });

  it('a cursor only works with the filter it was made for', async () => {
    const store = await open();
    for (let i = 0; i < 3; i++) await store.ingest(inbound('chat', `cursor-${i}`, `cursor-${i}`, 'x'));
    const page = await store.listTickets({ channels: ['chat'] }, 1);
    assert.ok(page.next_cursor);
    await assert.rejects(store.listTickets({ channels: ['sms'] }, 1, page.next_cursor), /cursor/);
    const forged = JSON.parse(Buffer.from(page.next_cursor, 'base64url').toString('utf8')) as {
      pos: Record<string, Record<string, string>>;
    };
    forged.pos.chat = { ...forged.pos.chat, gsi1pk: 'CH#sms' };
    await assert.rejects(store.listTickets({ channels: ['chat'] }, 1, Buffer.from(JSON.stringify(forged)).toString('base64url')), /cursor/);
    const next = await store.listTickets({ channels: ['chat'] }, 1, page.next_cursor);
    assert.notEqual(next.items[0].ticket_id, page.items[0].ticket_id);
    await store.close();
  });
});
