// The redo log of message writes. The dedup item (`D#<channel>#<external_id>`, or `I#<message_id>` without an external
// id) is written first with attribute_not_exists: it is both the exactly-once guard and the whole write to redo. Every
// later step is idempotent, so the writer, a duplicate that takes over an expired lease, or the repair sweep can finish
// it; `byUs` tells which one folded the message into the ticket. Crash matrix: README.md.
import { randomUUID } from 'node:crypto';
import type { LoggerLike } from '../../domain/channel.js';
import type { Channel, Message, Ticket } from '../../domain/types.js';
import { StoreConflictError } from '../../errors.js';
import type { TicketMutation } from '../types.js';
import type { Item } from './client.js';
import { sleep } from './client.js';
import type { ApplyQueue } from './apply-queue.js';
import { messageItem, prepareMessage, type BodyOverflow } from './items.js';
import { DEDUP_SK, REPAIR_QUEUE, leaseSortKey, messageSk, ticketPk } from './keys.js';
import type { TableOps } from './ops.js';
import type { IngestRequest, OpenTicketPointer } from './pointer.js';

export type IntentKind = 'ingest' | 'append';

export interface IntentItem {
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

export type IntentOutcome =
  | { kind: 'done'; ticket: Ticket; message: Message; byUs: boolean; ticketCreated: boolean }
  | { kind: 'no_ticket' }
  /** The record disappeared while we waited (a twin found no ticket): try again with a fresh message id. */
  | { kind: 'vanished' };

export interface IntentWrite {
  intentPk: string;
  kind: IntentKind;
  channel: Channel;
  message: Message;
  /** Ingest: how to pick the ticket. */
  request?: IngestRequest;
  /** Append: the ticket, already known. */
  ticketId?: string;
  mutateTicket?: TicketMutation;
}

export interface IntentsDeps {
  ops: TableOps;
  logger: LoggerLike;
  now(): Date;
  leaseMs: number;
  pointer: OpenTicketPointer;
  applyQueue: ApplyQueue;
  getTicket(ticketId: string): Promise<Ticket | null>;
  getMessage(ticketId: string, messageId: string): Promise<Message | null>;
  indexProviderIds(channel: Channel, ticketId: string, messageId: string, providerIds: string[]): Promise<void>;
}

export interface Intents {
  /** Claim the intent record and finish the write, or wait for / take over the one already there. */
  run(write: IntentWrite): Promise<IntentOutcome>;
  /** Finish every intent whose lease expired (a writer that died): at open() and periodically. Safe on several instances. */
  repair(): Promise<number>;
  /** Resolves once a running repair sweep (if any) is over. */
  settled(): Promise<void>;
}

type Done = Exclude<IntentOutcome, { kind: 'vanished' }>;

export function createIntents(deps: IntentsDeps): Intents {
  const { ops } = deps;
  const nowMs = () => deps.now().getTime();
  /** Intents this process owns and is completing. */
  const inFlight = new Map<string, Promise<Done>>();
  /** Intents another instance owns that this process waits on (one poller per intent per process). */
  const waiting = new Map<string, Promise<IntentOutcome>>();
  const intentKey = (pk: string) => ({ pk, sk: DEDUP_SK });

  async function releaseLease(intentPk: string, owner: string): Promise<void> {
    await ops.update({
      key: intentKey(intentPk),
      update: 'SET #lease_until = :zero, #gsi3sk = :sk',
      condition: '#state = :pending AND #lease_owner = :owner',
      values: { ':zero': 0, ':sk': `${leaseSortKey(0)}#${intentPk}`, ':pending': 'pending', ':owner': owner },
    });
  }

  async function takeOver(item: IntentItem): Promise<string | null> {
    const owner = randomUUID();
    const leaseUntil = nowMs() + deps.leaseMs;
    const updated = await ops.update({
      key: intentKey(item.pk),
      update: 'SET #lease_owner = :owner, #lease_until = :until, #gsi3sk = :sk',
      condition: '#state = :pending AND #lease_owner = :old',
      values: {
        ':owner': owner,
        ':until': leaseUntil,
        ':sk': `${leaseSortKey(leaseUntil)}#${item.pk}`,
        ':pending': 'pending',
        ':old': item.lease_owner,
      },
    });
    if (!updated) return null;
    deps.logger.warn(
      { intent: item.pk, message_id: item.message_id, previous_owner_lease_until: item.lease_until },
      'dynamodb: finishing a write left unfinished by another instance',
    );
    return owner;
  }

  async function finishedIntent(item: IntentItem): Promise<IntentOutcome> {
    if (!item.ticket_id) return { kind: 'vanished' };
    const [ticket, message] = await Promise.all([deps.getTicket(item.ticket_id), deps.getMessage(item.ticket_id, item.message_id)]);
    if (!ticket || !message)
      throw new Error(`dynamodb: dedup record ${item.pk} is done but its message ${item.ticket_id}/${item.message_id} is missing`);
    return { kind: 'done', ticket, message, byUs: false, ticketCreated: false };
  }

  /** The ticket chosen for an ingest intent, recorded on it once (a racing finisher adopts the first choice). */
  async function chooseTicket(intent: IntentItem, owner: string): Promise<string | null | undefined> {
    const resolved = await deps.pointer.resolveTicket(intent.channel, intent.request!);
    if (!resolved) {
      // Nothing stored: drop the intent so a later delivery (once a ticket exists) is not taken for a duplicate.
      await ops.remove({ key: intentKey(intent.pk), condition: '#lease_owner = :owner', values: { ':owner': owner } });
      return null;
    }
    const recorded = await ops.update({
      key: intentKey(intent.pk),
      update: 'SET #ticket_id = :t',
      condition: 'attribute_not_exists(#ticket_id)',
      values: { ':t': resolved },
    });
    if (recorded) return resolved;
    const current = (await ops.get(intentKey(intent.pk))) as IntentItem | null;
    if (!current) throw new StoreConflictError(`dynamodb: intent ${intent.pk} vanished while being completed`);
    return current.ticket_id;
  }

  /** Redo an intent to the end: choose the ticket, write the message, fold it in, mark the intent done. */
  async function complete(intent: IntentItem, owner: string, full: Message | undefined, mutateTicket?: TicketMutation): Promise<Done> {
    let ticketId = intent.ticket_id;
    const stored = intent.message as Message;
    for (let round = 0; round < 10; round += 1) {
      if (!ticketId) {
        const chosen = await chooseTicket(intent, owner);
        if (chosen === null) return { kind: 'no_ticket' };
        ticketId = chosen;
        if (!ticketId) continue;
      }
      const message: Message = { ...stored, ticket_id: ticketId };
      await ops.put({ item: messageItem(message, intent.overflow ?? null, 0), condition: 'attribute_not_exists(#pk)' });
      if (message.delivery?.provider_id)
        await deps.indexProviderIds(intent.channel, ticketId, message.message_id, [message.delivery.provider_id]);
      const applied = await deps.applyQueue.apply(ticketId, { message, requireOpen: intent.kind === 'ingest', mutateTicket });
      if (applied.kind === 'missing') {
        if (intent.kind === 'append') return { kind: 'no_ticket' };
        throw new Error(`dynamodb: ticket ${ticketId} chosen for ${intent.pk} does not exist`);
      }
      if (applied.kind === 'closed') {
        // The ticket was closed between choosing it and appending: take the message back out and choose again.
        await ops.remove({ key: { pk: ticketPk(ticketId), sk: messageSk(message.message_id) } });
        await ops.update({
          key: intentKey(intent.pk),
          update: 'REMOVE #ticket_id',
          condition: '#ticket_id = :t',
          values: { ':t': ticketId },
        });
        ticketId = undefined;
        continue;
      }
      await ops.update({
        key: intentKey(intent.pk),
        update: 'SET #state = :done REMOVE #request, #message, #overflow, #gsi3pk, #gsi3sk',
        values: { ':done': 'done' },
      });
      const result = full ? { ...full, ticket_id: ticketId } : await deps.getMessage(ticketId, message.message_id);
      if (!result) throw new Error(`dynamodb: message ${ticketId}/${message.message_id} missing right after being written`);
      return { kind: 'done', ticket: applied.ticket, message: result, byUs: applied.byUs, ticketCreated: applied.byUs && applied.wasEmpty };
    }
    throw new StoreConflictError(`dynamodb: could not settle the ticket of ${intent.pk}`);
  }

  /** Someone else holds this intent: wait until it is done, or take it over once its lease has expired. */
  async function awaitIntent(intentPk: string): Promise<IntentOutcome> {
    for (let attempt = 0; ; attempt += 1) {
      const item = (await ops.get(intentKey(intentPk))) as IntentItem | null;
      if (!item) return { kind: 'vanished' };
      if (item.state === 'done') return finishedIntent(item);
      if (item.lease_until > nowMs()) {
        await sleep(Math.min(250, 10 * 2 ** Math.min(attempt, 5)) * (0.5 + Math.random()));
        continue;
      }
      const owner = await takeOver(item);
      if (owner) return complete({ ...item, lease_owner: owner }, owner, undefined);
    }
  }

  /** Run `job` once per intent key in this process; a twin call waits for it. */
  async function tracked<T extends IntentOutcome>(map: Map<string, Promise<T>>, intentPk: string, job: Promise<T>): Promise<T> {
    map.set(intentPk, job);
    try {
      return await job;
    } finally {
      map.delete(intentPk);
    }
  }

  async function run(write: IntentWrite): Promise<IntentOutcome> {
    const { intentPk } = write;
    // A twin of an ingest this process is already running waits for it here instead of polling the table.
    const running = inFlight.get(intentPk) ?? waiting.get(intentPk);
    if (running) {
      const outcome = await running.catch(() => null);
      if (outcome?.kind === 'done') return { ...outcome, byUs: false, ticketCreated: false };
      if (outcome?.kind === 'no_ticket') return outcome;
    }
    const prepared = prepareMessage(write.message);
    // Large bodies go first: nothing references them until the intent exists, so a crash here leaves only garbage.
    await ops.writeChunks(prepared);
    const owner = randomUUID();
    const leaseUntil = nowMs() + deps.leaseMs;
    const intent: IntentItem = {
      pk: intentPk,
      sk: DEDUP_SK,
      type: 'intent',
      kind: write.kind,
      state: 'pending',
      lease_owner: owner,
      lease_until: leaseUntil,
      message_id: write.message.message_id,
      channel: write.channel,
      ticket_id: write.ticketId,
      request: write.request,
      message: prepared.stored,
      overflow: prepared.overflow,
      created_at: deps.now().toISOString(),
      gsi3pk: REPAIR_QUEUE,
      gsi3sk: `${leaseSortKey(leaseUntil)}#${intentPk}`,
    };
    if (await ops.put({ item: intent as unknown as Item, condition: 'attribute_not_exists(#pk)' })) {
      const completion = complete(intent, owner, write.message, write.mutateTicket).catch(async (err: unknown) => {
        // We are alive but could not finish (DynamoDB errors beyond the retries): give the lease up at once so the
        // provider's retry finishes the write instead of waiting for the lease to run out.
        await releaseLease(intentPk, owner).catch(() => undefined);
        throw err;
      });
      return tracked(inFlight, intentPk, completion);
    }
    await ops.deleteChunks(prepared).catch(() => undefined);
    return tracked(waiting, intentPk, awaitIntent(intentPk));
  }

  let repairRun: Promise<number> | null = null;
  function repair(): Promise<number> {
    repairRun ??= (async () => {
      let finished = 0;
      const expired = await ops.queueKeys(REPAIR_QUEUE, `${leaseSortKey(nowMs())}#~`);
      for (const key of expired) {
        const item = (await ops.get(key)) as IntentItem | null;
        if (!item || item.state !== 'pending' || item.lease_until > nowMs()) continue;
        const owner = await takeOver(item);
        if (!owner) continue;
        await complete({ ...item, lease_owner: owner }, owner, undefined);
        finished += 1;
      }
      return finished;
    })().finally(() => {
      repairRun = null;
    });
    return repairRun;
  }

  return {
    run,
    repair,
    async settled() {
      await repairRun?.catch(() => undefined);
    },
  };
}
