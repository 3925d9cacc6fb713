// TicketStore on one DynamoDB table: the port implementation over small modules — typed item operations (ops.ts), the
// redo log of message writes (intents.ts), the grouped apply queue (apply-queue.ts), the contact's open-ticket pointer
// (pointer.ts), lists and exports (listing.ts), message items (messages.ts), contacts (contacts.ts).
// Design, key layout and crash matrix: README.md.
// No transactions (dynalite lacks them): every operation is a sequence of conditional single-item writes, ordered so
// that any prefix of the sequence is either invisible or repaired by the next reader / the repair sweep.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { LoggerLike } from '../../domain/channel.js';
import { compareMessages } from '../../domain/metrics.js';
import { createIdFactory, isPendingOutbound, needsFollowUp, withStatus } from '../../domain/ticket.js';
import type { Channel, ContactRecord, Message, Ticket, TicketStatus } from '../../domain/types.js';
import { STATUS_CLOSED, STATUS_OPEN } from '../../domain/types.js';
import { NotFoundError, StoreConflictError } from '../../errors.js';
import type { IngestInput, IngestResult, MessageMutation, Page, TicketFilter, TicketMutation, TicketStore } from '../types.js';
import { createApplyQueue } from './apply-queue.js';
import { backoffMs, createDocumentClient, createDynamoClient, sleep, type ClientOptions } from './client.js';
import { createContacts } from './contacts.js';
import { createMessageItems, type MessageItems } from './messages.js';
import { createIntents, type IntentKind, type Intents } from './intents.js';
import { itemToTicket, ticketToItem } from './items.js';
import { META_SK, OUTBOX_QUEUE, SINGLETON_SK, WORK_QUEUE, dedupPk, internalIntentPk, ticketPk } from './keys.js';
import { createTicketListing, type TicketListing } from './listing.js';
import { createTableOps, type TableOps } from './ops.js';
import { createOpenTicketPointer, type IngestRequest, type OpenTicketPointer } from './pointer.js';
import { assertTableReady } from './table.js';
import { createWorkspaceItems } from './workspace.js';
import type { CannedReply, ContactProfile } from '../../domain/workspace.js';
import type { SearchHit } from '../types.js';
import { createRecordItems } from './records.js';
import type { ListRecordsOptions, RecordStore } from '../records.js';

export interface DynamoStoreOptions extends Omit<ClientOptions, 'region'> {
  table: string;
  region: string;
  /** The channels whose index partitions lists and exports merge (the ChannelCatalog's names). */
  channels: readonly Channel[];
  logger: LoggerLike;
  now?: () => Date;
  /** Use this client (tests count its commands); otherwise one is built from region/endpoint/credentials. */
  client?: DynamoDBClient;
  /** How long an in-flight write owns its intent record before another instance may finish it. */
  leaseMs?: number;
  /** Period of the sweep that finishes intents left by a crashed instance (0 = only at open()). */
  repairIntervalMs?: number;
  /** Optimistic-write attempts before StoreConflictError. */
  maxConflictRetries?: number;
}

/** A rejected twin of a write can make its intent vanish: the write is retried this many times with a fresh id. */
const VANISHED_ROUNDS = 5;

export class DynamoTicketStore implements TicketStore {
  readonly kind = 'dynamodb' as const;
  private readonly client: DynamoDBClient;
  private readonly ownsClient: boolean;
  private readonly ops: TableOps;
  private readonly ids = createIdFactory();
  private readonly now: () => Date;
  private readonly maxConflictRetries: number;
  private readonly pointer: OpenTicketPointer;
  private readonly intents: Intents;
  private readonly listing: TicketListing;
  private readonly contacts: ReturnType<typeof createContacts>;
  private readonly messages: MessageItems;
  private readonly workspace: ReturnType<typeof createWorkspaceItems>;
  private readonly records: RecordStore;
  private repairTimer: NodeJS.Timeout | null = null;

