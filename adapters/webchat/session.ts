// One visitor connection: hello (identity + history), messages (ingest, ack, dedup), rate limit, error frames.
import type { ChannelContext, VisitorSession, VisitorSocket } from '../../src/domain/channel.js';
import { STATUS_OPEN } from '../../src/domain/types.js';
import { normalizeVisitorMessage, visitorMessage, visitorTicket } from './normalize.js';
import { parseVisitorFrame } from './parse.js';
import { admitConnection, admitNewTicket, limitKey, releaseConnection, type VisitorLimiters } from './limits.js';
import { createTokenBucket } from './rate.js';
import type { VisitorSockets } from './sockets.js';
import { CHAT_CHANNEL, type VisitorErrorCode, type VisitorFrame, type WebchatSettings } from './types.js';
import { signVisitorToken, verifyVisitorToken } from './verify.js';

export interface SessionDeps {
  socket: VisitorSocket;
  ctx: ChannelContext;
  settings: WebchatSettings;
  sockets: VisitorSockets;
  limiters: VisitorLimiters;
  newVisitorId(): string;
}

/** Close code when a client keeps flooding after being told to slow down. */
export const CLOSE_POLICY_VIOLATION = 1008;
/** Close code when the client's IP already has WEBCHAT_MAX_CONNECTIONS_PER_IP visitor connections open (after a `rate_limited` frame). */
export const CLOSE_TOO_MANY_CONNECTIONS = 4029;

