// The generic records port contract (src/storage/records.ts), run on every store beside the ticket contract.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { updateRecord } from '../../src/storage/records.js';
import type { TicketStore } from '../../src/storage/types.js';
import type { StoreHarness } from './contract.js';

const NOW = '2026-03-01T08:00:00.000Z';

export function runRecordsContract(name: string, makeHarness: () => Promise<StoreHarness>): void {
  describe(`records contract: ${name}`, () => {
    let h: StoreHarness;
    let store: TicketStore;
    before(async () => {
      h = await makeHarness();
      store = h.store;
    });
    after(async () => {
      await h.cleanup();
    });

    it('put-if-absent writes version 1 once; a second put with the same key is refused and changes nothing', async () => {
      const first = await store.putRecordIfAbsent('agent_email', 'ana@example.com', { agent_id: 'A1' }, NOW);
      assert.deepEqual(first, { kind: 'agent_email', key: 'ana@example.com', version: 1, data: { agent_id: 'A1' }, updated_at: NOW });
      assert.equal(await store.putRecordIfAbsent('agent_email', 'ana@example.com', { agent_id: 'A2' }, NOW), null);
      assert.deepEqual((await store.getRecord('agent_email', 'ana@example.com'))?.data, { agent_id: 'A1' });
      assert.equal(await store.getRecord('agent_email', 'nobody@example.com'), null);
      assert.equal(await store.getRecord('other_kind', 'ana@example.com'), null, 'kinds are separate');
    });

    it('concurrent put-if-absent on one key: exactly one wins', async () => {
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => store.putRecordIfAbsent('race', 'one', { writer: i }, NOW)));
      assert.equal(results.filter((r) => r !== null).length, 1);
    });

    it('put-if-version replaces only the expected version; a stale writer loses', async () => {
      await store.putRecordIfAbsent('agent', 'A1', { name: 'Ana', role: 'agent' }, NOW);
      const second = await store.putRecordIfVersion('agent', 'A1', { name: 'Ana B', role: 'agent' }, 1, NOW);
      assert.equal(second?.version, 2);
      assert.equal(await store.putRecordIfVersion('agent', 'A1', { name: 'stale', role: 'admin' }, 1, NOW), null);
      assert.equal(await store.putRecordIfVersion('agent', 'missing', { name: 'x' }, 1, NOW), null, 'no record: refused');
      const stored = await store.getRecord<{ name: string; role: string }>('agent', 'A1');
      assert.deepEqual(stored?.data, { name: 'Ana B', role: 'agent' });
      assert.equal(stored?.version, 2);
    });

    it('updateRecord retries a lost race: concurrent increments all land', async () => {
      await store.putRecordIfAbsent('counter', 'c', { n: 0 }, NOW);
      await Promise.all(
        Array.from({ length: 5 }, () =>
          updateRecord<{ n: number }>(
            store,
            'counter',
            'c',
            (d) => ({ n: d.n + 1 }),
            () => NOW,
            50,
          ),
        ),
      );
      assert.equal((await store.getRecord<{ n: number }>('counter', 'c'))?.data.n, 5);
    });

    it('lists one kind in key order with a cursor, both directions, and survives a reopen', async () => {
      const keys = Array.from({ length: 7 }, (_, i) => `2026-03-01T08:00:0${i}.000Z#${i}`);
      for (const key of [...keys].reverse()) await store.putRecordIfAbsent('audit', key, { i: key.slice(-1), text: '' }, NOW);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: Awaited<ReturnType<TicketStore['listRecords']>> = await store.listRecords('audit', { limit: 3, cursor });
        assert.ok(page.items.length <= 3);
        seen.push(...page.items.map((r) => r.key));
        cursor = page.next_cursor;
      } while (cursor);
      assert.deepEqual(seen, keys);

      store = await h.reopen();
      const desc = await store.listRecords('audit', { limit: 4, order: 'desc' });
      assert.deepEqual(
        desc.items.map((r) => r.key),
        [...keys].reverse().slice(0, 4),
      );
      const rest = await store.listRecords('audit', { limit: 10, order: 'desc', cursor: desc.next_cursor });
      assert.deepEqual(
        rest.items.map((r) => r.key),
        [...keys].reverse().slice(4),
      );
      assert.equal(rest.next_cursor, null);
      assert.deepEqual((await store.getRecord('agent', 'A1'))?.version, 2, 'versions survive the reopen');
      assert.deepEqual((await store.listRecords('empty_kind', { limit: 5 })).items, []);
      await assert.rejects(store.listRecords('audit', { limit: 5, cursor: 'not-a-cursor' }), /cursor/);
    });
  });
}