  constructor(private readonly options: DynamoStoreOptions) {
    this.ownsClient = !options.client;
    this.client = options.client ?? createDynamoClient(options);
    this.ops = createTableOps(createDocumentClient(this.client), options.table);
    this.now = options.now ?? (() => new Date());
    this.maxConflictRetries = options.maxConflictRetries ?? 60;
    const getTicket = (id: string) => this.getTicket(id);
    this.messages = createMessageItems({ ops: this.ops, getTicket, maxConflictRetries: this.maxConflictRetries });
    this.pointer = createOpenTicketPointer({ ops: this.ops, ids: this.ids, getTicket, maxConflictRetries: this.maxConflictRetries });
    this.intents = createIntents({
      ops: this.ops,
      logger: options.logger,
      now: this.now,
      leaseMs: options.leaseMs ?? 15_000,
      pointer: this.pointer,
      applyQueue: createApplyQueue({ ops: this.ops, maxConflictRetries: this.maxConflictRetries }),
      getTicket,
      getMessage: this.messages.get,
      indexProviderIds: this.messages.indexProviderIds,
    });
    this.listing = createTicketListing({ ops: this.ops, channels: options.channels });
    this.contacts = createContacts(this.ops);
    this.workspace = createWorkspaceItems({ ops: this.ops, getTicket, maxConflictRetries: this.maxConflictRetries });
    this.records = createRecordItems(this.ops);
  }

  // ---------------------------------------------------------------- generic records (records.ts)

  putRecordIfAbsent<T>(kind: string, key: string, data: T, now: string) {
    return this.records.putRecordIfAbsent(kind, key, data, now);
  }
  putRecordIfVersion<T>(kind: string, key: string, data: T, expectedVersion: number, now: string) {
    return this.records.putRecordIfVersion(kind, key, data, expectedVersion, now);
  }
  getRecord<T>(kind: string, key: string) {
    return this.records.getRecord<T>(kind, key);
  }
  listRecords<T>(kind: string, options: ListRecordsOptions) {
    return this.records.listRecords<T>(kind, options);
  }

  // ---------------------------------------------------------------- lifecycle

  /** Check the table, run the repair sweep, start the periodic one. A store whose open() failed is released: make a new one. */
  async open(): Promise<void> {
    try {
      await assertTableReady(this.client, this.options);
    } catch (err) {
      if (this.ownsClient) this.client.destroy(); // no keep-alive sockets holding a failed start-up open
      throw err;
    }
    const sweep = () => this.repair().catch((err: unknown) => this.options.logger.error({ err }, 'dynamodb repair sweep failed'));
    await sweep();
    const every = this.options.repairIntervalMs ?? 30_000;
    if (every > 0) {
      this.repairTimer = setInterval(() => void sweep(), every);
      this.repairTimer.unref();
    }
  }

  async close(): Promise<void> {
    if (this.repairTimer) clearInterval(this.repairTimer);
    this.repairTimer = null;
    await this.intents.settled();
    if (this.ownsClient) this.client.destroy();
  }

  async ping(): Promise<void> {
    await this.ops.doc.send(new GetCommand({ TableName: this.ops.table, Key: { pk: 'PING', sk: SINGLETON_SK } }));
  }

  /** Finish every intent a dead writer left (see intents.ts); runs at open() and every repairIntervalMs. */
  repair(): Promise<number> {
    return this.intents.repair();
  }

  // ---------------------------------------------------------------- ingest / append

  /** Write a message through its intent record, again with a fresh id when a rejected twin made the record vanish. */
  private async writeThroughIntent(
    write: { kind: IntentKind; channel: Channel; ticketId?: string; request?: IngestRequest; mutateTicket?: TicketMutation },
    message: (messageId: string) => Message,
    messageId: () => string,
  ) {
    for (let round = 0; round < VANISHED_ROUNDS; round += 1) {
      const full = message(messageId());
      const intentPk = full.external_id ? dedupPk(write.channel, full.external_id) : internalIntentPk(full.message_id);
      const outcome = await this.intents.run({ ...write, intentPk, message: full });
      if (outcome.kind !== 'vanished') return outcome;
    }
    throw new StoreConflictError(`${write.kind} of a ${write.channel} message kept racing with a rejected twin; giving up`);
  }

