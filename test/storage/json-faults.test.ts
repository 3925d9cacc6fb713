// The json store and the blob store under write faults injected below them (short writes, ENOSPC, EIO, EBADF),
// through the real code path; what is on disk afterwards is read back with the plain file system.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { UnavailableError } from '../../src/errors.js';
import { createFileBlobStore } from '../../src/storage/blobs.js';
import { createJsonStore, type JsonStoreOptions } from '../../src/storage/json/store.js';
import { eventually } from '../helpers/app.js';
import { capturingLogger } from '../helpers/logger.js';
import { tempDir } from '../helpers/tmp.js';
import { inbound, outbound } from './contract.js';
import { faultyFs } from './faulty-fs.js';

const FAST_PROBE = { min: 5, max: 20 };

async function withStore(
  options: Partial<JsonStoreOptions>,
  body: (store: ReturnType<typeof createJsonStore>, dir: string) => Promise<void>,
) {
  const dir = await tempDir();
  const store = createJsonStore({ dataDir: dir.path, logger: capturingLogger(), probeMs: FAST_PROBE, ...options });
  await store.open();
  try {
    await body(store, dir.path);
  } finally {
    await store.close();
    await dir.remove();
  }
}

/** Opens the same DATA_DIR with the plain file system and returns the store (caller closes). */
async function reopened(dataDir: string) {
  const store = createJsonStore({ dataDir, logger: capturingLogger() });
  await store.open();
  return store;
}

const refusedWith = (code: string) => (error: unknown) => {
  assert.ok(error instanceof UnavailableError, `expected a 503, got ${String(error)}`);
  assert.equal(error.status, 503);
  assert.equal(error.code, code);
  assert.ok(error.retryAfterSeconds >= 1);
  return true;
};

