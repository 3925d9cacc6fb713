// Redis stopped and restarted (empty) during traffic, with two real server processes on one table: every webhook is
// still acked and stored, /readyz says the bus is degraded, and the agents' live delivery catches up when it returns.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newMessageSid, sendSms } from '../durability/twilio-sms.js';
import { eventually } from '../helpers/app.js';
import { storedMessages } from '../helpers/counts.js';
import { ownRedis, testPrefix } from '../helpers/redis.js';
import { agentSocket, startCluster } from './cluster.js';

const phone = (n: number) => `+336${String(30_000_000 + n)}`;

describe('Redis outage with two instances', () => {
  it('0 acked messages lost, /readyz degraded, live delivery resumes with what was missed', async (t) => {
    const redis = await ownRedis(t);
    if (!redis) return;
    t.after(() => redis.stop());
    const cluster = await startCluster(redis.url, testPrefix(), { ENABLE_CHATBOT: 'false', ENABLE_AUTO_ANALYTICS: 'false' });
    t.after(() => cluster.close());
    const [a, b] = await cluster.start(2);
    const agent = await agentSocket(b);
    t.after(() => agent.close());
    const live = () =>
      agent
        .pending()
        .filter((f) => f.type === 'message.created')
        .map((f) => String(f.data?.text));

    for (let i = 0; i < 5; i++)
      assert.equal((await sendSms(i % 2 ? a : b, { sid: newMessageSid(), from: phone(i), body: `avant ${i}` })).status, 200);
    await eventually(() => (live().length === 5 ? true : undefined), 400);

    await redis.kill();
    const during = await Promise.all(
      Array.from({ length: 20 }, (_, i) => sendSms(i % 2 ? a : b, { sid: newMessageSid(), from: phone(i % 7), body: `pendant ${i}` })),
    );
    assert.deepEqual(new Set(during.map((r) => r.status)), new Set([200]), 'acked without Redis');
    const ready = (await (await fetch(`${a.url}/readyz`)).json()) as { status: string; event_bus: { state: string; queued: number } };
    assert.equal(ready.status, 'ready');
    assert.equal(ready.event_bus.state, 'degraded');
    assert.ok(ready.event_bus.queued > 0);
    assert.match(a.logs(), /event bus: Redis unreachable/);
    assert.equal(live().length, 5, 'live delivery paused');

    await redis.restart();
    await eventually(() => (live().length === 25 ? true : undefined), 800);
    const texts = live();
    for (let i = 0; i < 20; i++) assert.ok(texts.includes(`pendant ${i}`), `pendant ${i} delivered after the outage`);
    assert.equal(new Set(texts).size, 25, 'each once');
    const stored = (await storedMessages(a.url)).filter((m) => m.author === 'customer');
    assert.equal(stored.length, 25, 'every acked message stored');
    const readyAfter = (await (await fetch(`${b.url}/readyz`)).json()) as { event_bus: { state: string; queued: number } };
    assert.deepEqual(readyAfter.event_bus, { kind: 'redis', state: 'ok', queued: 0 });
  });
});