  async ingest(input: IngestInput): Promise<IngestResult> {
    const outcome = await this.writeThroughIntent(
      {
        kind: 'ingest',
        channel: input.channel,
        request: {
          contact: { address: input.contact.address, display_name: input.contact.display_name ?? null },
          preferred_ticket_id: input.preferred_ticket_id ?? null,
          linked_ticket_id: input.linked_ticket_id ?? null,
          may_open_ticket: input.may_open_ticket,
          join_open_ticket: input.join_open_ticket !== false,
          subject: input.subject ?? null,
          now: input.now,
        },
      },
      (messageId) => ({ ...input.message, message_id: messageId, ticket_id: '' }),
      () => this.ids(Date.parse(input.message.created_at) || undefined),
    );
    if (outcome.kind === 'no_ticket') return { kind: 'no_ticket' };
    const { ticket, message } = outcome;
    // Search postings after the durable write; a duplicate (provider retry) writes them again in case we crashed before.
    await this.workspace.index(ticket, message, outcome.ticketCreated || !outcome.byUs);
    if (outcome.byUs) return { kind: 'stored', ticket, message, ticket_created: outcome.ticketCreated, duplicate: false };
    return { kind: 'duplicate', ticket, message, duplicate: true };
  }

  async appendMessage(
    ticketId: string,
    message: Omit<Message, 'ticket_id' | 'message_id'> & { message_id?: string },
    mutateTicket?: TicketMutation,
  ): Promise<{ message: Message; ticket: Ticket; duplicate: boolean }> {
    const ticket = await this.getTicket(ticketId);
    if (!ticket) throw new NotFoundError('ticket_not_found', `Ticket ${ticketId} does not exist.`);
    const outcome = await this.writeThroughIntent(
      { kind: 'append', channel: ticket.channel, ticketId, mutateTicket },
      (messageId) => ({ ...message, message_id: messageId, ticket_id: ticketId }),
      () => message.message_id ?? this.ids(Date.parse(message.created_at) || undefined),
    );
    if (outcome.kind === 'no_ticket') throw new NotFoundError('ticket_not_found', `Ticket ${ticketId} does not exist.`);
    await this.workspace.index(outcome.ticket, outcome.message, false);
    return { message: outcome.message, ticket: outcome.ticket, duplicate: !outcome.byUs };
  }

  // ---------------------------------------------------------------- reads

  async getTicket(ticketId: string): Promise<Ticket | null> {
    const item = await this.ops.get({ pk: ticketPk(ticketId), sk: META_SK });
    return item ? itemToTicket(item) : null;
  }

  getMessages(ticketId: string): Promise<Message[]> {
    return this.messages.list(ticketId);
  }

  getMessage(ticketId: string, messageId: string): Promise<Message | null> {
    return this.messages.get(ticketId, messageId);
  }

  findMessageByExternalId(channel: Channel, externalId: string): Promise<Message | null> {
    return this.messages.findByExternalId(channel, externalId);
  }

  findMessageByProviderId(channel: Channel, providerId: string): Promise<Message | null> {
    return this.messages.findByProviderId(channel, providerId);
  }

  indexProviderIds(channel: Channel, ticketId: string, messageId: string, providerIds: string[]): Promise<void> {
    return this.messages.indexProviderIds(channel, ticketId, messageId, providerIds);
  }

  listTickets(filter: TicketFilter, limit: number, cursor?: string | null): Promise<Page<Ticket>> {
    return this.listing.listTickets(filter, limit, cursor);
  }

  iterateTickets(filter: TicketFilter): AsyncIterable<Ticket> {
    return this.listing.iterateTickets(filter);
  }

  // ---------------------------------------------------------------- updates

  async updateTicket(ticketId: string, mutate: TicketMutation): Promise<Ticket | null> {
    for (let attempt = 0; attempt < this.maxConflictRetries; attempt += 1) {
      const item = await this.ops.get({ pk: ticketPk(ticketId), sk: META_SK });
      if (!item) return null;
      const current = itemToTicket(item);
      const changed = mutate(structuredClone(current));
      if (!changed) return current;
      const next: Ticket = { ...changed, ticket_id: current.ticket_id, version: current.version + 1 };
      const applied = (item.applied as string[] | undefined) ?? [];
      if (await this.ops.put({ item: ticketToItem(next, applied), condition: '#version = :v', values: { ':v': current.version } }))
        return next;
      await sleep(backoffMs(attempt, 4, 120));
    }
    throw new StoreConflictError(`ticket ${ticketId}: too many concurrent writes`);
  }

