import assert from 'node:assert/strict';
import { appendFile, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createJsonStore } from '../../src/storage/json/store.js';
import { capturingLogger } from '../helpers/logger.js';
import { tempDir } from '../helpers/tmp.js';
import { runRecordsContract } from './records-contract.js';
import { inbound, outbound, runStoreContract } from './contract.js';

runStoreContract('json', async () => {
  const dir = await tempDir();
  const logger = capturingLogger();
  let store = createJsonStore({ dataDir: dir.path, logger });
  await store.open();
  return {
    store,
    async reopen() {
      await store.close();
      store = createJsonStore({ dataDir: dir.path, logger });
      await store.open();
      return store;
    },
    async cleanup() {
      await store.close();
      await dir.remove();
    },
  };
});

runRecordsContract('json', async () => {
  const dir = await tempDir();
  const logger = capturingLogger();
  let store = createJsonStore({ dataDir: dir.path, logger });
  await store.open();
  return {
    store,
    async reopen() {
      await store.close();
      store = createJsonStore({ dataDir: dir.path, logger });
      await store.open();
      return store;
    },
    async cleanup() {
      await store.close();
      await dir.remove();
    },
  };
});

describe('json store on disk', () => {
  it('a torn last line is ignored and reported, not fatal', async () => {
    const dir = await tempDir();
    const logger = capturingLogger();
    const store = createJsonStore({ dataDir: dir.path, logger });
    await store.open();
    await store.ingest(inbound('sms', '+33600000001', 'SM-torn-1', 'kept'));
    await store.close();
    const journal = (await readdir(dir.path)).find((n) => n.startsWith('journal-'))!;
    await appendFile(join(dir.path, journal), '{"tickets":[{"ticket_id":"half');
    const again = createJsonStore({ dataDir: dir.path, logger });
    await again.open();
    assert.ok(await again.findMessageByExternalId('sms', 'SM-torn-1'));
    assert.ok(logger.lines.some((l) => l.level === 'warn' && /torn/.test(l.msg ?? '')));
    await again.ingest(inbound('sms', '+33600000001', 'SM-torn-2', 'after'));
    await again.close();
    const third = createJsonStore({ dataDir: dir.path, logger });
    await third.open();
    assert.ok(await third.findMessageByExternalId('sms', 'SM-torn-2'), 'appends after the repair are readable');
    await third.close();
    await dir.remove();
  });

  it("a second store on the same DATA_DIR refuses to open; a dead owner's lock is taken over", async () => {
    const dir = await tempDir();
    const first = createJsonStore({ dataDir: dir.path, logger: capturingLogger() });
    await first.open();
    const second = createJsonStore({ dataDir: dir.path, logger: capturingLogger() });
    await assert.rejects(second.open(), /already in use/);
    await first.close();
    // A lock left by a process that no longer exists (kill -9).
    await writeFile(join(dir.path, 'LOCK'), JSON.stringify({ pid: 2 ** 22 + 12345 }));
    const logger = capturingLogger();
    const third = createJsonStore({ dataDir: dir.path, logger });
    await third.open();
    assert.ok(logger.lines.some((l) => /took over a lock/.test(l.msg ?? '')));
    await third.close();
    await dir.remove();
  });

  it('a snapshot keeps message bodies unparsed until read, and round-trips through a second compaction', async () => {
    const dir = await tempDir();
    const logger = capturingLogger();
    const first = createJsonStore({ dataDir: dir.path, logger });
    await first.open();
    const r = await first.ingest(inbound('sms', '+33600000077', 'SM-lazy-1', 'Bonjour, facture de 49,90 € ?'));
    assert.ok(r.kind === 'stored');
    const reply = await first.appendMessage(r.ticket.ticket_id, outbound('agent', 'Nous regardons.'));
    await first.updateMessage(r.ticket.ticket_id, reply.message.message_id, (m) => ({
      ...m,
      delivery: { ...m.delivery!, status: 'sent', provider_id: 'SM-prov-lazy', attempts: 1, next_attempt_at: null },
    }));
    const pending = await first.appendMessage(r.ticket.ticket_id, outbound('agent', 'Encore en file.'));
    await first.compact();
    await first.close();

    for (let round = 0; round < 2; round++) {
      const store = createJsonStore({ dataDir: dir.path, logger });
      await store.open();
      assert.equal(
        (await store.findMessageByExternalId('sms', 'SM-lazy-1'))?.text,
        'Bonjour, facture de 49,90 € ?',
        'dedup index from the snapshot header',
      );
      assert.equal((await store.findMessageByProviderId('sms', 'SM-prov-lazy'))?.message_id, reply.message.message_id);
      assert.deepEqual(
        (await store.listPendingOutbound()).map((m) => m.message_id),
        [pending.message.message_id],
      );
      const dup = await store.ingest(inbound('sms', '+33600000077', 'SM-lazy-1', 'retry'));
      assert.equal(dup.kind, 'duplicate');
      if (round === 0) {
        await store.compact(); // snapshot written from raw, never-parsed message bodies
      } else {
        const next = await store.ingest(inbound('sms', '+33600000077', 'SM-lazy-2', 'Et alors ?'));
        assert.ok(next.kind === 'stored');
        assert.equal(next.ticket.ticket_id, r.ticket.ticket_id);
        assert.deepEqual(
          (await store.getMessages(r.ticket.ticket_id)).map((m) => m.text),
          ['Bonjour, facture de 49,90 € ?', 'Nous regardons.', 'Encore en file.', 'Et alors ?'],
        );
      }
      await store.close();
    }
    await dir.remove();
  });

  it('compaction writes a snapshot, drops the old journal and keeps every record', async () => {
    const dir = await tempDir();
    const logger = capturingLogger();
    const store = createJsonStore({ dataDir: dir.path, logger, compactBytes: 4096 });
    await store.open();
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const r = await store.ingest(inbound('chat', `v-${i % 7}`, `cmp-${i}`, `message numéro ${i} `.repeat(5)));
      if (r.kind === 'stored') ids.push(r.message.message_id);
    }
    await store.compact();
    await store.ingest(inbound('chat', 'v-late', 'cmp-late', 'after compaction'));
    await store.close();
    const files = await readdir(dir.path);
    assert.ok(
      files.some((f) => f.startsWith('snapshot-')),
      'a snapshot exists',
    );
    assert.equal(files.filter((f) => f.startsWith('journal-')).length, 1, 'older journals are removed');
    const reopened = createJsonStore({ dataDir: dir.path, logger });
    await reopened.open();
    for (let i = 0; i < 40; i++) assert.ok(await reopened.findMessageByExternalId('chat', `cmp-${i}`));
    assert.ok(await reopened.findMessageByExternalId('chat', 'cmp-late'));
    assert.equal((await reopened.listTickets({}, 200)).items.length, 8);
    await reopened.close();
    const snapshot = files.find((f) => f.startsWith('snapshot-'))!;
    assert.match(await readFile(join(dir.path, snapshot), 'utf8'), /cmp-0/);
    await dir.remove();
  });
});
