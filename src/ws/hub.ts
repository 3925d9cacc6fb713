// WebSocket /ws: agents (token) get live events with a sequence number and can resume;
// anyone without a token is handed to the channel adapter that serves visitors (web chat).
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';
import type { BusEvent } from '../domain/bus.js';
import type { ChannelAdapter, ChannelContext, LoggerLike } from '../domain/channel.js';
import { bearerToken, tokenMatches } from '../auth/tokens.js';
import type { EventBus } from '../pipeline/bus.js';

export interface HubOptions {
  bus: EventBus;
  logger: LoggerLike;
  apiTokens: readonly string[];
  /**
   * Checks any other bearer credential (JWT access token, personal token): truthy when valid now. Agent sockets opened
   * with one are re-checked every `recheckMs` and closed (4401) once it is revoked, expired, or the agent disabled.
   */
  authenticate?: (token: string) => Promise<unknown>;
  recheckMs?: number;
  visitorAdapter: ChannelAdapter | null;
  context: ChannelContext;
  /** Events kept for resume. */
  replayCapacity?: number;
  /** A client whose unsent buffer exceeds this is dropped (slow consumer). */
  maxBufferedBytes?: number;
  maxFrameBytes?: number;
  heartbeatMs?: number;
  /** The client's address (TRUST_PROXY applied, as express does): what visitor limits count by. Default: the socket's peer. */
  clientIp?: (req: IncomingMessage) => string;
}

export type SequencedEvent = BusEvent & { seq: number };

export interface Hub {
  attach(server: Server): void;
  /** Recent events of a shared bus, before any agent connects: agents resume here with events published elsewhere. */
  preload(events: SequencedEvent[]): void;
  readonly agentCount: number;
  /** Web-chat visitors connected (every socket that is not an agent's). */
  readonly visitorCount: number;
  readonly seq: number;
  close(): Promise<void>;
}

const agentFrame = z.discriminatedUnion('type', [
  z.object({ type: z.literal('resume'), after_seq: z.number().int().min(0) }),
  z.object({ type: z.literal('ping') }),
]);

export const CLOSE_SLOW_CONSUMER = 4008;

