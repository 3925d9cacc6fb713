// Agent workspace on tickets (issue #16): GET /tickets with assignee= and q=, PATCH /tickets/:id/assignee,
// POST /tickets/:id/notes, PATCH /tickets/:id/analytics. Mounted before the tickets router: a GET /tickets without
// assignee/q goes on to it unchanged.
import { Router } from 'express';
import { z } from 'zod';
import type { ChannelCatalog } from '../domain/catalog.js';
import { publicMessage, publicTicket } from '../domain/ticket.js';
import { CATEGORIES, SENTIMENTS, URGENCIES } from '../domain/types.js';
import { correctLabels } from '../domain/workspace.js';
import { NotFoundError, ValidationError } from '../errors.js';
import type { EventBus } from '../pipeline/bus.js';
import { parseCursor, parseLimit, parseTicketFilter, parseTicketId } from '../query/filters.js';
import { listWorkspaceTickets, parseWorkspaceFilter } from '../query/workspace-list.js';
import type { TicketStore } from '../storage/types.js';
import { actingAgentOf } from './acting-agent.js';
import { jsonBody } from './body.js';

const assigneeBody = z.object({
  agent_id: z
    .string()
    .trim()
    .min(1)
    .max(128)
    .regex(/^[\w.:@-]+$/, 'not an agent id')
    .nullable(),
});
const noteBody = z.object({
  text: z.string().trim().min(1, 'text must not be empty').max(10_000, 'text must be at most 10000 characters'),
});
const labelsBody = z
  .object({ sentiment: z.enum(SENTIMENTS).optional(), category: z.enum(CATEGORIES).optional(), urgency: z.enum(URGENCIES).optional() })
  .strict()
  .refine((b) => b.sentiment || b.category || b.urgency, { message: 'give at least one of sentiment, category, urgency' });

export interface WorkspaceDeps {
  store: TicketStore;
  bus: EventBus;
  channels: ChannelCatalog;
  now: () => Date;
}

export function workspaceTicketsRouter(deps: WorkspaceDeps): Router {
  const router = Router();
  const { store, bus } = deps;
  const iso = () => deps.now().toISOString();

  router.get('/tickets', async (req, res, next) => {
    if (req.query.assignee === undefined && req.query.q === undefined) return next();
    const filter = parseTicketFilter(req.query, deps.channels);
    const extra = parseWorkspaceFilter(req.query, actingAgentOf(res)?.agent_id ?? null);
    const page = await listWorkspaceTickets(store, filter, extra, parseLimit(req.query), parseCursor(req.query));
    res.json({ items: page.items.map(publicTicket), next_cursor: page.next_cursor });
  });

  router.patch('/tickets/:id/assignee', async (req, res) => {
    const id = parseTicketId(req.params.id);
    const requested = jsonBody(assigneeBody, req.body, 'invalid_assignee').agent_id;
    // "me": the acting agent (the dashboard's "assign to me" does not need to know its own id).
    const agent_id = requested === 'me' ? actingAgentOf(res)?.agent_id : requested;
    if (agent_id === undefined)
      throw new ValidationError('no_agent_identity', 'agent_id "me" needs an agent login; this token does not name an agent.');
    let changed = false;
    const ticket = await store.updateTicket(id, (t) => {
      changed = (t.assignee_id ?? null) !== agent_id;
      return changed ? { ...t, assignee_id: agent_id, updated_at: iso() } : null;
    });
    if (!ticket) throw new NotFoundError('ticket_not_found', `No ticket ${id}.`);
    if (changed) bus.publish({ type: 'ticket.assigned', data: publicTicket(ticket) });
    res.json(publicTicket(ticket));
  });

  // A note is a message no channel ever sees: no delivery (the dispatcher sends only queued deliveries), never on the
  // visitor's socket (published as note.created, which only agents get), filtered out of what the bot and analytics read.
  router.post('/tickets/:id/notes', async (req, res) => {
    const id = parseTicketId(req.params.id);
    const { text } = jsonBody(noteBody, req.body, 'invalid_note');
    if (!(await store.getTicket(id))) throw new NotFoundError('ticket_not_found', `No ticket ${id}.`);
    const agent = actingAgentOf(res);
    const { message } = await store.appendMessage(id, {
      direction: 'outbound',
      author: 'agent',
      text,
      attachments: [],
      external_id: null,
      created_at: iso(),
      delivery: null,
      visibility: 'internal',
      agent_id: agent?.agent_id ?? null,
      author_name: agent?.name ?? null,
    });
    bus.publish({ type: 'note.created', data: publicMessage(message) });
    res.status(201).json(publicMessage(message));
  });

  router.patch('/tickets/:id/analytics', async (req, res) => {
    const id = parseTicketId(req.params.id);
    const patch = jsonBody(labelsBody, req.body, 'invalid_labels');
    const agent = actingAgentOf(res);
    const ticket = await store.updateTicket(id, (t) => correctLabels(t, patch, agent?.agent_id ?? null, iso()));
    if (!ticket) throw new NotFoundError('ticket_not_found', `No ticket ${id}.`);
    bus.publish({ type: 'ticket.updated', data: publicTicket(ticket) });
    res.json(publicTicket(ticket));
  });

  return router;
}