  updateMessage(ticketId: string, messageId: string, mutate: MessageMutation): Promise<Message | null> {
    return this.messages.update(ticketId, messageId, mutate);
  }

  async setStatus(ticketId: string, status: TicketStatus, now: string): Promise<{ ticket: Ticket; changed: boolean } | null> {
    const existing = await this.getTicket(ticketId);
    if (!existing) return null;
    if (existing.status === status) return { ticket: existing, changed: false };
    if (status === STATUS_OPEN) await this.pointer.claimForReopen(existing);
    let changed = false;
    const ticket = await this.updateTicket(ticketId, (t) => {
      const next = withStatus(t, status, now);
      changed = next !== null;
      return next;
    });
    if (!ticket) return null;
    // Close: the ticket first, then the pointer. A crash in between leaves a pointer to a closed ticket: repaired by the next ingest.
    if (status === STATUS_CLOSED && changed) await this.pointer.clear(ticket.channel, ticket.contact.address, ticket.ticket_id);
    return { ticket, changed };
  }

  // ---------------------------------------------------------------- contacts

  async lastTicketOf(channel: Channel, address: string): Promise<Ticket | null> {
    const ticketId = await this.pointer.lastTicketId(channel, address);
    return ticketId ? this.getTicket(ticketId) : null;
  }

  getContact(channel: Channel, address: string): Promise<ContactRecord | null> {
    return this.contacts.get(channel, address);
  }

  upsertContact(
    channel: Channel,
    address: string,
    patch: Partial<Omit<ContactRecord, 'channel' | 'address'>>,
    now: string,
  ): Promise<ContactRecord> {
    return this.contacts.upsert(channel, address, patch, now);
  }

  // ---------------------------------------------------------------- agent workspace (#16): workspace.ts

  ticketsOfContact(channel: Channel, address: string): Promise<Ticket[]> {
    return this.workspace.ticketsOfContact(channel, address);
  }

  searchTickets(tokens: string[]): Promise<SearchHit[]> {
    return this.workspace.search(tokens);
  }

  /** Index a ticket again (ticket tokens, contact entry, every message): `freeda search:reindex` and tests. */
  async reindex(ticketId: string): Promise<void> {
    const ticket = await this.getTicket(ticketId);
    if (!ticket) return;
    await this.workspace.index(ticket, null, true);
    for (const message of await this.getMessages(ticketId)) await this.workspace.index(ticket, message, false);
  }

  listCannedReplies(): Promise<CannedReply[]> {
    return this.workspace.listCanned();
  }

  getCannedReply(cannedId: string): Promise<CannedReply | null> {
    return this.workspace.getCanned(cannedId);
  }

  putCannedReply(reply: CannedReply): Promise<void> {
    return this.workspace.putCanned(reply);
  }

  getContactProfile(contactId: string): Promise<ContactProfile | null> {
    return this.workspace.getProfile(contactId);
  }

  updateContactProfile(contactId: string, mutate: (p: ContactProfile) => ContactProfile | null, now: string): Promise<ContactProfile> {
    return this.workspace.updateProfile(contactId, mutate, now);
  }

  // ---------------------------------------------------------------- work queues (sparse GSI)

  async listPendingOutbound(): Promise<Message[]> {
    const items = await this.ops.batchGet(await this.ops.queueKeys(OUTBOX_QUEUE));
    const messages = await this.ops.messagesOf(items.filter((i) => i.type === 'message'));
    return messages.filter(isPendingOutbound).sort(compareMessages);
  }

  async listTicketsNeedingWork(): Promise<Ticket[]> {
    const items = await this.ops.batchGet(await this.ops.queueKeys(WORK_QUEUE));
    return items
      .filter((i) => i.type === 'ticket')
      .map(itemToTicket)
      .filter(needsFollowUp);
  }
}

export function createDynamoStore(options: DynamoStoreOptions): DynamoTicketStore {
  return new DynamoTicketStore(options);
}