export function createHub(options: HubOptions): Hub {
  const { bus, logger } = options;
  const capacity = options.replayCapacity ?? 10_000;
  const maxBuffered = options.maxBufferedBytes ?? 4 * 1024 * 1024;
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxFrameBytes ?? 64 * 1024 });
  const agents = new Set<WebSocket>();
  // Ring buffer of events: seq n lives at (n % capacity). Seqs are contiguous from 1. Frames are encoded on first
  // use (live fan-out or resume), so an instance with no agent connected never serialises events.
  const replay = new Array<SequencedEvent & { encoded?: Buffer }>(capacity);
  const encode = (entry: SequencedEvent & { encoded?: Buffer }): Buffer =>
    (entry.encoded ??= Buffer.from(JSON.stringify({ type: entry.type, seq: entry.seq, data: entry.data })));
  const alive = new WeakMap<WebSocket, boolean>();
  let seq = 0;
  /** Frames published in the current tick, sent together so each socket gets one write. */
  let outbox: Buffer[] = [];

  function dropSlow(ws: WebSocket): boolean {
    if (ws.bufferedAmount <= maxBuffered) return false;
    logger.warn({ buffered: ws.bufferedAmount }, 'dropping a slow WebSocket client');
    agents.delete(ws);
    ws.close(CLOSE_SLOW_CONSUMER, 'slow consumer: reconnect and resume');
    setTimeout(() => ws.terminate(), 1000).unref();
    return true;
  }

  /** Several frames in one syscall: ws corks per frame, our outer cork holds them until all are queued. */
  function sendFrames(ws: WebSocket, frames: (Buffer | string)[]): void {
    if (ws.readyState !== ws.OPEN || dropSlow(ws)) return;
    const socket = (ws as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
    socket?.cork();
    for (const frame of frames) ws.send(frame, { binary: false });
    socket?.uncork();
  }

  function sendRaw(ws: WebSocket, frame: string): void {
    sendFrames(ws, [frame]);
  }

  function flushOutbox(): void {
    const frames = outbox;
    outbox = [];
    for (const ws of agents) sendFrames(ws, frames);
  }

  /** The first seq held here: older ones were never seen by this instance (it started later, or after a restart). */
  let firstSeq = 1;

  /** A shared bus numbers events itself (the same seq on every instance); in memory the hub does. */
  const unsubscribe = bus.subscribe((event, busSeq) => {
    if (seq === 0 && busSeq !== undefined) firstSeq = busSeq;
    seq = busSeq ?? seq + 1;
    const entry = { ...event, seq };
    replay[seq % capacity] = entry;
    if (agents.size === 0) return;
    if (outbox.length === 0) queueMicrotask(flushOutbox);
    outbox.push(encode(entry));
  });

  function resume(ws: WebSocket, afterSeq: number): void {
    const oldest = Math.max(firstSeq, seq - capacity + 1);
    if (afterSeq > seq) {
      sendRaw(
        ws,
        JSON.stringify({
          type: 'error',
          code: 'invalid_seq',
          message: `after_seq ${afterSeq} is ahead of the server (${seq}); the server restarted: reload the ticket list.`,
          seq,
        }),
      );
      return;
    }
    if (afterSeq < oldest - 1) {
      // Too old for the replay buffer: the client must reload state through the REST API.
      sendRaw(
        ws,
        JSON.stringify({
          type: 'resync_required',
          seq,
          data: { oldest_seq: oldest, reason: 'events since after_seq are no longer buffered; reload GET /tickets' },
        }),
      );
      return;
    }
    const missed: (Buffer | string)[] = [];
    for (let n = afterSeq + 1; n <= seq; n++) {
      // A shared bus may skip numbers (e.g. after Redis lost its data): no event has them.
      const entry = replay[n % capacity];
      if (entry?.seq === n) missed.push(encode(entry));
    }
    missed.push(JSON.stringify({ type: 'resumed', seq, data: { after_seq: afterSeq } }));
    sendFrames(ws, missed);
  }

  /** Agent sockets opened with a revocable credential, and that credential. */
  const revocable = new Map<WebSocket, string>();
  const recheck = setInterval(() => {
    for (const [ws, token] of revocable)
      options.authenticate!(token).then(
        (ok) => {
          if (!ok && revocable.delete(ws)) ws.close(4401, 'token revoked or expired, or agent disabled');
        },
        (error: Error) => options.logger.warn({ err: error.message }, 'agent WebSocket credential re-check failed'),
      );
  }, options.recheckMs ?? 5_000);
  recheck.unref();

  function onAgent(ws: WebSocket, token: string | null = null): void {
    if (token) {
      revocable.set(ws, token);
      ws.on('close', () => revocable.delete(ws));
    }
    agents.add(ws);
    alive.set(ws, true);
    ws.on('pong', () => alive.set(ws, true));
    sendRaw(ws, JSON.stringify({ type: 'hello', seq, data: { role: 'agent' } }));
    // binaryType stays the default 'nodebuffer': each message arrives as one Buffer.
    ws.on('message', (data: Buffer, isBinary) => {
      let parsed: z.infer<typeof agentFrame>;
      try {
        if (isBinary) throw new Error('binary');
        parsed = agentFrame.parse(JSON.parse(data.toString('utf8')));
      } catch {
        sendRaw(
          ws,
          JSON.stringify({ type: 'error', code: 'invalid_frame', message: 'Expected {"type":"resume","after_seq":n} or {"type":"ping"}.' }),
        );
        return;
      }
      if (parsed.type === 'resume') resume(ws, parsed.after_seq);
      else sendRaw(ws, JSON.stringify({ type: 'pong', seq }));
    });
    ws.on('close', () => agents.delete(ws));
    ws.on('error', () => agents.delete(ws));
  }

  function onVisitor(ws: WebSocket, req: IncomingMessage, query: Record<string, string>): void {
    const adapter = options.visitorAdapter!;
    alive.set(ws, true);
    ws.on('pong', () => alive.set(ws, true));
    const session = adapter.onVisitorConnection!(
      {
        send: (frame) => sendRaw(ws, JSON.stringify(frame)),
        close: (code, reason) => ws.close(code, reason),
        remoteAddress: options.clientIp?.(req) ?? req.socket.remoteAddress ?? 'unknown',
      },
      options.context,
      query,
    );
    ws.on('message', (data: Buffer, isBinary) => {
      const text = isBinary ? '' : data.toString('utf8');
      session.onFrame(text, isBinary).catch((error: Error) => {
        logger.error({ err: error.message }, 'visitor frame handling failed');
        sendRaw(
          ws,
          JSON.stringify({ type: 'error', code: 'internal_error', message: 'Your message could not be processed; please retry.' }),
        );
      });
    });
    ws.on('close', () => session.onClose());
    ws.on('error', () => undefined);
  }

  function reject(socket: Duplex, status: number, code: string, message: string): void {
    const body = JSON.stringify({ error: { code, message } });
    socket.end(
      `HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : status === 404 ? 'Not Found' : 'Bad Request'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }

  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (alive.get(ws) === false) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, options.heartbeatMs ?? 30_000);
  heartbeat.unref();

  return {
    attach(server) {
      server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
        socket.on('error', () => undefined);
        const url = new URL(req.url ?? '/', 'http://localhost');
        if (url.pathname !== '/ws') return reject(socket, 404, 'route_not_found', 'WebSocket endpoint is /ws.');
        const query = Object.fromEntries(url.searchParams);
        const presented = query.token ?? bearerToken(req.headers.authorization);
        if (presented) {
          if (tokenMatches(presented, options.apiTokens)) return void wss.handleUpgrade(req, socket, head, (ws) => onAgent(ws));
          const check = options.authenticate?.(presented) ?? Promise.resolve(null);
          check.then(
            (ok) => {
              if (!ok) return reject(socket, 401, 'unauthorized', 'Invalid, expired or revoked token.');
              wss.handleUpgrade(req, socket, head, (ws) => onAgent(ws, presented));
            },
            () => reject(socket, 503, 'auth_unavailable', 'Could not check the token; retry.'),
          );
          return;
        }
        if (!options.visitorAdapter?.onVisitorConnection)
          return reject(socket, 401, 'unauthorized', 'Agents must authenticate with ?token= or Authorization: Bearer.');
        wss.handleUpgrade(req, socket, head, (ws) => onVisitor(ws, req, query));
      });
    },
    preload(events) {
      if (!events.length || seq > 0) return;
      for (const event of events) replay[event.seq % capacity] = event;
      firstSeq = events[0].seq;
      seq = events[events.length - 1].seq;
    },
    get agentCount() {
      return agents.size;
    },
    get visitorCount() {
      return Math.max(0, wss.clients.size - agents.size);
    },
    get seq() {
      return seq;
    },
    async close() {
      clearInterval(heartbeat);
      clearInterval(recheck);
      unsubscribe();
      for (const ws of wss.clients) ws.close(1001, 'server shutting down');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      for (const ws of wss.clients) ws.terminate();
    },
  };
}
