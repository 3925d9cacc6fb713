// The shared event bus (EVENT_BUS=redis): every instance delivers every event to its own agents and visitors.
//
// Events go to one Redis stream. A Lua script numbers them with INCR and adds them with the stream id `0-<seq>`,
// atomically, so the stream order is the global order and `seq` is the same number on every instance (agents resume
// on any instance). Each instance reads the stream with XREAD from where it is, so it sees every event once, in order.
// Visitor frames (web-chat replies for a socket open on another instance) go over pub/sub: at most once is enough,
// the visitor gets the history when reconnecting.
//
// Redis down: publish() queues the events in memory (bounded) and logs once; webhooks are still stored and acked
// (the store is the source of truth). When Redis is back the queue is published in order and every reader catches up.
import { randomBytes } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import type { BusEvent, VisitorFrame } from '../domain/bus.js';
import type { LoggerLike } from '../domain/channel.js';
import { fanOut, type BusHealth, type EventBus, type SequencedBusEvent } from './bus.js';

export interface RedisBusOptions {
  url: string;
  /** Prefix of the keys and the channel (tests and deployments sharing one Redis). */
  prefix: string;
  logger: LoggerLike;
  onListenerError: (error: unknown) => void;
  /** Stream entries kept (MAXLEN ~): what an agent can resume from. */
  streamMaxLen?: number;
  /** Events handed to the hub at start (its replay buffer). */
  historySize?: number;
  /** Events kept in memory while Redis is unreachable; past it the oldest are dropped (agents then resync). */
  maxQueued?: number;
}

// KEYS: counter, stream. ARGV: maxlen, events… Returns the last seq.
const PUBLISH_LUA = `
local n = 0
for i = 2, #ARGV do
  n = redis.call('INCR', KEYS[1])
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[1], '0-' .. n, 'e', ARGV[i])
end
return n`;

