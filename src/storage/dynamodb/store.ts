// TicketStore on one DynamoDB table. Design, key layout and crash matrix: README.md in this folder.
// No transactions (dynalite lacks them): every operation is a sequence of conditional single-item writes,
// ordered so that any prefix of the sequence is either invisible or repaired by the next reader / the repair sweep.
import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LoggerLike } from '../../domain/channel.js';
import { compareMessages } from '../../domain/metrics.js';
import {
  createIdFactory,
  isPendingOutbound,
  needsFollowUp,
  newTicket,
  withMessage,
  withStatus,
  type IdFactory,
} from '../../domain/ticket.js';
import type { Channel, Contact, ContactRecord, Message, Ticket, TicketStatus } from '../../domain/types.js';
import { STATUS_CLOSED, STATUS_OPEN } from '../../domain/types.js';
import { NotFoundError, StoreConflictError, ValidationError } from '../../errors.js';
import type { IngestInput, IngestResult, Page, TicketFilter, TicketMutation, MessageMutation, TicketStore } from '../types.js';
import {
  backoffMs,
  batchGetAll,
  batchWriteAll,
  createDocumentClient,
  createDynamoClient,
  isConditionalFailure,
  sleep,
  type ClientOptions,
  type Item,
  type Key,
} from './client.js';
import {
  DEDUP_SK,
  GSI_CHANNEL,
  GSI_CHANNEL_STATUS,
  GSI_QUEUES,
  META_SK,
  OUTBOX_QUEUE,
  REPAIR_QUEUE,
  SINGLETON_SK,
  WORK_QUEUE,
  channelGsiPk,
  channelStatusGsiPk,
  contactPk,
  createdRange,
  decodeCursor,
  dedupPk,
  encodeCursor,
  internalIntentPk,
  leaseSortKey,
  messageSk,
  openTicketPk,
  providerPk,
  ticketPk,
  type ExclusiveKey,
  type ListCursor,
} from './keys.js';
import { chunkKeysOf, itemToMessage, itemToTicket, messageItem, prepareMessage, ticketToItem, type BodyOverflow } from './items.js';
import { CREATE_TABLE_COMMAND, describeTable, missingIndexes } from './table.js';

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

type IntentKind = 'ingest' | 'append';

/** What an ingest needs besides the message to pick its ticket; kept in the intent so anyone can finish it. */
interface IngestRequest {
  contact: Contact;
  preferred_ticket_id: string | null;
  linked_ticket_id: string | null;
  may_open_ticket: boolean;
  join_open_ticket: boolean;
  subject: string | null;
  now: string;
}

/**
 * The dedup item (`D#<channel>#<external_id>`, or `I#<message_id>` when there is no external id).
 * Written first with attribute_not_exists: it is both the exactly-once guard and the redo log of the write.
 */
interface IntentItem {
  pk: string;
  sk: string;
  type: 'intent';
  kind: IntentKind;
  state: 'pending' | 'done';
  lease_owner: string;
  lease_until: number;
  message_id: string;
  channel: Channel;
  ticket_id?: string;
  request?: IngestRequest;
  /** The message as stored inline (ticket_id filled in when the ticket is chosen). */
  message?: Message;
  overflow?: BodyOverflow | null;
  created_at: string;
  gsi3pk?: string;
  gsi3sk?: string;
}

/** `O#<channel>#<address>`: the contact's open ticket (conditional claim) and newest ticket (previous_ticket_id). */
interface OpenTicketItem {
  open_ticket_id?: string;
  last_ticket_id?: string;
}

type ApplyOutcome = { kind: 'applied'; ticket: Ticket; byUs: boolean; wasEmpty: boolean } | { kind: 'closed' } | { kind: 'missing' };

type CompleteOutcome = { kind: 'done'; ticket: Ticket; message: Message; byUs: boolean; ticketCreated: boolean } | { kind: 'no_ticket' };

interface PendingApply {
  message: Message;
  requireOpen: boolean;
  mutateTicket?: TicketMutation;
  resolve(outcome: ApplyOutcome): void;
  reject(err: unknown): void;
}

const CONTACT_DEFAULTS = { display_name: null, opted_out: false, opted_out_at: null, last_inbound_at: null } as const;

export class DynamoTicketStore implements TicketStore {
  readonly kind = 'dynamodb' as const;
  private readonly client: DynamoDBClient;
  private readonly ownsClient: boolean;
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;
  private readonly logger: LoggerLike;
  private readonly now: () => Date;
  private readonly ids: IdFactory = createIdFactory();
  private readonly leaseMs: number;
  private readonly repairIntervalMs: number;
  private readonly maxConflictRetries: number;
  private repairTimer: NodeJS.Timeout | null = null;
  private repairRun: Promise<number> | null = null;
  /** Messages waiting to be folded into their ticket, by ticket id (see applyMessage). */
  private readonly applyQueues = new Map<string, PendingApply[]>();
  /** Intents this process owns and is completing, by intent key. */
  private readonly inFlight = new Map<string, Promise<CompleteOutcome>>();
  /** Intents another instance owns that this process is waiting on (one poller per intent per process). */
  private readonly waiting = new Map<string, Promise<CompleteOutcome | { kind: 'vanished' }>>();

  constructor(private readonly options: DynamoStoreOptions) {
    this.ownsClient = !options.client;
    this.client = options.client ?? createDynamoClient(options);
    this.doc = createDocumentClient(this.client);
    this.table = options.table;
    this.logger = options.logger;
    this.now = options.now ?? (() => new Date());
    this.leaseMs = options.leaseMs ?? 15_000;
    this.repairIntervalMs = options.repairIntervalMs ?? 30_000;
    this.maxConflictRetries = options.maxConflictRetries ?? 60;
  }

  // ---------------------------------------------------------------- lifecycle

