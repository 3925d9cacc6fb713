// Bot replies and analytics, run after the ack. The queue is derived from stored state
// (ticket.bot_handled_through / analytics_through vs the last customer message), so it is rebuilt at start-up,
// and the bot reply carries the external id `bot:<customer message id>`, so a crash never sends it twice.
import type { ChannelCatalog } from '../domain/catalog.js';
import type { BotTurn, LoggerLike } from '../domain/channel.js';
import type { Analyzer, Chatbot, ConversationTurn } from '../domain/intelligence.js';
import { isInternal } from '../domain/metrics.js';
import { analyticsPending, botDecisionPending, publicTicket } from '../domain/ticket.js';
import { withCorrections } from '../domain/workspace.js';
import type { Message, Ticket } from '../domain/types.js';
import { STATUS_OPEN } from '../domain/types.js';
import type { TicketStore } from '../storage/types.js';
import type { EventBus } from './bus.js';
import { createMemoryLeases, withLease, type LeaseOptions } from './leases.js';
import type { Dispatcher } from './outbound.js';

export interface WorkQueueOptions {
  store: TicketStore;
  /** Which channels take their bot turns in the background (the others ask for them inside the webhook). */
  channels: ChannelCatalog;
  bus: EventBus;
  dispatcher: Dispatcher;
  logger: LoggerLike;
  chatbot: Chatbot | null;
  analyzer: Analyzer | null;
  now(): Date;
  debounceMs: number;
  /** Claims on bot turns and analytics runs (several instances on one store); default: in this process. */
  leases?: LeaseOptions;
}

export interface WorkQueue {
  /** A customer message was stored on this ticket. */
  customerMessage(ticket: Ticket, message: Message): void;
  /** Analyse now (e.g. at close), even if up to date. */
  analyzeNow(ticketId: string): void;
  /** Voice: the bot decision for the latest customer message, within timeoutMs (null when late or off). */
  botTurnNow(ticketId: string, timeoutMs: number): Promise<BotTurn | null>;
  rebuild(): Promise<{ bot: number; analytics: number }>;
  /** Resolves when nothing is queued or running (tests, shutdown). */
  idle(): Promise<void>;
  /** Bot turns and analyses queued or running (metrics). */
  readonly depth: number;
  stop(): Promise<void>;
}

/** What the bot and the analytics read: the conversation only (no system notes, never an agents' internal note). */
export function toTurns(messages: Message[]): ConversationTurn[] {
  return messages
    .filter((m) => m.text.trim() !== '' && m.author !== 'system' && !isInternal(m))
    .map((m) => ({ author: m.author, text: m.text }));
}