export function createVisitorSession(deps: SessionDeps): VisitorSession {
  const { socket, ctx, settings, sockets, limiters } = deps;
  const bucket = createTokenBucket(settings.rateLimit, ctx.now().getTime());
  const ip = limitKey(socket.remoteAddress);
  let visitorId: string | null = null;
  let displayName: string | null = null;
  /** The visitor's open ticket as last seen (welcome, acks): a message without one opens a ticket. */
  let openTicketId: string | null = null;
  let refusedInARow = 0;
  let closed = false;
  let admitted = false;

  const error = (code: VisitorErrorCode, message: string, extra: Record<string, unknown> = {}) =>
    socket.send({ type: 'error', code, message, ...extra });

  /** Counted against the IP's open connections before any frame is handled; refused → error frame, then closed with 4029. */
  const admission: Promise<boolean> = admitConnection(limiters, ip)
    .catch((err: Error) => {
      // The limiter's store is down: the chat stays available (logged), as without limits.
      ctx.logger.warn({ err: err.message }, 'web chat connection limiter unavailable: connection admitted');
      return { ok: true } as const;
    })
    .then((verdict) => {
      if (!verdict.ok) {
        ctx.logger.info({ ip }, 'web chat connection refused: too many open connections from this address');
        error('rate_limited', 'Too many open chat connections from your network: close another one, then retry.', {
          retry_after: verdict.retryAfterSeconds,
        });
        closed = true;
        socket.close(CLOSE_TOO_MANY_CONNECTIONS, 'too many connections from this address');
        return false;
      }
      admitted = true;
      if (closed) void releaseConnection(limiters, ip).catch(() => undefined);
      return true;
    });
  let chain: Promise<unknown> = admission;

  async function hello(frame: Extract<VisitorFrame, { type: 'hello' }>): Promise<void> {
    if (visitorId) return error('already_greeted', 'This connection already said hello.');
    let resumed = false;
    let tokenRefused = false;
    let id: string | null = null;
    if (frame.visitor_token) {
      const check = verifyVisitorToken(settings.secret, frame.visitor_token);
      if (check.ok) {
        id = check.visitorId;
        resumed = true;
      } else {
        tokenRefused = true;
        ctx.logger.info({ reason: check.reason }, 'web chat visitor token refused: a new visitor identity is issued');
      }
    }
    id ??= deps.newVisitorId();
    visitorId = id;
    displayName = frame.name ?? null;
    if (closed) return;
    sockets.add(id, socket);

    // The store knows the visitor's newest ticket, also after a restart; a new identity has none.
    const ticket = resumed ? await ctx.lastTicketOf(CHAT_CHANNEL, id) : null;
    openTicketId = ticket && ticket.status === STATUS_OPEN ? ticket.ticket_id : null;
    socket.send({
      type: 'welcome',
      visitor_token: signVisitorToken(settings.secret, id),
      ticket_id: ticket && ticket.status === STATUS_OPEN ? ticket.ticket_id : null,
      resumed,
      // The page must not keep showing a conversation this new identity cannot continue.
      token_refused: tokenRefused,
    });
    if (ticket) {
      const messages = await ctx.getMessages(ticket.ticket_id);
      socket.send({
        type: 'history',
        ticket_id: ticket.ticket_id,
        status: ticket.status,
        ticket: visitorTicket(ticket),
        messages: messages.map(visitorMessage),
      });
    }
  }

  async function message(frame: Extract<VisitorFrame, { type: 'message' }>): Promise<void> {
    if (!visitorId) return error('hello_required', 'Send {"type":"hello"} first.');
    if (await opensTicket()) {
      const verdict = await admitNewTicket(limiters, ip);
      if (!verdict.ok) {
        ctx.logger.info({ ip }, 'web chat message refused: too many new tickets from this address this hour');
        return error('rate_limited', `Too many new conversations from your network: retry in ${verdict.retryAfterSeconds} s.`, {
          retry_after: verdict.retryAfterSeconds,
          client_id: frame.client_id,
        });
      }
    }
    const outcome = await ctx.ingest(
      normalizeVisitorMessage({ visitorId, displayName, clientId: frame.client_id, text: frame.text, receivedAt: ctx.now().toISOString() }),
    );
    if (outcome.kind !== 'stored') {
      ctx.logger.warn({ outcome: outcome.kind }, 'web chat message not stored');
      return error('internal_error', 'Your message could not be stored; please retry.');
    }
    openTicketId = outcome.ticket.status === STATUS_OPEN ? outcome.ticket.ticket_id : null;
    socket.send({
      type: 'message.ack',
      client_id: frame.client_id,
      message_id: outcome.message.message_id,
      ticket_id: outcome.ticket.ticket_id,
      duplicate: outcome.duplicate,
    });
    // The visitor's other tabs show what this one sent.
    if (!outcome.duplicate) {
      const echo = { type: 'message', data: visitorMessage(outcome.message) };
      sockets.push(visitorId, echo, socket);
      ctx.visitors?.publish({ channel: CHAT_CHANNEL, visitor: visitorId, frame: echo });
    }
  }

  /** Whether the visitor's next message opens a ticket (none open, or the one we knew was closed since). */
  async function opensTicket(): Promise<boolean> {
    if (!openTicketId) return true;
    return (await ctx.getTicket(openTicketId))?.status !== STATUS_OPEN;
  }

  async function handle(frame: VisitorFrame): Promise<void> {
    if (!(await admission) || closed) return;
    switch (frame.type) {
      case 'hello':
        return hello(frame);
      case 'message':
        return message(frame);
      case 'ping':
        socket.send({ type: 'pong' });
        return;
    }
  }

  return {
    onFrame(raw, isBinary = false) {
      if (closed) return Promise.resolve();
      if (!bucket.take(ctx.now().getTime())) {
        refusedInARow++;
        if (refusedInARow > settings.rateLimit.capacity * 10) {
          socket.close(CLOSE_POLICY_VIOLATION, 'rate limit exceeded repeatedly');
          return Promise.resolve();
        }
        error(
          'rate_limited',
          `Too many frames: at most ${settings.rateLimit.capacity} in a burst, then one every ${settings.rateLimit.refillEveryMs} ms. Retry later.`,
        );
        return Promise.resolve();
      }
      refusedInARow = 0;
      const parsed = parseVisitorFrame(raw, settings, isBinary);
      if (!parsed.ok) {
        error(parsed.code, parsed.message);
        return Promise.resolve();
      }
      // Frames of one connection are handled in order (hello before the first message).
      const next = chain.then(() => handle(parsed.frame));
      chain = next.catch(() => undefined);
      return next;
    },
    onClose() {
      if (closed && !admitted) return;
      closed = true;
      if (visitorId) sockets.remove(visitorId, socket);
      if (admitted) {
        admitted = false;
        void releaseConnection(limiters, ip).catch((err: Error) =>
          ctx.logger.warn({ err: err.message }, 'web chat limiter release failed'),
        );
      }
    },
  };
}
