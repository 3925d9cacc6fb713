// Automatic assignment (AUTO_ASSIGN_AGENTS, issue #16): each new ticket goes to the next agent of the list, in turn.
// The turn is kept per instance (several instances each rotate over the list); a ticket already assigned is left alone.
import type { BusEvent } from '../domain/bus.js';
import type { LoggerLike } from '../domain/channel.js';
import { publicTicket } from '../domain/ticket.js';
import type { TicketStore } from '../storage/types.js';
import type { EventBus } from './bus.js';

export function startRoundRobin(deps: {
  agents: readonly string[];
  store: TicketStore;
  bus: EventBus;
  logger: LoggerLike;
  now: () => Date;
}): () => void {
  if (!deps.agents.length) return () => undefined;
  let turn = 0;
  return deps.bus.subscribe((event: BusEvent) => {
    if (event.type !== 'ticket.created' || event.data.assignee_id) return;
    const agent = deps.agents[turn++ % deps.agents.length];
    const ticketId = event.data.ticket_id;
    deps.store
      .updateTicket(ticketId, (t) => (t.assignee_id ? null : { ...t, assignee_id: agent, updated_at: deps.now().toISOString() }))
      .then((ticket) => {
        if (ticket?.assignee_id === agent) deps.bus.publish({ type: 'ticket.assigned', data: publicTicket(ticket) });
      })
      .catch((error: Error) =>
        deps.logger.warn({ ticket_id: ticketId, err: error.message }, 'automatic assignment failed; the ticket stays unassigned'),
      );
  });
}