export function createWorkQueue(options: WorkQueueOptions): WorkQueue {
  const { store, bus, logger, dispatcher } = options;
  /** The adapter asks for these turns itself (botTurnNow) and delivers the answer inside the call. */
  const botTurnsInBackground = (ticket: Ticket) => options.channels.capabilities(ticket.channel).bot_turns === 'background';
  const chains = new Map<string, Promise<unknown>>();
  const debounces = new Map<string, NodeJS.Timeout>();
  const running = new Set<Promise<unknown>>();
  let stopped = false;

  /** Jobs of one ticket run one after another. */
  function enqueue<T>(ticketId: string, job: () => Promise<T>): Promise<T> {
    const previous = chains.get(ticketId) ?? Promise.resolve();
    const next = previous.then(() => (stopped ? (undefined as T) : job()));
    const tracked = next.catch((error: Error) =>
      logger.error({ ticket_id: ticketId, err: error.message }, 'pipeline job failed; it is retried at the next start'),
    );
    chains.set(ticketId, tracked);
    running.add(tracked);
    void tracked.finally(() => {
      running.delete(tracked);
      if (chains.get(ticketId) === tracked) chains.delete(ticketId);
    });
    return next;
  }

  const leasing: LeaseOptions = options.leases ?? { leases: createMemoryLeases(), ttlMs: 30_000 };

  /** One instance answers each customer message: the lease is named after it; the state is read again under it. */
  async function decideBot(ticketId: string): Promise<BotTurn | null> {
    const before = await store.getTicket(ticketId);
    const pending = before?.stats.last_customer_message_id;
    if (!before || !pending || before.bot_handled_through === pending || !options.chatbot) return null;
    return (await withLease(leasing, `bot:${pending}`, () => decideBotNow(ticketId))) ?? null;
  }

  async function decideBotNow(ticketId: string): Promise<BotTurn | null> {
    const ticket = await store.getTicket(ticketId);
    const last = ticket?.stats.last_customer_message_id;
    if (!ticket || !last || ticket.bot_handled_through === last || !options.chatbot) return null;
    const messages = await store.getMessages(ticketId);
    const lastMessage = messages.find((m) => m.message_id === last);
    const contact = await store.getContact(ticket.channel, ticket.contact.address);
    const silent =
      ticket.status !== STATUS_OPEN ||
      ticket.handled_by === 'agent' ||
      contact?.opted_out === true ||
      lastMessage?.meta?.no_bot_reply === true;
    const decision = silent
      ? { reply: null, handoff: false }
      : await options.chatbot.decide({ ticket, messages: toTurns(messages), analytics: ticket.analytics });
    const mark = (t: Ticket): Ticket => ({ ...t, bot_handled_through: last, handled_by: decision.handoff ? 'agent' : t.handled_by });
    if (decision.reply && botTurnsInBackground(ticket)) {
      // The bot reply carries the customer message it answers: a redone turn after a crash stores and sends nothing twice.
      await dispatcher.queueReply(ticketId, { author: 'bot', text: decision.reply, external_id: `bot:${last}` }, mark);
    } else {
      const updated = await store.updateTicket(ticketId, mark);
      if (updated && decision.handoff) bus.publish({ type: 'ticket.updated', data: publicTicket(updated) });
    }
    if (decision.handoff)
      logger.info(
        { ticket_id: ticketId, reason: 'handoff_reason' in decision ? decision.handoff_reason : undefined },
        'ticket handed off to an agent',
      );
    return { reply: decision.reply, handoff: decision.handoff };
  }

  async function analyze(ticketId: string, force: boolean): Promise<void> {
    if (!options.analyzer) return;
    const ticket = await store.getTicket(ticketId);
    const last = ticket?.stats.last_customer_message_id;
    if (!ticket || !last || (!force && ticket.analytics_through === last)) return;
    const messages = await store.getMessages(ticketId);
    const analytics = await options.analyzer.analyze({
      id: ticketId,
      channel: ticket.channel,
      subject: ticket.subject,
      messages: toTurns(messages),
    });
    // Labels an agent corrected stay as the agent set them (withCorrections): a re-run only refreshes the others.
    const updated = await store.updateTicket(ticketId, (t) => ({
      ...t,
      analytics: withCorrections(analytics, t.label_corrections),
      analytics_through: last,
    }));
    if (updated) {
      bus.publish({ type: 'ticket.updated', data: publicTicket(updated) });
      bus.publish({ type: 'ticket.analyzed', data: publicTicket(updated) });
    }
  }

  function scheduleAnalysis(ticketId: string, force = false, delayMs = options.debounceMs): void {
    if (!options.analyzer || stopped) return;
    const existing = debounces.get(ticketId);
    if (existing) clearTimeout(existing);
    debounces.set(
      ticketId,
      setTimeout(() => {
        debounces.delete(ticketId);
        void enqueue(ticketId, () => withLease(leasing, `analytics:${ticketId}`, () => analyze(ticketId, force)));
      }, delayMs),
    );
  }

  return {
    customerMessage(ticket) {
      if (stopped) return;
      if (options.chatbot && botTurnsInBackground(ticket)) void enqueue(ticket.ticket_id, () => decideBot(ticket.ticket_id));
      scheduleAnalysis(ticket.ticket_id);
    },
    analyzeNow(ticketId) {
      scheduleAnalysis(ticketId, true, 0);
    },
    async botTurnNow(ticketId, timeoutMs) {
      if (!options.chatbot) return null;
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), timeoutMs);
      });
      try {
        return await Promise.race([enqueue(ticketId, () => decideBot(ticketId)), late]);
      } finally {
        clearTimeout(timer);
      }
    },
    async rebuild() {
      let bot = 0;
      let analytics = 0;
      for (const ticket of await store.listTicketsNeedingWork()) {
        if (options.chatbot && botDecisionPending(ticket) && botTurnsInBackground(ticket)) {
          bot++;
          void enqueue(ticket.ticket_id, () => decideBot(ticket.ticket_id));
        }
        if (options.analyzer && analyticsPending(ticket)) {
          analytics++;
          scheduleAnalysis(ticket.ticket_id, false, 0);
        }
      }
      return { bot, analytics };
    },
    get depth() {
      return running.size + debounces.size;
    },
    async idle() {
      while (running.size || debounces.size) {
        if (running.size) await Promise.allSettled([...running]);
        else await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async stop() {
      stopped = true;
      for (const timer of debounces.values()) clearTimeout(timer);
      debounces.clear();
      await Promise.allSettled([...running]);
    },
  };
}
