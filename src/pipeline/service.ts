// The ingest pipeline core: dedup → thread → store (durable) → publish → queue bot + analytics.
import type { AuthorMeta } from '../domain/authors.js';
import { sanitizeAttachment } from '../domain/attachments.js';
import type { ChannelCatalog } from '../domain/catalog.js';
import type { ChannelContext, LoggerLike } from '../domain/channel.js';
import type {
  DeliveryStatusEvent,
  InboundAttachment,
  InboundEvent,
  InboundMessageEvent,
  IngestOutcome,
  SystemNoteEvent,
  ThreadHints,
} from '../domain/events.js';
import { advanceDelivery, publicMessage, publicTicket } from '../domain/ticket.js';
import type { Attachment, Channel, Message, Ticket, TicketStatus } from '../domain/types.js';
import { STATUS_CLOSED, STATUS_OPEN } from '../domain/types.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type { BlobStore } from '../storage/blobs.js';
import type { IngestInput, TicketStore } from '../storage/types.js';
import type { EventBus } from './bus.js';
import type { Dispatcher } from './outbound.js';
import { refreshTicketStats } from './stats.js';
import { isInternal } from '../domain/metrics.js';
import type { WorkQueue } from './work.js';

export interface PipelineOptions {
  store: TicketStore;
  blobs: BlobStore;
  bus: EventBus;
  dispatcher: Dispatcher;
  work: WorkQueue;
  logger: LoggerLike;
  now: () => Date;
  /** What each channel can do (threading, written replies). */
  channels: ChannelCatalog;
}

export interface Pipeline {
  ingest(event: InboundEvent): Promise<IngestOutcome>;
  /** `author`: the agent account replying (absent for a service token). */
  agentReply(
    ticketId: string,
    input: { text: string; client_id?: string },
    author?: AuthorMeta,
  ): Promise<{ message: Message; duplicate: boolean }>;
  /** `agentId`: who changes it (recorded as `closed_by` on a close; absent for a service token or the system). */
  setStatus(ticketId: string, status: TicketStatus, agentId?: string | null): Promise<{ ticket: Ticket; changed: boolean }>;
  handoff(ticketId: string, reason: string): Promise<void>;
  recordDelivered(
    ticketId: string,
    input: { author: 'bot' | 'system'; text: string; external_id: string; meta?: Record<string, unknown> },
  ): Promise<Message>;
  channelContext(): ChannelContext;
}

