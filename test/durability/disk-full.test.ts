// A genuinely small file system (tmpfs; the quota layer where mounting is refused) under the real server process:
// signed Twilio webhooks until the disk is full. Every 2xx is stored once after a restart, the refused ones got
// 503 + Retry-After (never 500), the health endpoints tell the truth, and once space is freed the same process
// accepts webhooks again, no restart.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startFakeTwilio } from '../fakes/twilio.js';
import { eventually } from '../helpers/app.js';
import { kill } from '../helpers/child.js';
import { storedExternalIdCounts } from '../helpers/counts.js';
import { type FreedaProcess, startFreeda } from './freeda-process.js';
import { smallDisk } from './small-disk.js';
import { newMessageSid, sendSms, twilioEnv } from './twilio-sms.js';

const DISK_BYTES = 1 << 20;

describe('disk full', () => {
  it('acks only what is durable, refuses with 503 while full, resumes without restart once space is freed', async (t) => {
    const disk = await smallDisk(DISK_BYTES);
    t.diagnostic(`file system: ${disk.description}`);
    const twilio = await startFakeTwilio();
    const env = {
      ...twilioEnv(twilio.url),
      ...disk.serverEnv,
      DATA_DIR: disk.dataDir,
      JOURNAL_COMPACT_BYTES: String(64 * 1024),
      OUTBOUND_RETRY_BASE_MS: '50',
    };
    const servers: FreedaProcess[] = [];
    try {
      const server = await startFreeda(env, disk.serverEntry);
      servers.push(server);
      await disk.fill(256 * 1024);

      const acked = new Set<string>();
      const refused = new Set<string>();
      const statuses = new Map<number, number>();
      const answer = async (sid: string, from: string, body: string) => {
        const res = await sendSms(server, { sid, from, body });
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status === 200) {
          acked.add(sid);
          refused.delete(sid);
        } else if (res.status === 503) {
          refused.add(sid);
          assert.ok(Number(res.retryAfter) >= 1, `Retry-After on a 503 (got ${res.retryAfter})`);
          assert.equal((JSON.parse(res.body) as { error: { code: string } }).error.code, 'storage_full');
        }
        return res.status;
      };

      // Ten customers text until forty messages were refused.
      let sent = 0;
      await Promise.all(
        Array.from({ length: 10 }, async (_, sender) => {
          while (refused.size < 40 && sent < 3000) {
            sent++;
            await answer(newMessageSid(), `+336000000${10 + sender}`, `Bonjour, ma facture n°${sent} est trop élevée.`);
          }
        }),
      );
      assert.deepEqual([...statuses.keys()].sort(), [200, 503], `only 200 and 503 (got ${JSON.stringify([...statuses])})`);
      assert.ok(acked.size > 20, `messages were acked before the disk filled (${acked.size})`);
      t.diagnostic(`${sent} webhooks while filling: ${acked.size} acked, ${refused.size} refused with 503`);

      // A failed snapshot frees its .tmp, so the store may resume by itself for a while: look right after a refusal.
      const read = async (path: string) => {
        const res = await fetch(server.url + path);
        return { status: res.status, body: (await res.json()) as Record<string, unknown> };
      };
      const healthNow = () => Promise.all([read('/readyz'), read('/healthz')]);
      let [ready, health] = await healthNow();
      for (let tries = 0; (ready.status !== 503 || health.body.status !== 'degraded') && tries < 500; tries++) {
        if ((await answer(newMessageSid(), '+33600000097', 'encore')) === 503) [ready, health] = await healthNow();
      }
      assert.equal(ready.status, 503);
      const refusal = ready.body.error as { code: string; message: string; details: { storage: { code: string } } };
      assert.equal(refusal.code, 'not_ready');
      assert.equal(refusal.details.storage.code, 'storage_full');
      assert.match(refusal.message, /free space on the volume of DATA_DIR/);
      assert.equal(health.status, 200, 'alive: it recovers on its own');
      assert.equal(health.body.status, 'degraded');
      assert.equal((health.body.storage as { code: string }).code, 'storage_full');
      assert.match(server.logs(), /json store cannot write \(ENOSPC.*free space on the volume of DATA_DIR/);

      await disk.free();
      await eventually(async () => (await fetch(server.url + '/readyz')).status === 200, 400, 50);
      assert.equal(((await (await fetch(server.url + '/healthz')).json()) as { status: string }).status, 'ok');
      assert.match(server.logs(), /json store recovered: writes work again/);
      // The provider retries what was refused (stored now, or a duplicate of a batch the recovery wrote), and new
      // messages are accepted by the same process.
      for (const sid of [...refused]) assert.equal(await answer(sid, '+33600000099', 'retry'), 200);
      for (let i = 0; i < 20; i++) assert.equal(await answer(newMessageSid(), '+33600000098', `after ${i}`), 200);
      assert.equal(refused.size, 0);

      await kill(server);
      const restarted = await startFreeda(env, disk.serverEntry);
      servers.push(restarted);
      const counts = await storedExternalIdCounts(restarted.url);
      const inbound = [...counts].filter(([id]) => id.startsWith('SM'));
      for (const sid of acked) assert.equal(counts.get(sid), 1, `${sid} was acked: stored exactly once`);
      assert.equal(inbound.length, acked.size, 'nothing stored that was not acked in the end');
    } finally {
      for (const server of servers) await kill(server);
      await twilio.close();
      await disk.remove();
    }
  });
});