describe('json store: every byte or nothing', () => {
  it('short writes are completed: journal, snapshot and blobs read back whole', async () => {
    const fs = faultyFs({ maxWriteBytes: 7 });
    await withStore({ open: fs.open }, async (store, dataDir) => {
      const texts = Array.from({ length: 12 }, (_, i) => `Message ${i} : « facture n°${i} » — déjà payée ? 😀 `.repeat(3));
      for (const [i, text] of texts.entries()) await store.ingest(inbound('sms', '+33600000001', `SM-short-${i}`, text));
      await store.compact();
      const after = await store.ingest(inbound('sms', '+33600000001', 'SM-short-after', 'après la compaction'));
      assert.ok(after.kind === 'stored');
      await store.appendMessage(after.ticket.ticket_id, outbound('agent', 'Réponse écrite par petits morceaux.'));
      const blobs = createFileBlobStore(join(dataDir, 'attachments'), fs.open);
      const bytes = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251));
      const key = await blobs.put(bytes);
      assert.ok(fs.stats.shortWrites > 50, `the layer returned short counts (${fs.stats.shortWrites})`);
      await store.close();

      const again = await reopened(dataDir);
      try {
        for (const [i, text] of texts.entries()) assert.equal((await again.findMessageByExternalId('sms', `SM-short-${i}`))?.text, text);
        const messages = await again.getMessages(after.ticket.ticket_id);
        assert.deepEqual(
          messages.slice(-2).map((m) => m.text),
          ['après la compaction', 'Réponse écrite par petits morceaux.'],
        );
        assert.deepEqual(await createFileBlobStore(join(dataDir, 'attachments')).get(key), bytes);
      } finally {
        await again.close();
      }
    });
  });

  it('ENOSPC: the batch is refused (503 storage_full), nothing new is applied, writes resume on their own once space is back', async () => {
    const fs = faultyFs();
    const logger = capturingLogger();
    await withStore({ open: fs.open, logger }, async (store, dataDir) => {
      await store.ingest(inbound('sms', '+33600000002', 'SM-before', 'avant'));
      let recovered = 0;
      store.onRecovered(() => recovered++);
      fs.faults.writeError = 'ENOSPC';
      await assert.rejects(store.ingest(inbound('sms', '+33600000002', 'SM-refused', 'refusé')), refusedWith('storage_full'));
      const health = store.health();
      assert.equal(health.state, 'degraded');
      assert.ok(health.state === 'degraded' && health.code === 'storage_full' && /free space/.test(health.action));
      await assert.rejects(store.ping(), refusedWith('storage_full'));
      // While failing, nothing new reaches memory.
      await assert.rejects(store.ingest(inbound('sms', '+33600000003', 'SM-during', 'pendant')), refusedWith('storage_full'));
      assert.equal(await store.findMessageByExternalId('sms', 'SM-during'), null);
      assert.equal(await store.lastTicketOf('sms', '+33600000003'), null);
      // The provider's retry is refused too until the batch is durable.
      await assert.rejects(store.ingest(inbound('sms', '+33600000002', 'SM-refused', 'refusé')), refusedWith('storage_full'));
      assert.ok(logger.lines.some((l) => l.level === 'error' && /free space on the volume of DATA_DIR/.test(l.msg ?? '')));
      // Probes run every 5-20 ms here: while the disk is still full none of them may pass.
      const failedWrites = fs.stats.failedWrites;
      await eventually(() => fs.stats.failedWrites >= failedWrites + 3);
      assert.equal(store.health().state, 'degraded');
      assert.equal(recovered, 0);

      fs.heal();
      await eventually(() => recovered === 1);
      assert.deepEqual(store.health(), { state: 'ok' });
      assert.ok(logger.lines.some((l) => /recovered: writes work again/.test(l.msg ?? '')));
      const retry = await store.ingest(inbound('sms', '+33600000002', 'SM-refused', 'refusé'));
      assert.equal(retry.kind, 'duplicate', 'the refused batch was rewritten by the recovery: its retry is a duplicate');
      assert.equal((await store.ingest(inbound('sms', '+33600000003', 'SM-during', 'pendant'))).kind, 'stored');
      await store.close();

      // On disk: every line whole (the partial bytes were truncated away), each message once.
      const journal = (await readdir(dataDir)).find((n) => n.startsWith('journal-'))!;
      const lines = (await readFile(join(dataDir, journal), 'utf8')).split('\n').filter(Boolean);
      for (const line of lines) JSON.parse(line);
      const again = await reopened(dataDir);
      try {
        for (const id of ['SM-before', 'SM-refused', 'SM-during']) assert.ok(await again.findMessageByExternalId('sms', id), id);
        const ticket = await again.lastTicketOf('sms', '+33600000002');
        assert.deepEqual(
          (await again.getMessages(ticket!.ticket_id)).map((m) => m.external_id),
          ['SM-before', 'SM-refused'],
        );
      } finally {
        await again.close();
      }
    });
  });

  it('EIO on fdatasync is storage_unavailable and recovers the same way', async () => {
    const fs = faultyFs();
    await withStore({ open: fs.open }, async (store) => {
      fs.faults.datasyncError = 'EIO';
      await assert.rejects(store.ingest(inbound('email', 'a@example.com', '<m1@example.com>', 'x')), refusedWith('storage_unavailable'));
      const health = store.health();
      assert.ok(health.state === 'degraded' && health.code === 'storage_unavailable' && /EIO/.test(health.detail));
      fs.heal();
      await eventually(() => store.health().state === 'ok');
      assert.equal((await store.ingest(inbound('email', 'a@example.com', '<m1@example.com>', 'x'))).kind, 'duplicate');
    });
  });

  it('a descriptor that no probe can repair (EBADF) is reported as failed: restart required', async () => {
    const fs = faultyFs();
    await withStore({ open: fs.open }, async (store) => {
      fs.faults.writeError = 'EIO';
      fs.faults.truncateError = 'EBADF';
      await assert.rejects(store.ingest(inbound('chat', 'v-1', 'c-1', 'x')), refusedWith('storage_unavailable'));
      await eventually(() => store.health().state === 'failed');
      const health = store.health();
      assert.ok(health.state === 'failed' && health.code === 'storage_failed' && /restart/.test(health.action));
      fs.heal();
    });
  });

  it('a failed snapshot leaves no .tmp, loses nothing, keeps serving, and a later compaction succeeds', async () => {
    const fs = faultyFs({ applies: (path) => path.endsWith('.tmp') });
    const logger = capturingLogger();
    await withStore({ open: fs.open, logger, compactRetryMs: { min: 60_000, max: 60_000 } }, async (store, dataDir) => {
      for (let i = 0; i < 5; i++) await store.ingest(inbound('chat', `v-${i}`, `snap-${i}`, `avant ${i}`));
      fs.faults.writeError = 'ENOSPC';
      await assert.rejects(store.compact(), /ENOSPC/);
      assert.deepEqual(
        (await readdir(dataDir)).filter((n) => n.endsWith('.tmp')),
        [],
        'the partial snapshot is removed',
      );
      assert.ok(logger.lines.some((l) => l.level === 'warn' && /compaction failed: nothing lost/.test(l.msg ?? '')));
      assert.deepEqual(store.health(), { state: 'ok' }, 'the journal is not affected');
      await store.ingest(inbound('chat', 'v-9', 'snap-after', 'après'));
      await store.close();
      const again = await reopened(dataDir);
      try {
        for (const id of ['snap-0', 'snap-4', 'snap-after']) assert.ok(await again.findMessageByExternalId('chat', id), id);
        fs.heal();
        await again.compact();
        const names = await readdir(dataDir);
        assert.equal(names.filter((n) => n.startsWith('journal-')).length, 1, 'older journals dropped after a good snapshot');
        assert.equal(names.filter((n) => n.startsWith('snapshot-')).length, 1);
      } finally {
        await again.close();
      }
      const third = await reopened(dataDir);
      assert.ok(await third.findMessageByExternalId('chat', 'snap-after'));
      await third.close();
    });
  });

  it('no compaction while writes fail: the rotation is refused and its new journal removed', async () => {
    const fs = faultyFs();
    await withStore({ open: fs.open, compactRetryMs: { min: 60_000, max: 60_000 } }, async (store, dataDir) => {
      await store.ingest(inbound('chat', 'v-1', 'rot-1', 'x'));
      fs.faults.writeError = 'ENOSPC';
      await assert.rejects(store.ingest(inbound('chat', 'v-1', 'rot-2', 'y')));
      await assert.rejects(store.compact(), refusedWith('storage_full'));
      assert.equal((await readdir(dataDir)).filter((n) => n.startsWith('journal-')).length, 1);
      fs.heal();
      await eventually(() => store.health().state === 'ok');
    });
  });

  it('a blob that cannot be written is a 503 and leaves no partial file', async () => {
    const dir = await tempDir();
    try {
      const fs = faultyFs({ writeError: 'EDQUOT' });
      const blobs = createFileBlobStore(join(dir.path, 'attachments'), fs.open);
      await assert.rejects(blobs.put(Buffer.alloc(4096, 1)), refusedWith('storage_full'));
      const folders = await readdir(join(dir.path, 'attachments'));
      for (const folder of folders) assert.deepEqual(await readdir(join(dir.path, 'attachments', folder)), []);
      fs.heal();
      const key = await blobs.put(Buffer.alloc(4096, 1));
      assert.deepEqual(await blobs.get(key), Buffer.alloc(4096, 1));
    } finally {
      await dir.remove();
    }
  });
});
