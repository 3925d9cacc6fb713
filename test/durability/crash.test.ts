// Acknowledge only what is durable: SIGKILL mid-stream, restart, every acked event is there exactly once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kill, spawnServer } from '../helpers/child.js';
import { tempDir } from '../helpers/tmp.js';
import { storedExternalIdCounts as allMessages } from '../helpers/counts.js';

describe('durability', () => {
  it('every event acknowledged before a SIGKILL is there exactly once after restart', async () => {
    const dir = await tempDir();
    const env = { DATA_DIR: dir.path, ENABLE_CHATBOT: 'false', ENABLE_AUTO_ANALYTICS: 'false' };
    const first = await spawnServer(env);
    const acked = new Set<string>();
    // Set inside the workers: declared wide so TypeScript does not narrow it to `null` for the code after them.
    let killing = null as Promise<void> | null;
    let nextIndex = 0;
    // 25 concurrent senders stream the 500 events; the kill lands while requests are in flight.
    const worker = async () => {
      while (nextIndex < 500) {
        const i = nextIndex++;
        const id = `evt-${i}`;
        try {
          const res = await fetch(first.url + '/webhooks/test/inbound', {
            method: 'POST',
            body: JSON.stringify({ id, from: `visitor-${i % 40}`, text: `message ${i}` }),
          });
          await res.arrayBuffer();
          if (res.status === 200) acked.add(id);
        } catch {
          // connection refused or reset by the kill: not acknowledged
        }
        if (!killing && acked.size >= 200) killing = kill(first);
      }
    };
    await Promise.all(Array.from({ length: 25 }, worker));
    const killed = killing !== null;
    if (killing) await killing;
    if (!killed) await kill(first);
    assert.ok(acked.size >= 200, `at least 200 acknowledged before the kill (got ${acked.size})`);
    assert.ok(acked.size < 500, 'the kill happened mid-stream');

    const second = await spawnServer(env);
    try {
      const counts = await allMessages(second.url);
      for (const id of acked) assert.equal(counts.get(id), 1, `${id} acknowledged, must be stored once`);
      for (const [id, n] of counts) assert.equal(n, 1, `${id} stored ${n} times`);
      // Retries of everything after the restart: acked ones are duplicates, the rest are stored now, once.
      await Promise.all(
        Array.from({ length: 500 }, async (_, i) => {
          const res = await fetch(second.url + '/webhooks/test/inbound', {
            method: 'POST',
            body: JSON.stringify({ id: `evt-${i}`, from: `visitor-${i % 40}`, text: `message ${i}` }),
          });
          assert.equal(res.status, 200);
          await res.arrayBuffer();
        }),
      );
      const after = await allMessages(second.url);
      assert.equal(after.size, 500);
      for (const [id, n] of after) assert.equal(n, 1, `${id} stored ${n} times after retries`);
    } finally {
      await kill(second, 'SIGTERM');
      await dir.remove();
    }
  });

  it('a second process on the same DATA_DIR refuses to start with a clear message', async () => {
    const dir = await tempDir();
    const first = await spawnServer({ DATA_DIR: dir.path });
    try {
      await assert.rejects(spawnServer({ DATA_DIR: dir.path }), (error: Error & { stderr?: string }) => {
        assert.match(error.stderr ?? '', /already in use by another Freeda process/);
        return true;
      });
      const health = await fetch(first.url + '/readyz');
      assert.equal(health.status, 200, 'the first keeps serving');
    } finally {
      await kill(first, 'SIGTERM');
      await dir.remove();
    }
  });

  it('SIGTERM drains: the process exits cleanly and the data is all there on the next start', async () => {
    const dir = await tempDir();
    const env = { DATA_DIR: dir.path, ENABLE_CHATBOT: 'false', ENABLE_AUTO_ANALYTICS: 'false' };
    const first = await spawnServer(env);
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        fetch(first.url + '/webhooks/test/inbound', { method: 'POST', body: JSON.stringify({ id: `t-${i}`, from: 'v', text: 'x' }) }).then(
          (r) => r.arrayBuffer(),
        ),
      ),
    );
    await kill(first, 'SIGTERM');
    assert.equal(first.proc.exitCode, 0);
    const second = await spawnServer(env);
    try {
      assert.equal((await allMessages(second.url)).size, 50);
    } finally {
      await kill(second, 'SIGTERM');
      await dir.remove();
    }
  });
});
