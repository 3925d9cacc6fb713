// Folding stored messages into their ticket's figures, exactly once, grouped per ticket.
// The ticket item keeps the ids of the last messages applied, so a redo (repair, a duplicate that took over) is a no-op.
// Appends to one ticket from this process are grouped into one conditional write (group commit), so a burst on one
// ticket costs a few writes instead of a storm of version conflicts; other instances still race through the version
// condition.
import { compareMessages } from '../../domain/metrics.js';
import { withMessage } from '../../domain/ticket.js';
import type { Message, Ticket } from '../../domain/types.js';
import { STATUS_OPEN } from '../../domain/types.js';
import { StoreConflictError } from '../../errors.js';
import type { TicketMutation } from '../types.js';
import { backoffMs, sleep } from './client.js';
import { itemToTicket, ticketToItem } from './items.js';
import { META_SK, ticketPk } from './keys.js';
import type { TableOps } from './ops.js';

export type ApplyOutcome =
  /** `byUs`: this call folded the message in (else it was already); `wasEmpty`: it was the ticket's first message. */
  | { kind: 'applied'; ticket: Ticket; byUs: boolean; wasEmpty: boolean }
  /** The ticket was closed meanwhile and the message may only join an open one. */
  | { kind: 'closed' }
  | { kind: 'missing' };

export interface ApplyRequest {
  message: Message;
  /** Inbound messages join open tickets only (the ticket may have been closed since it was chosen). */
  requireOpen: boolean;
  /** Applied to the ticket in the same write (e.g. mark the bot decision taken). */
  mutateTicket?: TicketMutation;
}

interface Waiter extends ApplyRequest {
  resolve(outcome: ApplyOutcome): void;
  reject(err: unknown): void;
}

type Result = { kind: 'already' } | { kind: 'closed' } | { kind: 'new'; wasEmpty: boolean };

/** Most messages folded into one ticket write. */
const BATCH = 50;

export interface ApplyQueue {
  apply(ticketId: string, request: ApplyRequest): Promise<ApplyOutcome>;
}

export function createApplyQueue(deps: { ops: TableOps; maxConflictRetries: number }): ApplyQueue {
  const { ops } = deps;
  const queues = new Map<string, Waiter[]>();

  /** Fold the batch in time order into the ticket as read; what changed is written under its version. */
  function fold(ticket: Ticket, applied: string[], batch: Waiter[]): { next: Ticket; results: Result[] } {
    const order = batch.map((_, i) => i).sort((x, y) => compareMessages(batch[x].message, batch[y].message));
    const results = new Array<Result>(batch.length);
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
    return { next, results };
  }

  async function applyBatch(ticketId: string, batch: Waiter[]): Promise<ApplyOutcome[]> {
    for (let attempt = 0; attempt < deps.maxConflictRetries; attempt += 1) {
      const item = await ops.get({ pk: ticketPk(ticketId), sk: META_SK });
      if (!item) return batch.map(() => ({ kind: 'missing' }));
      const ticket = itemToTicket(item);
      const applied = [...((item.applied as string[] | undefined) ?? [])];
      const { next, results } = fold(ticket, applied, batch);
      const outcomes = (final: Ticket): ApplyOutcome[] =>
        results.map((r) =>
          r.kind === 'closed'
            ? { kind: 'closed' }
            : { kind: 'applied', ticket: final, byUs: r.kind === 'new', wasEmpty: r.kind === 'new' && r.wasEmpty },
        );
      if (!results.some((r) => r.kind === 'new')) return outcomes(ticket);
      const final: Ticket = { ...next, ticket_id: ticket.ticket_id, version: ticket.version + 1 };
      if (await ops.put({ item: ticketToItem(final, applied), condition: '#version = :v', values: { ':v': ticket.version } })) {
        return outcomes(final);
      }
      await sleep(backoffMs(attempt, 4, 120));
    }
    throw new StoreConflictError(`ticket ${ticketId}: too many concurrent writes`);
  }

  async function drain(ticketId: string): Promise<void> {
    for (;;) {
      const queue = queues.get(ticketId);
      if (!queue || queue.length === 0) {
        queues.delete(ticketId);
        return;
      }
      const batch = queue.splice(0, BATCH);
      try {
        const outcomes = await applyBatch(ticketId, batch);
        batch.forEach((waiter, i) => waiter.resolve(outcomes[i]));
      } catch (err) {
        for (const waiter of batch) waiter.reject(err);
      }
    }
  }

  return {
    apply(ticketId, request) {
      return new Promise<ApplyOutcome>((resolve, reject) => {
        let queue = queues.get(ticketId);
        if (!queue) {
          queue = [];
          queues.set(ticketId, queue);
          queueMicrotask(() => void drain(ticketId));
        }
        queue.push({ ...request, resolve, reject });
      });
    },
  };
}