// KEYS: counter. ARGV: seq. After Redis lost its data (restart without persistence) the sequence must not go back.
const RAISE_LUA = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if current < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1]) end
return 0`;

type Commands = Redis & {
  freedaPublish(counter: string, stream: string, maxLen: number, ...events: string[]): Promise<number>;
  freedaRaise(counter: string, seq: number): Promise<number>;
};

const seqOfId = (id: string) => Number(id.slice(id.indexOf('-') + 1));

function parseEntry(id: string, fields: string[]): SequencedBusEvent | null {
  try {
    return { ...(JSON.parse(fields[1]) as BusEvent), seq: seqOfId(id) };
  } catch {
    return null;
  }
}

export function createRedisBus(options: RedisBusOptions): EventBus {
  const { logger, prefix, onListenerError } = options;
  const keys = { counter: `${prefix}bus:seq`, stream: `${prefix}bus:events`, visitors: `${prefix}bus:visitors` };
  const maxLen = options.streamMaxLen ?? 10_000;
  const maxQueued = options.maxQueued ?? 100_000;
  const origin = randomBytes(8).toString('hex');
  const base: RedisOptions = { lazyConnect: true, retryStrategy: (times) => Math.min(100 * times, 1000) };
  // Commands fail fast while disconnected (we keep our own queue); the reader and subscriber wait and resume.
  const pub = new Redis(options.url, { ...base, enableOfflineQueue: false, maxRetriesPerRequest: 1 }) as Commands;
  const reader = new Redis(options.url, { ...base, maxRetriesPerRequest: null });
  const sub = new Redis(options.url, { ...base, maxRetriesPerRequest: null });
  pub.defineCommand('freedaPublish', { numberOfKeys: 2, lua: PUBLISH_LUA });
  pub.defineCommand('freedaRaise', { numberOfKeys: 1, lua: RAISE_LUA });
  for (const connection of [pub, reader, sub]) connection.on('error', () => undefined); // state is logged once below

  const listeners = new Set<(event: BusEvent, seq?: number) => void>();
  const visitorListeners = new Set<(frame: VisitorFrame) => void>();
  let queue: string[] = [];
  let dropped = 0;
  /** Stream id read up to; null until the first connection says where the stream ends. */
  let lastId: string | null = null;
  let lastSeq = 0;
  let up = false;
  let downSince: number | null = null;
  let flushing = false;
  let closed = false;

  function markDown(error: Error): void {
    up = false;
    if (downSince !== null || closed) return;
    downSince = Date.now();
    logger.error(
      { err: error.message, redis: redactUrl(options.url), queued: queue.length },
      'event bus: Redis unreachable; webhooks are still stored and acked, live delivery to agents and visitors is paused until it returns',
    );
  }

  async function onReady(): Promise<void> {
    try {
      if (lastId === null) {
        const newest = await pub.xrevrange(keys.stream, '+', '-', 'COUNT', 1);
        lastId = newest[0]?.[0] ?? '0-0';
        lastSeq = seqOfId(lastId);
      }
      await pub.freedaRaise(keys.counter, lastSeq);
      up = true;
      if (downSince !== null) {
        logger.info(
          { down_ms: Date.now() - downSince, queued: queue.length, dropped },
          'event bus: Redis reachable again; queued events published, live delivery resumes',
        );
        downSince = null;
      }
      await flush();
    } catch (error) {
      markDown(error as Error);
    }
  }
  pub.on('ready', () => void onReady());
  pub.on('close', () => markDown(new Error('connection closed')));

  /** Publishes the queue in order, in batches; a failed batch stays queued (retried when Redis is back). */
  async function flush(): Promise<void> {
    if (flushing) return;
    flushing = true;
    try {
      while (queue.length && up && !closed) {
        const batch = queue.slice(0, 200);
        await pub.freedaPublish(keys.counter, keys.stream, maxLen, ...batch);
        queue = queue.slice(batch.length);
      }
    } catch (error) {
      markDown(error as Error);
    } finally {
      flushing = false;
    }
  }

  function deliver(entries: [string, string[]][]): void {
    for (const [id, fields] of entries) {
      lastId = id;
      const event = parseEntry(id, fields);
      if (!event) continue;
      lastSeq = event.seq;
      const { seq, ...plain } = event;
      fanOut(listeners, [plain, seq], onListenerError);
    }
  }

  async function readLoop(): Promise<void> {
    while (!closed) {
      if (lastId === null) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
      try {
        const result = await reader.xread('COUNT', 1000, 'BLOCK', 2000, 'STREAMS', keys.stream, lastId);
        if (result) for (const [, entries] of result) deliver(entries);
      } catch (error) {
        if (closed) return;
        markDown(error as Error);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  sub.on('message', (channel: string, raw: string) => {
    if (channel !== keys.visitors) return;
    let message: VisitorFrame & { origin?: string };
    try {
      message = JSON.parse(raw) as VisitorFrame & { origin?: string };
    } catch {
      return;
    }
    if (message.origin === origin) return;
    fanOut(visitorListeners, [{ channel: message.channel, visitor: message.visitor, frame: message.frame }], onListenerError);
  });

  return {
    kind: 'redis',
    publish(event) {
      if (queue.length >= maxQueued) {
        queue.shift();
        dropped++;
      }
      queue.push(JSON.stringify(event));
      if (up) void flush();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    visitors: {
      publish(frame) {
        if (!up) return; // the visitor gets it in the history when reconnecting
        pub.publish(keys.visitors, JSON.stringify({ ...frame, origin })).catch((error: Error) => markDown(error));
      },
      subscribe(listener) {
        visitorListeners.add(listener);
        return () => visitorListeners.delete(listener);
      },
    },
    async start() {
      let history: SequencedBusEvent[] = [];
      try {
        await Promise.all([pub.connect(), reader.connect(), sub.connect()]);
        await sub.subscribe(keys.visitors);
        const recent = await pub.xrevrange(keys.stream, '+', '-', 'COUNT', options.historySize ?? 10_000);
        history = recent
          .reverse()
          .map(([id, fields]) => parseEntry(id, fields))
          .filter((e): e is SequencedBusEvent => e !== null);
        // Read from the newest entry seen here; onReady may have set it already (the same or an older one).
        const newest = recent.at(-1)?.[0];
        if (newest && (lastId === null || seqOfId(newest) > seqOfId(lastId))) {
          lastId = newest;
          lastSeq = seqOfId(newest);
        }
      } catch (error) {
        // Not fatal: the instance serves webhooks from the store; the connections keep retrying.
        markDown(error as Error);
        if (sub.status !== 'ready') sub.once('ready', () => void sub.subscribe(keys.visitors).catch(() => undefined));
      }
      void readLoop();
      return history;
    },
    health(): BusHealth {
      return {
        kind: 'redis',
        state: up ? 'ok' : 'degraded',
        queued: queue.length,
        ...(up ? {} : { detail: 'Redis unreachable: events are queued here and published when it returns' }),
        ...(dropped ? { dropped } : {}),
      };
    },
    async close() {
      if (up && queue.length) await flush();
      closed = true;
      for (const connection of [pub, reader, sub]) connection.disconnect();
    },
  };
}

function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