  /** Check the table, run the repair sweep, start the periodic one. A store whose open() failed is released: make a new one. */
  async open(): Promise<void> {
    try {
      await this.checkTable();
    } catch (err) {
      if (this.ownsClient) this.client.destroy(); // no keep-alive sockets holding a failed start-up open
      throw err;
    }
    await this.repair().catch((err: unknown) => this.logger.error({ err }, 'dynamodb repair sweep failed'));
    if (this.repairIntervalMs > 0) {
      this.repairTimer = setInterval(() => {
        this.repair().catch((err: unknown) => this.logger.error({ err }, 'dynamodb repair sweep failed'));
      }, this.repairIntervalMs);
      this.repairTimer.unref();
    }
  }

  private async checkTable(): Promise<void> {
    const where = `region ${this.options.region}${this.options.endpoint ? `, endpoint ${this.options.endpoint}` : ''}`;
    let table;
    try {
      table = await describeTable(this.client, this.table);
    } catch (err) {
      throw new Error(`DynamoDB is not reachable (${where}): ${(err as Error).message}`, { cause: err });
    }
    if (!table) {
      throw new Error(`DynamoDB table "${this.table}" does not exist (${where}). Create it with: ${CREATE_TABLE_COMMAND}`);
    }
    const missing = missingIndexes(table);
    if (missing.length) {
      throw new Error(
        `DynamoDB table "${this.table}" lacks the indexes ${missing.join(', ')}; it was not created by Freeda. Use another DYNAMODB_TABLE and run: ${CREATE_TABLE_COMMAND}`,
      );
    }
    if (table.TableStatus !== 'ACTIVE' && table.TableStatus !== 'UPDATING') {
      throw new Error(`DynamoDB table "${this.table}" is ${table.TableStatus}, not ACTIVE; retry once it is active.`);
    }
  }

  async close(): Promise<void> {
    if (this.repairTimer) clearInterval(this.repairTimer);
    this.repairTimer = null;
    await this.repairRun?.catch(() => undefined);
    if (this.ownsClient) this.client.destroy();
  }

  async ping(): Promise<void> {
    await this.doc.send(new GetCommand({ TableName: this.table, Key: { pk: 'PING', sk: SINGLETON_SK } }));
  }

  // ---------------------------------------------------------------- small item helpers

