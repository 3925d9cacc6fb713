// Search gives the same tickets on the json store (MiniSearch) and on DynamoDB (token postings) for 30 queries over
// a generated corpus, before and after a restart. Tickets are compared by their message's provider id (each store
// makes its own ticket ids).
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { queryTokens } from '../../src/domain/search.js';
import { createJsonStore } from '../../src/storage/json/store.js';
import type { TicketStore } from '../../src/storage/types.js';
import { startDynalite, type DynaliteHandle, dynamoStoreOn } from '../helpers/dynalite.js';
import { capturingLogger } from '../helpers/logger.js';
import { tempDir } from '../helpers/tmp.js';
import { corpus, queries } from './search-corpus.js';

const inputs = corpus(120, 7);
let dyn: DynaliteHandle;
let dir: { path: string; remove(): Promise<void> };
let json: TicketStore;
let dynamo: TicketStore;
const externalOf = new Map<string, string>();

before(async () => {
  dyn = await startDynalite();
  dir = await tempDir();
  json = createJsonStore({ dataDir: dir.path, logger: capturingLogger() });
  dynamo = dynamoStoreOn(dyn, dyn.makeClient(), { logger: capturingLogger() });
  await json.open();
  await dynamo.open();
  for (const input of inputs) {
    for (const store of [json, dynamo]) {
      const r = await store.ingest(input);
      assert.equal(r.kind, 'stored');
      if (r.kind === 'stored') externalOf.set(r.ticket.ticket_id, r.message.external_id!);
    }
  }
});
after(async () => {
  await json.close();
  await dynamo.close();
  await dyn.stop();
  await dir.remove();
});

async function answers(store: TicketStore): Promise<string[][]> {
  const out: string[][] = [];
  for (const q of queries(inputs)) out.push((await store.searchTickets(queryTokens(q))).map((h) => externalOf.get(h.ticket_id)!));
  return out;
}

it('30 queries: identical results on both stores, most of them non-empty', async () => {
  const list = queries(inputs);
  assert.equal(list.length, 30);
  const [a, b] = [await answers(json), await answers(dynamo)];
  for (let i = 0; i < list.length; i++) assert.deepEqual(b[i], a[i], `query ${JSON.stringify(list[i])}`);
  assert.ok(a.filter((r) => r.length > 0).length >= 25, 'the queries find something');
  assert.deepEqual(a[list.indexOf('inexistant')], []);
  assert.deepEqual(a[0], a[1], 'case-insensitive');
  assert.deepEqual(a[2], a[3], 'accent-insensitive');
  assert.deepEqual(a[18], a[19], 'a phone number in international and national form');
});

it('the same answers after the json store reloads its files', async () => {
  const before = await answers(json);
  await json.close();
  json = createJsonStore({ dataDir: dir.path, logger: capturingLogger() });
  await json.open();
  assert.deepEqual(await answers(json), before);
  assert.deepEqual(await answers(dynamo), before);
});
