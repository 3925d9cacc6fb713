// Leases in the DynamoDB table (dynalite): one owner at a time, the same owner may renew, an expired lease is taken
// over with a higher fence, release only frees our own claim. And the in-process leases of the JSON store.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createMemoryLeases, withLease } from '../../src/pipeline/leases.js';
import { createDocumentClient } from '../../src/storage/dynamodb/client.js';
import { createDynamoLeases } from '../../src/storage/dynamodb/leases.js';
import { startDynalite, type DynaliteHandle } from '../helpers/dynalite.js';

describe('leases', () => {
  let dyn: DynaliteHandle;
  let client: DynamoDBClient;
  let clock = 1_000_000;
  const owner = (name: string) =>
    createDynamoLeases({ doc: createDocumentClient(client), table: dyn.table, owner: name, now: () => clock });

  before(async () => {
    dyn = await startDynalite();
    client = dyn.makeClient();
  });
  after(async () => {
    client.destroy();
    await dyn.stop();
  });

  it('dynamodb: one owner at a time; renew; takeover after expiry with a higher fence; release is owner-only', async () => {
    const a = owner('A');
    const b = owner('B');
    const first = await a.claim('bot:m1', 1000);
    assert.ok(first);
    assert.equal(await b.claim('bot:m1', 1000), null, 'held by A');
    assert.ok(await b.claim('bot:m2', 1000), 'another name is free');
    const renewed = await a.claim('bot:m1', 1000);
    assert.ok(renewed && renewed.fence > first.fence, 'the owner may claim again');
    clock += 900;
    assert.equal(await a.renew(renewed, 1000), true, 'renewed while working');
    clock += 900;
    assert.equal(await b.claim('bot:m1', 1000), null, 'still held after the renewal');
    clock += 101;
    const taken = await b.claim('bot:m1', 1000);
    assert.ok(taken && taken.fence > renewed.fence, 'expired: taken over, fenced');
    assert.equal(await a.renew(renewed, 1000), false, 'A lost it: no renewal');
    await a.release(renewed); // A was too slow: its release must not free B's claim
    assert.equal(await a.claim('bot:m1', 1000), null);
    await b.release(taken);
    assert.ok(await a.claim('bot:m1', 1000), 'released: free again');
  });

  it('dynamodb: 30 concurrent claims of one name from 3 owners: exactly one wins', async () => {
    const owners = [owner('A'), owner('B'), owner('C')];
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => owners[i % 3].claim('outbound:x', 5000)));
    const winners = new Set(results.map((r, i) => (r ? i % 3 : null)).filter((w) => w !== null));
    assert.equal(winners.size, 1, 'one owner');
  });

  it('withLease runs the job only for the holder and releases after (keep: held until expiry)', async () => {
    let now = 0;
    const leases = createMemoryLeases(() => now);
    const busy: string[] = [];
    const options = { leases, ttlMs: 100, onBusy: (name: string) => busy.push(name) };
    let release!: () => void;
    const running = withLease(options, 'analytics:T1', () => new Promise<string>((resolve) => (release = () => resolve('done'))));
    await new Promise((r) => setImmediate(r));
    assert.equal(await withLease(options, 'analytics:T1', () => Promise.resolve('twice')), undefined);
    assert.deepEqual(busy, ['analytics:T1']);
    release();
    assert.equal(await running, 'done');
    assert.equal(await withLease(options, 'analytics:T1', () => Promise.resolve('again')), 'again', 'released after the job');
    assert.equal(await withLease(options, 'sweep', () => Promise.resolve(1), true), 1);
    assert.equal(await withLease(options, 'sweep', () => Promise.resolve(2), true), undefined, 'kept');
    now += 101;
    assert.equal(await withLease(options, 'sweep', () => Promise.resolve(3), true), 3, 'expired');
  });
});