export function createPipeline(options: PipelineOptions): Pipeline {
  const { store, bus, dispatcher, work, logger, channels } = options;
  const iso = () => options.now().toISOString();

  /** Which ticket the thread hints point to, and whether the sender may join it. */
  async function resolveThread(
    channel: Channel,
    address: string,
    hints: ThreadHints | undefined,
  ): Promise<Pick<IngestInput, 'preferred_ticket_id' | 'linked_ticket_id'>> {
    if (!hints) return {};
    let target: Ticket | null = null;
    for (const id of hints.replyToExternalIds ?? []) {
      const message = (await store.findMessageByExternalId(channel, id)) ?? (await store.findMessageByProviderId(channel, id));
      if (message) {
        target = await store.getTicket(message.ticket_id);
        if (target) break;
      }
    }
    if (!target && hints.ticketToken) target = await store.getTicket(hints.ticketToken);
    if (!target || target.channel !== channel) return {};
    if (target.contact.address !== address) {
      logger.info({ ticket_id: target.ticket_id }, 'reply from another sender on a thread: new ticket linked to it');
      return { linked_ticket_id: target.ticket_id };
    }
    if (target.status === STATUS_CLOSED) return { linked_ticket_id: target.ticket_id };
    return { preferred_ticket_id: target.ticket_id };
  }

  /**
   * Attachment bytes go to the blob store first: the message is acked only once they are durable too. The metadata is
   * made header-safe here, once for every channel (it comes from the sender: CR/LF or non-Latin-1 would break the download).
   */
  async function saveAttachments(attachments: InboundAttachment[]): Promise<Attachment[]> {
    return Promise.all(
      attachments.map(async ({ content, ...attachment }) => {
        const safe = sanitizeAttachment(attachment);
        return content ? { ...safe, stored_key: await options.blobs.put(content) } : safe;
      }),
    );
  }

  async function storeInbound(event: InboundMessageEvent | SystemNoteEvent): Promise<IngestOutcome> {
    const isMessage = event.kind === 'message';
    const thread = await resolveThread(event.channel, event.contact.address, event.thread);
    const meta = {
      ...event.meta,
      ...(isMessage && event.no_bot_reply ? { no_bot_reply: true } : {}),
      ...(event.contact.display_name ? { display_name: event.contact.display_name } : {}),
    };
    const result = await store.ingest({
      channel: event.channel,
      contact: event.contact,
      ...thread,
      join_open_ticket: channels.capabilities(event.channel).threading === 'by_address',
      may_open_ticket: isMessage || event.may_open_ticket !== false,
      subject: isMessage ? (event.subject ?? null) : null,
      now: iso(),
      message: {
        direction: 'inbound',
        author: isMessage ? (event.author ?? 'customer') : 'system',
        text: event.text,
        full_text: isMessage && event.full_text && event.full_text !== event.text ? event.full_text : null,
        attachments: isMessage ? await saveAttachments(event.attachments) : [],
        external_id: event.external_id,
        created_at: event.received_at,
        delivery: null,
        ...(Object.keys(meta).length ? { meta } : {}),
      },
    });
    if (result.kind === 'no_ticket') {
      logger.info({ channel: event.channel, external_id: event.external_id }, 'system note without a ticket to attach to: dropped');
      return { kind: 'ignored', reason: 'no ticket to attach the note to' };
    }
    if (result.kind === 'duplicate') {
      logger.info(
        { channel: event.channel, external_id: event.external_id, ticket_id: result.ticket.ticket_id },
        'duplicate delivery acknowledged',
      );
      return { kind: 'stored', duplicate: true, ticket: result.ticket, message: result.message, ticket_created: false };
    }
    const { ticket, message } = result;
    logger.info(
      {
        channel: event.channel,
        ticket_id: ticket.ticket_id,
        message_id: message.message_id,
        contact: event.contact.address,
        created: result.ticket_created,
      },
      'inbound stored',
    );
    logger.debug({ message_id: message.message_id, text: message.text }, 'inbound text');
    if (isMessage && event.consent) {
      await store.upsertContact(
        event.channel,
        event.contact.address,
        { opted_out: event.consent === 'opt_out', opted_out_at: event.consent === 'opt_out' ? iso() : null },
        iso(),
      );
    }
    if (result.ticket_created) bus.publish({ type: 'ticket.created', data: publicTicket(ticket) });
    bus.publish({ type: 'message.created', data: publicMessage(message) });
    if (!result.ticket_created) bus.publish({ type: 'ticket.updated', data: publicTicket(ticket) });
    if (message.author === 'customer') work.customerMessage(ticket, message);
    return { kind: 'stored', duplicate: false, ticket, message, ticket_created: result.ticket_created };
  }

  async function applyDeliveryStatus(event: DeliveryStatusEvent): Promise<IngestOutcome> {
    const message = await store.findMessageByProviderId(event.channel, event.provider_id);
    if (!message || !message.delivery) {
      logger.info(
        { channel: event.channel, provider_id: event.provider_id },
        'status callback for an unknown message: acknowledged and ignored',
      );
      return { kind: 'delivery_updated', message: null, changed: false };
    }
    let changed = false;
    const updated = await store.updateMessage(message.ticket_id, message.message_id, (m) => {
      const next = m.delivery && advanceDelivery(m.delivery, event);
      changed = next !== null && next !== undefined;
      return next ? { ...m, delivery: next } : null;
    });
    if (changed && updated) {
      bus.publish({ type: 'message.updated', data: publicMessage(updated) });
      if (updated.delivery?.status === 'failed') await refreshTicketStats(store, updated.ticket_id);
    }
    return { kind: 'delivery_updated', message: updated, changed };
  }

  async function ingest(event: InboundEvent): Promise<IngestOutcome> {
    switch (event.kind) {
      case 'message':
      case 'system_note':
        return storeInbound(event);
      case 'delivery_status':
        return applyDeliveryStatus(event);
      case 'ignored':
        logger.info({ channel: event.channel, reason: event.reason }, 'inbound ignored');
        return { kind: 'ignored', reason: event.reason };
      case 'unsupported':
        // The raw payload is kept in the log for diagnosis; its body fields are redacted (src/logger.ts).
        logger.warn(
          { channel: event.channel, external_id: event.external_id, reason: event.reason, raw: event.raw },
          'unsupported inbound payload acknowledged',
        );
        return { kind: 'unsupported', reason: event.reason };
    }
  }

  async function existingTicket(ticketId: string): Promise<Ticket> {
    const ticket = await store.getTicket(ticketId);
    if (!ticket) throw new NotFoundError('ticket_not_found', `No ticket ${ticketId}.`);
    return ticket;
  }

  const pipeline: Pipeline = {
    ingest,

    async agentReply(ticketId, input, author) {
      const ticket = await existingTicket(ticketId);
      if (!channels.capabilities(ticket.channel).written_replies) {
        throw new ConflictError(
          'channel_not_replyable',
          `A ${ticket.channel} ticket cannot get a written reply: call the customer back at ${ticket.contact.address}.`,
        );
      }
      if (ticket.status !== STATUS_OPEN)
        throw new ConflictError(
          'ticket_closed',
          'The ticket is closed; reopen it (PATCH /tickets/:id/status {"status":"en cours"}) before replying.',
        );
      return dispatcher.queueReply(
        ticketId,
        {
          author: 'agent',
          text: input.text,
          external_id: input.client_id ? `agent:${input.client_id}` : null,
          ...(author ? { meta: { ...author } } : {}),
        },
        (t) => ({
          ...t,
          handled_by: 'agent',
          ...(author && !t.first_human_responder ? { first_human_responder: author.agent_id } : {}),
        }),
      );
    },

    async setStatus(ticketId, status, agentId = null) {
      let result = await store.setStatus(ticketId, status, iso());
      if (!result) throw new NotFoundError('ticket_not_found', `No ticket ${ticketId}.`);
      if (result.changed) {
        // Who closed it: a second write (the store's status change keeps the open-ticket index; this only annotates).
        const closedBy = status === STATUS_CLOSED ? agentId : null;
        if ((result.ticket.closed_by ?? null) !== closedBy) {
          const annotated = await store.updateTicket(ticketId, (t) => (t.status === status ? { ...t, closed_by: closedBy } : null));
          if (annotated) result = { ...result, ticket: annotated };
        }
        bus.publish({ type: 'ticket.status_changed', data: publicTicket(result.ticket) });
        if (status === STATUS_CLOSED) work.analyzeNow(ticketId);
      }
      return result;
    },

    async handoff(ticketId, reason) {
      const updated = await store.updateTicket(ticketId, (t) => (t.handled_by === 'agent' ? null : { ...t, handled_by: 'agent' }));
      if (!updated) throw new NotFoundError('ticket_not_found', `No ticket ${ticketId}.`);
      logger.info({ ticket_id: ticketId, reason }, 'ticket handed off to an agent');
      bus.publish({ type: 'ticket.updated', data: publicTicket(updated) });
    },

    async recordDelivered(ticketId, input) {
      await existingTicket(ticketId);
      const at = iso();
      const { message, duplicate } = await store.appendMessage(ticketId, {
        direction: 'outbound',
        author: input.author,
        text: input.text,
        attachments: [],
        external_id: input.external_id,
        created_at: at,
        delivery: {
          status: 'delivered',
          error_code: null,
          error_message: null,
          attempts: 1,
          provider_id: null,
          next_attempt_at: null,
          updated_at: at,
        },
        ...(input.meta ? { meta: input.meta } : {}),
      });
      if (!duplicate) bus.publish({ type: 'message.created', data: publicMessage(message) });
      return message;
    },

    channelContext() {
      return {
        ingest,
        getTicket: (id) => store.getTicket(id),
        // Adapters show and read the conversation: agents' internal notes never reach a channel (web-chat history…).
        getMessages: async (id) => (await store.getMessages(id)).filter((m) => !isInternal(m)),
        getContact: (channel, address) => store.getContact(channel, address),
        lastTicketOf: (channel, address) => store.lastTicketOf(channel, address),
        botTurnNow: (id, timeoutMs) => work.botTurnNow(id, timeoutMs),
        recordDelivered: (id, input) => pipeline.recordDelivered(id, input),
        handoff: (id, reason) => pipeline.handoff(id, reason),
        subscribe: (listener) => bus.subscribe(listener),
        visitors: bus.visitors,
        logger,
        now: options.now,
      };
    },
  };
  return pipeline;
}
