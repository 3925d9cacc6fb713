// Acknowledge only what is durable, on DynamoDB: a real server process on the shared table is SIGKILLed mid-stream;
// a new process on the same table has every acknowledged event exactly once, and the provider's retries of
// everything (including writes the dead process left half-done) end with each event stored once.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { kill, spawnServer } from '../helpers/child.js';
import { startDynalite, type DynaliteHandle } from '../helpers/dynalite.js';
import { tempDir } from '../helpers/tmp.js';
import { storedExternalIdCounts as allMessages } from '../helpers/counts.js';

const EVENTS = 200;

describe('dynamodb durability', () => {
  let dyn: DynaliteHandle;
  before(async () => {
    dyn = await startDynalite({ table: 'freeda-kill' });
  });
  after(async () => {
    await dyn.stop();
  });

  it('every event acknowledged before a SIGKILL is stored exactly once; retries finish the rest once', async () => {
    const dir = await tempDir();
    const env = {
      DATA_DIR: dir.path,
      STORAGE_TYPE: 'dynamodb',
      DYNAMODB_TABLE: 'freeda-kill',
      DYNAMODB_ENDPOINT: dyn.endpoint,
      AWS_REGION: dyn.region,
      ENABLE_CHATBOT: 'false',
      ENABLE_AUTO_ANALYTICS: 'false',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    const first = await spawnServer(env);
    const acked = new Set<string>();
    // Set inside the workers: declared wide so TypeScript does not narrow it to `null` for the code after them.
    let killing = null as Promise<void> | null;
    let nextIndex = 0;
    const send = (url: string, i: number) =>
      fetch(url + '/webhooks/test/inbound', {
        method: 'POST',
        body: JSON.stringify({ id: `evt-${i}`, from: `visitor-${i % 30}`, text: `message ${i}` }),
      });
    const worker = async () => {
      while (nextIndex < EVENTS) {
        const i = nextIndex++;
        try {
          const res = await send(first.url, i);
          await res.arrayBuffer();
          if (res.status === 200) acked.add(`evt-${i}`);
        } catch {
          // refused or reset by the kill: not acknowledged
        }
        if (!killing && acked.size >= 60) killing = kill(first);
      }
    };
    await Promise.all(Array.from({ length: 20 }, worker));
    if (killing) await killing;
    else await kill(first);
    assert.ok(acked.size >= 60, `at least 60 acknowledged before the kill (got ${acked.size})`);
    assert.ok(acked.size < EVENTS, 'the kill happened mid-stream');

    const second = await spawnServer(env);
    try {
      const counts = await allMessages(second.url);
      for (const id of acked) assert.equal(counts.get(id), 1, `${id} acknowledged, must be stored once`);
      for (const [id, n] of counts) assert.equal(n, 1, `${id} stored ${n} times`);
      // The provider retries everything. Writes the dead process left half-done are taken over once its lease runs out.
      await Promise.all(
        Array.from({ length: EVENTS }, async (_, i) => {
          const res = await send(second.url, i);
          assert.equal(res.status, 200);
          await res.arrayBuffer();
        }),
      );
      const final = await allMessages(second.url);
      assert.equal(final.size, EVENTS);
      for (const [id, n] of final) assert.equal(n, 1, `${id} stored ${n} times after retries`);
    } finally {
      await kill(second, 'SIGTERM');
      await dir.remove();
    }
  });
});