  private async get(pk: string, sk: string): Promise<Item | null> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: { pk, sk }, ConsistentRead: true }));
    return out.Item ?? null;
  }

  /** Put guarded by a condition; false when the condition failed. */
  private async putIf(item: Item, condition: string, values?: Record<string, unknown>): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: item,
          ConditionExpression: condition,
          ExpressionAttributeNames: attributeNames(condition),
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (err) {
      if (isConditionalFailure(err)) return false;
      throw err;
    }
  }

  private async updateIf(
    key: Key,
    update: string,
    condition: string | undefined,
    names: Record<string, string> | undefined,
    values: Record<string, unknown> | undefined,
  ): Promise<Item | null> {
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key,
          UpdateExpression: update,
          ConditionExpression: condition,
          ExpressionAttributeNames: { ...attributeNames(update, condition), ...names },
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out.Attributes ?? {};
    } catch (err) {
      if (isConditionalFailure(err)) return null;
      throw err;
    }
  }

  private async deleteIf(key: Key, condition?: string, values?: Record<string, unknown>): Promise<boolean> {
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.table,
          Key: key,
          ConditionExpression: condition,
          ExpressionAttributeNames: attributeNames(condition),
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (err) {
      if (isConditionalFailure(err)) return false;
      throw err;
    }
  }

  private nowMs(): number {
    return this.now().getTime();
  }

  private async withMessageBodies(items: Item[]): Promise<Message[]> {
    const chunkKeys = items.flatMap((item) => chunkKeysOf(item));
    const chunks = chunkKeys.length ? await batchGetAll(this.doc, this.table, chunkKeys) : [];
    return items.map((item) => itemToMessage(item, chunks));
  }

  // ---------------------------------------------------------------- ingest / append

  async ingest(input: IngestInput): Promise<IngestResult> {
    const request: IngestRequest = {
      contact: { address: input.contact.address, display_name: input.contact.display_name ?? null },
      preferred_ticket_id: input.preferred_ticket_id ?? null,
      linked_ticket_id: input.linked_ticket_id ?? null,
      may_open_ticket: input.may_open_ticket,
      join_open_ticket: input.join_open_ticket !== false,
      subject: input.subject ?? null,
      now: input.now,
    };
    for (let round = 0; round < 5; round += 1) {
      const messageId = this.ids(Date.parse(input.message.created_at) || undefined);
      const full: Message = { ...input.message, message_id: messageId, ticket_id: '' };
      const externalId = input.message.external_id;
      const intentPk = externalId ? dedupPk(input.channel, externalId) : internalIntentPk(messageId);
      const outcome = await this.runIntent(intentPk, 'ingest', input.channel, full, request, undefined);
      if (outcome.kind === 'vanished') continue;
      if (outcome.kind === 'no_ticket') return { kind: 'no_ticket' };
      if (outcome.byUs)
        return {
          kind: 'stored',
          ticket: outcome.ticket,
          message: outcome.message,
          ticket_created: outcome.ticketCreated,
          duplicate: false,
        };
      return { kind: 'duplicate', ticket: outcome.ticket, message: outcome.message, duplicate: true };
    }
    throw new StoreConflictError(`ingest of ${input.channel} message kept racing with a rejected twin; giving up`);
  }

  async appendMessage(
    ticketId: string,
    message: Omit<Message, 'ticket_id' | 'message_id'> & { message_id?: string },
    mutateTicket?: TicketMutation,
  ): Promise<{ message: Message; ticket: Ticket; duplicate: boolean }> {
    const ticket = await this.getTicket(ticketId);
    if (!ticket) throw new NotFoundError('ticket_not_found', `Ticket ${ticketId} does not exist.`);
    for (let round = 0; round < 5; round += 1) {
      const messageId = message.message_id ?? this.ids(Date.parse(message.created_at) || undefined);
      const full: Message = { ...message, message_id: messageId, ticket_id: ticketId };
      const intentPk = message.external_id ? dedupPk(ticket.channel, message.external_id) : internalIntentPk(messageId);
      const outcome = await this.runIntent(intentPk, 'append', ticket.channel, full, undefined, ticketId, mutateTicket);
      if (outcome.kind === 'vanished') continue;
      if (outcome.kind === 'no_ticket') throw new NotFoundError('ticket_not_found', `Ticket ${ticketId} does not exist.`);
      return { message: outcome.message, ticket: outcome.ticket, duplicate: !outcome.byUs };
    }
    throw new StoreConflictError(`append to ${ticketId} kept racing; giving up`);
  }

  /** Claim the intent record, or wait for / take over the one already there. */
  private async runIntent(
    intentPk: string,
    kind: IntentKind,
    channel: Channel,
    full: Message,
    request: IngestRequest | undefined,
    ticketId: string | undefined,
    mutateTicket?: TicketMutation,
  ): Promise<CompleteOutcome | { kind: 'vanished' }> {
    // A twin of an ingest this process is already running waits for it here instead of polling the table.
    const running = this.inFlight.get(intentPk) ?? this.waiting.get(intentPk);
    if (running) {
      const outcome = await running.catch(() => null);
      if (outcome?.kind === 'done') return { ...outcome, byUs: false, ticketCreated: false };
      if (outcome?.kind === 'no_ticket') return outcome;
    }
    const prepared = prepareMessage(full);
    // Large bodies go first: nothing references them until the intent exists, so a crash here leaves only garbage.
    if (prepared.chunks.length)
      await batchWriteAll(
        this.doc,
        this.table,
        prepared.chunks.map((Item) => ({ PutRequest: { Item } })),
      );
    const owner = randomUUID();
    const leaseUntil = this.nowMs() + this.leaseMs;
    const intent: IntentItem = {
      pk: intentPk,
      sk: DEDUP_SK,
      type: 'intent',
      kind,
      state: 'pending',
      lease_owner: owner,
      lease_until: leaseUntil,
      message_id: full.message_id,
      channel,
      ticket_id: ticketId,
      request,
      message: prepared.stored,
      overflow: prepared.overflow,
      created_at: this.now().toISOString(),
      gsi3pk: REPAIR_QUEUE,
      gsi3sk: `${leaseSortKey(leaseUntil)}#${intentPk}`,
    };
    if (await this.putIf(intent as unknown as Item, 'attribute_not_exists(#pk)')) {
      const completion = this.completeIntent(intent, owner, full, mutateTicket);
      this.inFlight.set(intentPk, completion);
      try {
        return await completion;
      } catch (err) {
        // We are alive but could not finish (DynamoDB errors beyond the retries): give the lease up at once so the
        // provider's retry finishes the write instead of waiting for the lease to run out.
        await this.releaseLease(intentPk, owner).catch(() => undefined);
        throw err;
      } finally {
        this.inFlight.delete(intentPk);
      }
    }
    if (prepared.chunks.length) {
      await batchWriteAll(
        this.doc,
        this.table,
        prepared.chunks.map((c) => ({ DeleteRequest: { Key: { pk: String(c.pk), sk: String(c.sk) } } })),
      ).catch(() => undefined);
    }
    const wait = this.awaitIntent(intentPk);
    this.waiting.set(intentPk, wait);
    try {
      return await wait;
    } finally {
      this.waiting.delete(intentPk);
    }
  }

  /** Someone else holds this intent: wait until it is done, or take it over once its lease has expired. */
  private async awaitIntent(intentPk: string): Promise<CompleteOutcome | { kind: 'vanished' }> {
    for (let attempt = 0; ; attempt += 1) {
      const item = (await this.get(intentPk, DEDUP_SK)) as IntentItem | null;
      if (!item) return { kind: 'vanished' };
      if (item.state === 'done') return this.finishedIntent(item);
      if (item.lease_until > this.nowMs()) {
        await sleep(Math.min(250, 10 * 2 ** Math.min(attempt, 5)) * (0.5 + Math.random()));
        continue;
      }
      const owner = await this.takeOver(item);
      if (owner) return this.completeIntent({ ...item, lease_owner: owner }, owner, undefined);
    }
  }

  private async releaseLease(intentPk: string, owner: string): Promise<void> {
    await this.updateIf(
      { pk: intentPk, sk: DEDUP_SK },
      'SET #lease_until = :zero, #gsi3sk = :sk',
      '#state = :pending AND #lease_owner = :owner',
      undefined,
      { ':zero': 0, ':sk': `${leaseSortKey(0)}#${intentPk}`, ':pending': 'pending', ':owner': owner },
    );
  }

  private async takeOver(item: IntentItem): Promise<string | null> {
    const owner = randomUUID();
    const leaseUntil = this.nowMs() + this.leaseMs;
    const updated = await this.updateIf(
      { pk: item.pk, sk: DEDUP_SK },
      'SET #lease_owner = :owner, #lease_until = :until, #gsi3sk = :sk',
      '#state = :pending AND #lease_owner = :old',
      undefined,
      {
        ':owner': owner,
        ':until': leaseUntil,
        ':sk': `${leaseSortKey(leaseUntil)}#${item.pk}`,
        ':pending': 'pending',
        ':old': item.lease_owner,
      },
    );
    if (!updated) return null;
    this.logger.warn(
      { intent: item.pk, message_id: item.message_id, previous_owner_lease_until: item.lease_until },
      'dynamodb: finishing a write left unfinished by another instance',
    );
    return owner;
  }

  private async finishedIntent(item: IntentItem): Promise<CompleteOutcome | { kind: 'vanished' }> {
    if (!item.ticket_id) return { kind: 'vanished' };
    const [ticket, message] = await Promise.all([this.getTicket(item.ticket_id), this.getMessage(item.ticket_id, item.message_id)]);
    if (!ticket || !message)
      throw new Error(`dynamodb: dedup record ${item.pk} is done but its message ${item.ticket_id}/${item.message_id} is missing`);
    return { kind: 'done', ticket, message, byUs: false, ticketCreated: false };
  }

  /**
   * Redo an intent to the end. Every step is idempotent, so the original writer, a waiting duplicate that took
   * over, or the repair sweep may run it; `byUs` tells which one actually folded the message into the ticket.
   */
  private async completeIntent(
    intent: IntentItem,
    owner: string,
    full: Message | undefined,
    mutateTicket?: TicketMutation,
  ): Promise<CompleteOutcome> {
    let ticketId = intent.ticket_id;
    const stored = intent.message as Message;
    for (let round = 0; round < 10; round += 1) {
      if (!ticketId) {
        const request = intent.request as IngestRequest;
        const resolved = await this.resolveTicket(intent.channel, request);
        if (!resolved) {
          // Nothing stored: drop the intent so a later delivery (once a ticket exists) is not taken for a duplicate.
          await this.deleteIf({ pk: intent.pk, sk: DEDUP_SK }, '#lease_owner = :owner', { ':owner': owner });
          return { kind: 'no_ticket' };
        }
        const recorded = await this.updateIf(
          { pk: intent.pk, sk: DEDUP_SK },
          'SET #ticket_id = :t',
          'attribute_not_exists(#ticket_id)',
          undefined,
          { ':t': resolved },
        );
        if (recorded) {
          ticketId = resolved;
        } else {
          const current = (await this.get(intent.pk, DEDUP_SK)) as IntentItem | null;
          if (!current) throw new StoreConflictError(`dynamodb: intent ${intent.pk} vanished while being completed`);
          ticketId = current.ticket_id;
          if (!ticketId) continue;
        }
      }
      const message: Message = { ...stored, ticket_id: ticketId };
      await this.putIf(messageItem(message, intent.overflow ?? null, 0), 'attribute_not_exists(#pk)');
      if (message.delivery?.provider_id)
        await this.indexProviderIds(intent.channel, ticketId, message.message_id, [message.delivery.provider_id]);
      const applied = await this.applyMessage(ticketId, message, intent.kind === 'ingest', mutateTicket);
      if (applied.kind === 'missing') {
        if (intent.kind === 'append') return { kind: 'no_ticket' };
        throw new Error(`dynamodb: ticket ${ticketId} chosen for ${intent.pk} does not exist`);
      }
      if (applied.kind === 'closed') {
        // The ticket was closed between choosing it and appending: take the message back out and choose again.
        await this.deleteIf({ pk: ticketPk(ticketId), sk: messageSk(message.message_id) });
        await this.updateIf({ pk: intent.pk, sk: DEDUP_SK }, 'REMOVE #ticket_id', '#ticket_id = :t', undefined, { ':t': ticketId });
        ticketId = undefined;
        continue;
      }
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: intent.pk, sk: DEDUP_SK },
          UpdateExpression: 'SET #state = :done REMOVE #request, #message, #overflow, #gsi3pk, #gsi3sk',
          ExpressionAttributeNames: attributeNames('#state #request #message #overflow #gsi3pk #gsi3sk'),
          ExpressionAttributeValues: { ':done': 'done' },
        }),
      );
      const result = full ? { ...full, ticket_id: ticketId } : await this.getMessage(ticketId, message.message_id);
      if (!result) throw new Error(`dynamodb: message ${ticketId}/${message.message_id} missing right after being written`);
      return { kind: 'done', ticket: applied.ticket, message: result, byUs: applied.byUs, ticketCreated: applied.byUs && applied.wasEmpty };
    }
    throw new StoreConflictError(`dynamodb: could not settle the ticket of ${intent.pk}`);
  }

  /**
   * Fold the message into its ticket's figures exactly once (the applied-id list makes a redo a no-op).
   * Appends to one ticket from this process are grouped into one conditional write (group commit), so a burst
   * on one ticket costs a few writes instead of a storm of version conflicts; other instances still race
   * through the version condition.
   */
  private applyMessage(ticketId: string, message: Message, requireOpen: boolean, mutateTicket?: TicketMutation): Promise<ApplyOutcome> {
    return new Promise<ApplyOutcome>((resolve, reject) => {
      let queue = this.applyQueues.get(ticketId);
      if (!queue) {
        queue = [];
        this.applyQueues.set(ticketId, queue);
        queueMicrotask(() => void this.drainApplyQueue(ticketId));
      }
      queue.push({ message, requireOpen, mutateTicket, resolve, reject });
    });
  }

  private async drainApplyQueue(ticketId: string): Promise<void> {
    for (;;) {
      const queue = this.applyQueues.get(ticketId);
      if (!queue || queue.length === 0) {
        this.applyQueues.delete(ticketId);
        return;
      }
      const batch = queue.splice(0, 50);
      try {
        const outcomes = await this.applyBatch(ticketId, batch);
        batch.forEach((waiter, i) => waiter.resolve(outcomes[i]));
      } catch (err) {
        for (const waiter of batch) waiter.reject(err);
      }
    }
  }

  private async applyBatch(ticketId: string, batch: PendingApply[]): Promise<ApplyOutcome[]> {
    const order = batch.map((_, i) => i).sort((x, y) => compareMessages(batch[x].message, batch[y].message));
    for (let attempt = 0; attempt < this.maxConflictRetries; attempt += 1) {
      const item = await this.get(ticketPk(ticketId), META_SK);
      if (!item) return batch.map(() => ({ kind: 'missing' }));
      const ticket = itemToTicket(item);
      const applied = [...((item.applied as string[] | undefined) ?? [])];
      const results = new Array<{ kind: 'already' } | { kind: 'closed' } | { kind: 'new'; wasEmpty: boolean }>(batch.length);
      let next = ticket;
      for (const i of order) {
        const { message, requireOpen, mutateTicket } = batch[i];
        if (applied.includes(message.message_id)) results[i] = { kind: 'already' };
        else if (requireOpen && next.status !== STATUS_OPEN) results[i] = { kind: 'closed' };
        else {
          const wasEmpty = next.stats.messages_count === 0;
          const appended = withMessage(next, message);
          next = mutateTicket?.(structuredClone(appended)) ?? appended;
          applied.push(message.message_id);
          results[i] = { kind: 'new', wasEmpty };
        }
      }
      const toOutcomes = (final: Ticket): ApplyOutcome[] =>
        results.map((r) =>
          r.kind === 'closed'
            ? { kind: 'closed' }
            : { kind: 'applied', ticket: final, byUs: r.kind === 'new', wasEmpty: r.kind === 'new' && r.wasEmpty },
        );
      if (!results.some((r) => r.kind === 'new')) return toOutcomes(ticket);
      const final: Ticket = { ...next, ticket_id: ticket.ticket_id, version: ticket.version + 1 };
      if (await this.putIf(ticketToItem(final, applied), '#version = :v', { ':v': ticket.version })) return toOutcomes(final);
      await sleep(backoffMs(attempt, 4, 120));
    }
    throw new StoreConflictError(`ticket ${ticketId}: too many concurrent writes`);
  }

  /**
   * The ticket an inbound message joins: the hinted one if open and the same contact, else the contact's open
   * ticket (O item), else a new one. A new ticket's META is written before the O claim, so whoever reads the
   * O item always finds the ticket; the loser of a concurrent claim deletes its own unused META.
   */
  private async resolveTicket(channel: Channel, request: IngestRequest): Promise<string | null> {
    if (request.preferred_ticket_id) {
      const preferred = await this.getTicket(request.preferred_ticket_id);
      if (
        preferred &&
        preferred.status === STATUS_OPEN &&
        preferred.channel === channel &&
        preferred.contact.address === request.contact.address
      ) {
        return preferred.ticket_id;
      }
    }
    const pointerKey = { pk: openTicketPk(channel, request.contact.address), sk: SINGLETON_SK };
    for (let attempt = 0; attempt < this.maxConflictRetries; attempt += 1) {
      const pointer = ((await this.get(pointerKey.pk, pointerKey.sk)) ?? {}) as OpenTicketItem;
      if (request.join_open_ticket && pointer.open_ticket_id) {
        const current = await this.getTicket(pointer.open_ticket_id);
        if (current && current.status === STATUS_OPEN) return current.ticket_id;
        // Stale pointer (crash between closing the ticket and clearing the pointer): repair and go on.
        await this.clearOpenPointer(channel, request.contact.address, pointer.open_ticket_id);
        continue;
      }
      if (!request.may_open_ticket) return null;
      const ticketId = this.ids(Date.parse(request.now) || undefined);
      const ticket = newTicket({
        ticket_id: ticketId,
        channel,
        contact: request.contact,
        subject: request.subject,
        previous_ticket_id: request.linked_ticket_id ?? pointer.last_ticket_id ?? null,
        now: request.now,
      });
      await this.putIf(ticketToItem(ticket, []), 'attribute_not_exists(#pk)');
      const values = { ':t': ticketId, ':c': channel, ':a': request.contact.address };
      const set = 'SET #open_ticket_id = :t, #last_ticket_id = :t, #channel = :c, #address = :a';
      if (!request.join_open_ticket) {
        // Threaded by headers (email): always a new ticket, which becomes the contact's newest open one.
        await this.updateIf(pointerKey, set, 'attribute_not_exists(#last_ticket_id) OR #last_ticket_id < :t', undefined, values);
        return ticketId;
      }
      if (await this.updateIf(pointerKey, set, 'attribute_not_exists(#open_ticket_id)', undefined, values)) return ticketId;
      // Another instance opened the contact's ticket first: drop ours (never referenced) and join theirs.
      await this.deleteIf({ pk: ticketPk(ticketId), sk: META_SK }, '#version = :zero', { ':zero': 0 });
      await sleep(backoffMs(attempt, 2, 50));
    }
    throw new StoreConflictError(`could not settle the open ticket of ${channel} contact`);
  }

  /** Drop the contact's open-ticket pointer if it still names `ticketId`. */
  private async clearOpenPointer(channel: Channel, address: string, ticketId: string): Promise<void> {
    const key = { pk: openTicketPk(channel, address), sk: SINGLETON_SK };
    await this.updateIf(key, 'REMOVE #open_ticket_id', '#open_ticket_id = :t', undefined, { ':t': ticketId });
  }

  // ---------------------------------------------------------------- reads

  async getTicket(ticketId: string): Promise<Ticket | null> {
    const item = await this.get(ticketPk(ticketId), META_SK);
    return item ? itemToTicket(item) : null;
  }

  async getMessages(ticketId: string): Promise<Message[]> {
    const items: Item[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :m)',
          ExpressionAttributeValues: { ':pk': ticketPk(ticketId), ':m': 'M#' },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    return (await this.withMessageBodies(items)).sort(compareMessages);
  }

  async getMessage(ticketId: string, messageId: string): Promise<Message | null> {
    const item = await this.get(ticketPk(ticketId), messageSk(messageId));
    if (!item) return null;
    return (await this.withMessageBodies([item]))[0];
  }

  async findMessageByExternalId(channel: Channel, externalId: string): Promise<Message | null> {
    const intent = (await this.get(dedupPk(channel, externalId), DEDUP_SK)) as IntentItem | null;
    if (!intent || intent.state !== 'done' || !intent.ticket_id) return null;
    return this.getMessage(intent.ticket_id, intent.message_id);
  }

  async findMessageByProviderId(channel: Channel, providerId: string): Promise<Message | null> {
    const index = await this.get(providerPk(channel, providerId), SINGLETON_SK);
    if (index && index.provider_id === providerId) {
      return this.getMessage(String(index.ticket_id), String(index.message_id));
    }
    return null;
  }

  async indexProviderIds(channel: Channel, ticketId: string, messageId: string, providerIds: string[]): Promise<void> {
    const unique = [...new Set(providerIds.filter((id) => id))];
    await batchWriteAll(
      this.doc,
      this.table,
      unique.map((providerId) => ({
        PutRequest: {
          Item: {
            pk: providerPk(channel, providerId),
            sk: SINGLETON_SK,
            type: 'provider_id',
            provider_id: providerId,
            ticket_id: ticketId,
            message_id: messageId,
          },
        },
      })),
    );
  }

  // ---------------------------------------------------------------- list / export (GSI Query, never Scan)

  private filterFingerprint(filter: TicketFilter): string {
    const channels = [...(filter.channels?.length ? filter.channels : this.options.channels)].sort();
    return JSON.stringify([filter.status ?? null, channels, filter.created_from ?? null, filter.created_to ?? null]);
  }

  private channelsOf(filter: TicketFilter): Channel[] {
    const all = this.options.channels;
    return filter.channels?.length ? all.filter((c) => filter.channels!.includes(c)) : [...all];
  }

  /** One page of index keys for one channel, paging by LastEvaluatedKey until `want` keys or the end. */
  private async queryIndexKeys(
    channel: Channel,
    filter: TicketFilter,
    ascending: boolean,
    want: number,
    start: ExclusiveKey | undefined,
  ): Promise<{ keys: ExclusiveKey[]; more: boolean }> {
    const byStatus = filter.status !== undefined;
    const index = byStatus ? GSI_CHANNEL_STATUS : GSI_CHANNEL;
    const pkName = byStatus ? 'gsi2pk' : 'gsi1pk';
    const skName = byStatus ? 'gsi2sk' : 'gsi1sk';
    const pkValue = byStatus ? channelStatusGsiPk(channel, filter.status!) : channelGsiPk(channel);
    const { lo, hi } = createdRange(filter.created_from, filter.created_to);
    const values: Record<string, unknown> = { ':p': pkValue };
    let condition = '#pk = :p';
    if (lo !== undefined && hi !== undefined) {
      condition += ' AND #sk BETWEEN :lo AND :hi';
      values[':lo'] = lo;
      values[':hi'] = hi;
    } else if (lo !== undefined) {
      condition += ' AND #sk >= :lo';
      values[':lo'] = lo;
    } else if (hi !== undefined) {
      condition += ' AND #sk <= :hi';
      values[':hi'] = hi;
    }
    if (lo !== undefined && hi !== undefined && lo > hi) return { keys: [], more: false };
    const keys: ExclusiveKey[] = [];
    let exclusiveStart: ExclusiveKey | undefined = start;
    for (;;) {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: index,
          KeyConditionExpression: condition,
          ExpressionAttributeNames: condition.includes('#sk') ? { '#pk': pkName, '#sk': skName } : { '#pk': pkName },
          ExpressionAttributeValues: values,
          ScanIndexForward: ascending,
          Limit: want - keys.length,
          ExclusiveStartKey: exclusiveStart,
        }),
      );
      keys.push(...((out.Items ?? []) as ExclusiveKey[]));
      exclusiveStart = out.LastEvaluatedKey as ExclusiveKey | undefined;
      if (!exclusiveStart) return { keys, more: false };
      if (keys.length >= want) return { keys, more: true };
    }
  }

  private indexSortKey(key: ExclusiveKey, filter: TicketFilter): string {
    return filter.status !== undefined ? key.gsi2sk : key.gsi1sk;
  }

  /** Tickets for index keys, re-read consistently; drops any whose status moved since the index was written. */
  private async ticketsForKeys(keys: ExclusiveKey[], filter: TicketFilter): Promise<Ticket[]> {
    const items = await batchGetAll(
      this.doc,
      this.table,
      keys.map((k) => ({ pk: k.pk, sk: k.sk })),
    );
    return items.map(itemToTicket).filter((t) => filter.status === undefined || t.status === filter.status);
  }

  /** Every resume key must be a ticket key of the very index partition it will be used on. */
  private cursorKeysFit(pos: ListCursor['pos'], filter: TicketFilter): boolean {
    const channels = this.channelsOf(filter);
    return Object.entries(pos).every(([channel, key]) => {
      if (!channels.includes(channel) || key === undefined) return false;
      if (key === 'done') return true;
      const [pkName, skName, pkValue] =
        filter.status !== undefined
          ? ['gsi2pk', 'gsi2sk', channelStatusGsiPk(channel, filter.status)]
          : ['gsi1pk', 'gsi1sk', channelGsiPk(channel)];
      const names = Object.keys(key).sort().join(',');
      return (
        names === ['pk', 'sk', pkName, skName].sort().join(',') && key[pkName] === pkValue && key.sk === META_SK && key.pk.startsWith('T#')
      );
    });
  }

  async listTickets(filter: TicketFilter, limit: number, cursor?: string | null): Promise<Page<Ticket>> {
    const fingerprint = this.filterFingerprint(filter);
    let position: ListCursor['pos'] = {};
    if (cursor) {
      const decoded = decodeCursor(cursor);
      if (!decoded || decoded.f !== fingerprint || !this.cursorKeysFit(decoded.pos, filter)) {
        throw new ValidationError('invalid_cursor', 'The cursor is not valid for this query.');
      }
      position = decoded.pos;
    }
    const pageSize = Math.max(1, Math.floor(limit));
    const channels = this.channelsOf(filter).filter((c) => position[c] !== 'done');
    // Each channel partition is queried newest first (limit + 1 keys tells whether more remain), then merged.
    const perChannel = await Promise.all(
      channels.map(async (channel) => {
        const start = position[channel];
        const page = await this.queryIndexKeys(channel, filter, false, pageSize + 1, start === 'done' ? undefined : start);
        return { channel, ...page };
      }),
    );
    const merged = perChannel
      .flatMap(({ channel, keys }) => keys.map((key) => ({ channel, key, sort: this.indexSortKey(key, filter) })))
      .sort((a, b) => (a.sort < b.sort ? 1 : a.sort > b.sort ? -1 : 0));
    const taken = merged.slice(0, pageSize);
    const nextPos: ListCursor['pos'] = { ...position };
    for (const { channel, keys, more } of perChannel) {
      const consumed = taken.filter((t) => t.channel === channel);
      if (consumed.length === keys.length && !more) nextPos[channel] = 'done';
      else if (consumed.length) nextPos[channel] = consumed[consumed.length - 1].key;
    }
    const hasMore = merged.length > taken.length || perChannel.some((p) => p.more);
    const items = await this.ticketsForKeys(
      taken.map((t) => t.key),
      filter,
    );
    return { items, next_cursor: hasMore ? encodeCursor({ v: 1, f: fingerprint, pos: nextPos }) : null };
  }

  async *iterateTickets(filter: TicketFilter): AsyncIterable<Ticket> {
    const PAGE = 100;
    type Stream = { channel: Channel; buffer: ExclusiveKey[]; start: ExclusiveKey | undefined; ended: boolean };
    const streams: Stream[] = this.channelsOf(filter).map((channel) => ({ channel, buffer: [], start: undefined, ended: false }));
    const refill = async (s: Stream) => {
      if (s.buffer.length || s.ended) return;
      const page = await this.queryIndexKeys(s.channel, filter, true, PAGE, s.start);
      s.buffer = page.keys;
      s.start = page.keys.length ? page.keys[page.keys.length - 1] : s.start;
      s.ended = !page.more;
    };
    // k-way merge of the per-channel ascending streams; memory stays at one page per channel plus one batch.
    for (;;) {
      await Promise.all(streams.map(refill));
      const batch: ExclusiveKey[] = [];
      while (batch.length < PAGE) {
        let best: Stream | null = null;
        for (const s of streams) {
          if (!s.buffer.length) continue;
          if (!best || this.indexSortKey(s.buffer[0], filter) < this.indexSortKey(best.buffer[0], filter)) best = s;
        }
        if (!best) break;
        batch.push(best.buffer.shift()!);
        if (!best.buffer.length && !best.ended) break; // refill before comparing again
      }
      if (!batch.length) return;
      for (const ticket of await this.ticketsForKeys(batch, filter)) yield ticket;
    }
  }

  // ---------------------------------------------------------------- updates

  async updateTicket(ticketId: string, mutate: TicketMutation): Promise<Ticket | null> {
    for (let attempt = 0; attempt < this.maxConflictRetries; attempt += 1) {
      const item = await this.get(ticketPk(ticketId), META_SK);
      if (!item) return null;
      const current = itemToTicket(item);
      const changed = mutate(structuredClone(current));
      if (!changed) return current;
      const next: Ticket = { ...changed, ticket_id: current.ticket_id, version: current.version + 1 };
      if (await this.putIf(ticketToItem(next, (item.applied as string[] | undefined) ?? []), '#version = :v', { ':v': current.version }))
        return next;
      await sleep(backoffMs(attempt, 4, 120));
    }
    throw new StoreConflictError(`ticket ${ticketId}: too many concurrent writes`);
  }

  async updateMessage(ticketId: string, messageId: string, mutate: MessageMutation): Promise<Message | null> {
    for (let attempt = 0; attempt < this.maxConflictRetries; attempt += 1) {
      const item = await this.get(ticketPk(ticketId), messageSk(messageId));
      if (!item) return null;
      const current = (await this.withMessageBodies([item]))[0];
      const changed = mutate(structuredClone(current));
      if (!changed) return current;
      const next: Message = { ...changed, ticket_id: current.ticket_id, message_id: current.message_id };
      const providerId = next.delivery?.provider_id;
      if (providerId && providerId !== current.delivery?.provider_id) {
        // Index first: a crash after it leaves an index entry pointing at the right message, never a lost status callback.
        const ticket = await this.getTicket(ticketId);
        if (ticket) await this.indexProviderIds(ticket.channel, ticketId, messageId, [providerId]);
      }
      const prepared = prepareMessage(next);
      if (prepared.chunks.length)
        await batchWriteAll(
          this.doc,
          this.table,
          prepared.chunks.map((Item) => ({ PutRequest: { Item } })),
        );
      const mversion = Number(item.mversion ?? 0);
      if (await this.putIf(messageItem(prepared.stored, prepared.overflow, mversion + 1), '#mversion = :v', { ':v': mversion }))
        return next;
      await sleep(backoffMs(attempt, 4, 120));
    }
    throw new StoreConflictError(`message ${messageId}: too many concurrent writes`);
  }

  async setStatus(ticketId: string, status: TicketStatus, now: string): Promise<{ ticket: Ticket; changed: boolean } | null> {
    const existing = await this.getTicket(ticketId);
    if (!existing) return null;
    if (existing.status === status) return { ticket: existing, changed: false };
    if (status === STATUS_OPEN) {
      // Reopen: claim the contact's open-ticket pointer first. A crash after the claim leaves a pointer to a
      // closed ticket, which the next ingest treats as stale and clears (the reopen was never acknowledged).
      await this.claimOpenPointerForReopen(existing);
    }
    let changed = false;
    const ticket = await this.updateTicket(ticketId, (t) => {
      const next = withStatus(t, status, now);
      changed = next !== null;
      return next;
    });
    if (!ticket) return null;
    if (status === STATUS_CLOSED && changed) {
      // Close: the ticket first, then the pointer. A crash in between leaves a pointer to a closed ticket: repaired by the next ingest.
      await this.clearOpenPointer(ticket.channel, ticket.contact.address, ticket.ticket_id);
    }
    return { ticket, changed };
  }

  private async claimOpenPointerForReopen(ticket: Ticket): Promise<void> {
    const key = { pk: openTicketPk(ticket.channel, ticket.contact.address), sk: SINGLETON_SK };
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const claimed = await this.updateIf(
        key,
        'SET #open_ticket_id = :t, #channel = :c, #address = :a',
        'attribute_not_exists(#open_ticket_id) OR #open_ticket_id = :t',
        undefined,
        { ':t': ticket.ticket_id, ':c': ticket.channel, ':a': ticket.contact.address },
      );
      if (claimed) return;
      const pointer = ((await this.get(key.pk, key.sk)) ?? {}) as OpenTicketItem;
      if (!pointer.open_ticket_id) continue;
      const other = await this.getTicket(pointer.open_ticket_id);
      // The contact already has another open ticket: it keeps the pointer (new messages go to the newest conversation).
      if (other && other.status === STATUS_OPEN) return;
      await this.updateIf(key, 'REMOVE #open_ticket_id', '#open_ticket_id = :t', undefined, { ':t': pointer.open_ticket_id });
    }
  }

  // ---------------------------------------------------------------- contacts

  async lastTicketOf(channel: Channel, address: string): Promise<Ticket | null> {
    const pointer = (await this.get(openTicketPk(channel, address), SINGLETON_SK)) as OpenTicketItem | null;
    return pointer?.last_ticket_id ? this.getTicket(pointer.last_ticket_id) : null;
  }

  async getContact(channel: Channel, address: string): Promise<ContactRecord | null> {
    const item = await this.get(contactPk(channel, address), SINGLETON_SK);
    return item ? itemToContact(item) : null;
  }

  async upsertContact(
    channel: Channel,
    address: string,
    patch: Partial<Omit<ContactRecord, 'channel' | 'address'>>,
    now: string,
  ): Promise<ContactRecord> {
    const names: Record<string, string> = { '#channel': 'channel', '#address': 'address', '#type': 'type' };
    const values: Record<string, unknown> = { ':channel': channel, ':address': address, ':type': 'contact' };
    const sets = ['#channel = :channel', '#address = :address', '#type = :type'];
    const fields = { ...CONTACT_DEFAULTS, updated_at: now } as Record<string, unknown>;
    for (const [field, fallback] of Object.entries(fields)) {
      const value = (patch as Record<string, unknown>)[field];
      names[`#${field}`] = field;
      if (field === 'updated_at') {
        values[`:${field}`] = now;
        sets.push(`#${field} = :${field}`);
      } else if (value !== undefined) {
        values[`:${field}`] = value;
        sets.push(`#${field} = :${field}`);
      } else {
        values[`:${field}`] = fallback;
        sets.push(`#${field} = if_not_exists(#${field}, :${field})`);
      }
    }
    const out = await this.updateIf(
      { pk: contactPk(channel, address), sk: SINGLETON_SK },
      `SET ${sets.join(', ')}`,
      undefined,
      names,
      values,
    );
    return itemToContact(out ?? {});
  }

  // ---------------------------------------------------------------- work queues (sparse GSI)

  private async queueKeys(queue: string, below?: string): Promise<Key[]> {
    const keys: Key[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: GSI_QUEUES,
          KeyConditionExpression: below ? 'gsi3pk = :q AND gsi3sk < :below' : 'gsi3pk = :q',
          ExpressionAttributeValues: below ? { ':q': queue, ':below': below } : { ':q': queue },
          ExclusiveStartKey: start,
        }),
      );
      keys.push(...((out.Items ?? []) as Key[]).map((k) => ({ pk: k.pk, sk: k.sk })));
      start = out.LastEvaluatedKey;
    } while (start);
    return keys;
  }

  async listPendingOutbound(): Promise<Message[]> {
    const items = await batchGetAll(this.doc, this.table, await this.queueKeys(OUTBOX_QUEUE));
    const messages = await this.withMessageBodies(items.filter((i) => i.type === 'message'));
    return messages.filter(isPendingOutbound).sort(compareMessages);
  }

  async listTicketsNeedingWork(): Promise<Ticket[]> {
    const items = await batchGetAll(this.doc, this.table, await this.queueKeys(WORK_QUEUE));
    return items
      .filter((i) => i.type === 'ticket')
      .map(itemToTicket)
      .filter(needsFollowUp);
  }

  // ---------------------------------------------------------------- repair

  /**
   * Finish every intent whose writer stopped (crash, kill -9) before marking it done and whose lease has expired.
   * Runs at open() and every repairIntervalMs; safe to run on several instances at once (takeover is conditional).
   */
  async repair(): Promise<number> {
    if (this.repairRun) return this.repairRun;
    this.repairRun = (async () => {
      let finished = 0;
      const expired = await this.queueKeys(REPAIR_QUEUE, `${leaseSortKey(this.nowMs())}#~`);
      for (const key of expired) {
        const item = (await this.get(key.pk, key.sk)) as IntentItem | null;
        if (!item || item.state !== 'pending' || item.lease_until > this.nowMs()) continue;
        const owner = await this.takeOver(item);
        if (!owner) continue;
        await this.completeIntent({ ...item, lease_owner: owner }, owner, undefined);
        finished += 1;
      }
      return finished;
    })().finally(() => {
      this.repairRun = null;
    });
    return this.repairRun;
  }
}

/** ExpressionAttributeNames for every `#name` in the expressions: no reserved-word surprises. */
function attributeNames(...expressions: Array<string | undefined>): Record<string, string> | undefined {
  const names: Record<string, string> = {};
  for (const expression of expressions) for (const match of (expression ?? '').matchAll(/#(\w+)/g)) names[match[0]] = match[1];
  return Object.keys(names).length ? names : undefined;
}

function itemToContact(item: Item): ContactRecord {
  return {
    channel: item.channel as Channel,
    address: String(item.address),
    display_name: (item.display_name as string | null | undefined) ?? null,
    opted_out: Boolean(item.opted_out),
    opted_out_at: (item.opted_out_at as string | null | undefined) ?? null,
    last_inbound_at: (item.last_inbound_at as string | null | undefined) ?? null,
    updated_at: String(item.updated_at),
  };
}

export function createDynamoStore(options: DynamoStoreOptions): DynamoTicketStore {
  return new DynamoTicketStore(options);
}
