// Who is connected: visitor id → open sockets (several tabs), and visitor id → latest known ticket.
import type { VisitorSocket } from '../../src/domain/channel.js';

export interface VisitorSockets {
  add(visitorId: string, socket: VisitorSocket): void;
  remove(visitorId: string, socket: VisitorSocket): void;
  /** Sends to every open socket of the visitor (except `except`); returns how many got it. */
  push(visitorId: string, frame: Record<string, unknown>, except?: VisitorSocket): number;
  count(visitorId: string): number;
  readonly total: number;
}

export function createVisitorSockets(): VisitorSockets {
  const byVisitor = new Map<string, Set<VisitorSocket>>();
  let total = 0;
  return {
    add(visitorId, socket) {
      let set = byVisitor.get(visitorId);
      if (!set) byVisitor.set(visitorId, (set = new Set()));
      if (!set.has(socket)) total++;
      set.add(socket);
    },
    remove(visitorId, socket) {
      const set = byVisitor.get(visitorId);
      if (set?.delete(socket)) total--;
      if (set && set.size === 0) byVisitor.delete(visitorId);
    },
    push(visitorId, frame, except) {
      let delivered = 0;
      for (const socket of byVisitor.get(visitorId) ?? []) {
        if (socket === except) continue;
        socket.send(frame);
        delivered++;
      }
      return delivered;
    },
    count: (visitorId) => byVisitor.get(visitorId)?.size ?? 0,
    get total() {
      return total;
    },
  };
}

/**
 * Visitor → their most recent chat ticket, fed by the event bus (every instance sees every event once the bus is shared)
 * and seeded from the store (lastTicketOf) when a visitor resumes.
 */
export interface VisitorTicketIndex {
  note(visitorId: string, ticketId: string): void;
  latest(visitorId: string): string | null;
}

export function createVisitorTicketIndex(capacity: number): VisitorTicketIndex {
  const latest = new Map<string, string>();
  return {
    note(visitorId, ticketId) {
      const known = latest.get(visitorId);
      // Ticket ids are ULIDs: a later ticket sorts after an earlier one.
      if (known && known >= ticketId) return;
      latest.delete(visitorId);
      latest.set(visitorId, ticketId);
      if (latest.size > capacity) latest.delete(latest.keys().next().value!);
    },
    latest: (visitorId) => latest.get(visitorId) ?? null,
  };
}
