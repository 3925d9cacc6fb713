// The shared event bus on a real Redis: every instance gets every event once, in one global order with the same seq;
// visitor frames reach the other instances; a bus started later gets the recent history; Redis down → queued, then
// published in order when it returns (own redis-server, killed and restarted empty).
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import type { BusEvent, VisitorFrame } from '../../src/domain/bus.js';
import type { EventBus } from '../../src/pipeline/bus.js';
import { createRedisBus } from '../../src/pipeline/redis-bus.js';
import { eventually } from '../helpers/app.js';
import { capturingLogger, type CapturingLogger } from '../helpers/logger.js';
import { dropPrefix, ownRedis, sharedRedis, testPrefix } from '../helpers/redis.js';

type Received = { event: BusEvent; seq: number | undefined };

function busOn(t: TestContext, url: string, prefix: string, logger: CapturingLogger = capturingLogger()) {
  const bus = createRedisBus({ url, prefix, logger, onListenerError: (e) => assert.fail(e as Error) });
  const received: Received[] = [];
  const frames: VisitorFrame[] = [];
  bus.subscribe((event, seq) => received.push({ event, seq }));
  bus.visitors.subscribe((frame) => frames.push(frame));
  t.after(async () => {
    await bus.close();
    await dropPrefix(url, prefix);
  });
  return { bus, received, frames, logger };
}

const event = (ticket: string, n: number): BusEvent =>
  ({ type: 'ticket.updated', data: { ticket_id: ticket, subject: String(n) } }) as unknown as BusEvent;
const label = (r: Received) => `${(r.event.data as { ticket_id: string }).ticket_id}:${(r.event.data as { subject: string }).subject}`;

async function started(...buses: EventBus[]) {
  for (const bus of buses) await bus.start();
}

describe('redis event bus', () => {
  it('delivers every event once to every instance, in one order with the same seq', async (t) => {
    const url = await sharedRedis(t);
    if (!url) return;
    const prefix = testPrefix();
    const a = busOn(t, url, prefix);
    const b = busOn(t, url, prefix);
    await started(a.bus, b.bus);
    for (let n = 0; n < 100; n++) (n % 2 ? a : b).bus.publish(event(`T${n % 3}`, n));
    await eventually(() => (a.received.length >= 100 && b.received.length >= 100 ? true : undefined));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(a.received.length, 100, 'each event once');
    assert.deepEqual(a.received.map(label), b.received.map(label), 'the same order everywhere');
    assert.deepEqual(
      a.received.map((r) => r.seq),
      b.received.map((r) => r.seq),
    );
    const seqs = a.received.map((r) => r.seq!);
    assert.deepEqual(
      seqs,
      Array.from({ length: 100 }, (_, i) => seqs[0] + i),
      'contiguous global sequence',
    );
    // What one instance published keeps its order (per ticket too).
    for (const ticket of ['T0', 'T1', 'T2']) {
      const numbers = a.received.filter((r) => label(r).startsWith(ticket + ':')).map((r) => Number(label(r).split(':')[1]));
      const fromA = numbers.filter((n) => n % 2 === 1);
      assert.deepEqual(
        fromA,
        [...fromA].sort((x, y) => x - y),
      );
    }
    // A bus started now gets the recent events (the hub's replay buffer) with their seq.
    const late = createRedisBus({ url, prefix, logger: capturingLogger(), onListenerError: () => undefined });
    t.after(() => late.close());
    const history = await late.start();
    assert.deepEqual(
      history.map((e) => e.seq),
      seqs,
    );
  });

  it('visitor frames reach the other instances, not the publisher', async (t) => {
    const url = await sharedRedis(t);
    if (!url) return;
    const prefix = testPrefix();
    const a = busOn(t, url, prefix);
    const b = busOn(t, url, prefix);
    const other = busOn(t, url, testPrefix());
    await started(a.bus, b.bus, other.bus);
    a.bus.visitors.publish({ channel: 'chat', visitor: 'v_1', frame: { type: 'message', data: { text: 'bonjour' } } });
    await eventually(() => (b.frames.length ? true : undefined));
    assert.deepEqual(b.frames, [{ channel: 'chat', visitor: 'v_1', frame: { type: 'message', data: { text: 'bonjour' } } }]);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(a.frames.length, 0, 'the publisher pushed it to its own sockets already');
    assert.equal(other.frames.length, 0, 'another prefix is another deployment');
  });

  it('Redis down: events are queued (degraded, logged once) and published in order when it returns', async (t) => {
    const redis = await ownRedis(t);
    if (!redis) return;
    t.after(() => redis.stop());
    const prefix = testPrefix();
    const a = busOn(t, redis.url, prefix);
    const b = busOn(t, redis.url, prefix);
    await started(a.bus, b.bus);
    for (let n = 0; n < 5; n++) a.bus.publish(event('T', n));
    await eventually(() => (b.received.length === 5 ? true : undefined));
    const seqBefore = b.received[4].seq!;

    await redis.kill();
    await eventually(() => (a.bus.health().state === 'degraded' ? true : undefined));
    for (let n = 5; n < 25; n++) a.bus.publish(event('T', n));
    assert.deepEqual(a.bus.health(), {
      kind: 'redis',
      state: 'degraded',
      queued: 20,
      detail: 'Redis unreachable: events are queued here and published when it returns',
    });
    const downLines = a.logger.lines.filter((l) => l.level === 'error' && l.msg?.startsWith('event bus: Redis unreachable'));
    assert.equal(downLines.length, 1, 'one clear log line');

    await redis.restart(); // empty: the sequence must still go on from where it was
    await eventually(() => (b.received.length === 25 ? true : undefined), 400);
    assert.deepEqual(
      b.received.map((r) => Number(label(r).split(':')[1])),
      Array.from({ length: 25 }, (_, i) => i),
    );
    assert.ok(
      b.received.slice(5).every((r, i) => r.seq === seqBefore + 1 + i),
      'seq continues after Redis lost its data',
    );
    assert.equal(a.bus.health().state, 'ok');
    assert.ok(a.logger.lines.some((l) => l.msg?.startsWith('event bus: Redis reachable again')));
  });
});
