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
