// GET /tickets, GET /tickets/:id, PATCH /tickets/:id/status, POST /tickets/:id/messages.
import { Router } from 'express';
import { z } from 'zod';
import type { ChannelCatalog } from '../domain/catalog.js';
import { safeContentType, safeFilename } from '../domain/attachments.js';
import { publicMessage, publicTicket } from '../domain/ticket.js';
import { canonicalStatus, STATUS_CLOSED, TICKET_STATUSES } from '../domain/types.js';
import type { AuditLog } from '../auth/audit.js';
import type { Principal } from '../auth/types.js';
import { type AuthorMeta, customerFacingName, type NameDisplay } from '../domain/authors.js';
import { NotFoundError, ValidationError } from '../errors.js';
import type { Pipeline } from '../pipeline/service.js';
import { type BlobStore, isBlobKey } from '../storage/blobs.js';
import type { TicketStore } from '../storage/types.js';
import { parseCursor, parseLimit, parseTicketFilter, parseTicketId } from '../query/filters.js';

export const statusBody = z.object({
  status: z.preprocess((v) => (typeof v === 'string' ? canonicalStatus(v) : v), z.enum(TICKET_STATUSES)),
});
export const replyBody = z.object({
  text: z.string().trim().min(1, 'text must not be empty').max(10_000, 'text must be at most 10000 characters'),
  client_id: z.string().trim().min(1).max(128).optional(),
});

function jsonBody<T>(schema: z.ZodType<T>, body: unknown, code: string): T {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ValidationError('invalid_body', 'The request body must be a JSON object (Content-Type: application/json).');
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ValidationError(code, `${issue.path.join('.') || 'body'}: ${issue.message}`, { parameter: issue.path.join('.') });
  }
  return parsed.data;
}

export interface TicketsRouterDeps {
  store: TicketStore;
  blobs: BlobStore;
  pipeline: Pipeline;
  channels: ChannelCatalog;
  /** Audit of replies and status changes (absent: not recorded). */
  audit?: AuditLog;
  /** AGENT_NAME_DISPLAY: what customers see of the replying agent's name. */
  nameDisplay?: NameDisplay;
}

/** The author of a reply written with an agent account; none for a service token. */
function authorOf(principal: Principal | undefined, display: NameDisplay): AuthorMeta | undefined {
  if (principal?.kind !== 'agent') return undefined;
  return { agent_id: principal.agent_id, author_name: principal.name, customer_author_name: customerFacingName(principal.name, display) };
}

export function ticketsRouter(deps: TicketsRouterDeps): Router {
  const router = Router();
  const { store, blobs, pipeline } = deps;

  router.get('/tickets', async (req, res) => {
    const filter = parseTicketFilter(req.query, deps.channels);
    const page = await store.listTickets(filter, parseLimit(req.query), parseCursor(req.query));
    res.json({ items: page.items.map(publicTicket), next_cursor: page.next_cursor });
  });

  router.get('/tickets/:id', async (req, res) => {
    const id = parseTicketId(req.params.id);
    const ticket = await store.getTicket(id);
    if (!ticket) throw new NotFoundError('ticket_not_found', `No ticket ${id}.`);
    const messages = await store.getMessages(id);
    res.json({ ...publicTicket(ticket), messages: messages.map(publicMessage) });
  });

  // Attachment bytes, only through a ticket whose messages refer to them; always a download, never rendered inline.
  router.get('/tickets/:id/attachments/:key', async (req, res) => {
    const id = parseTicketId(req.params.id);
    const key = req.params.key;
    const messages = isBlobKey(key) ? await store.getMessages(id) : [];
    const attachment = messages.flatMap((m) => m.attachments).find((a) => a.stored_key === key);
    const bytes = attachment ? await blobs.get(key) : null;
    if (!attachment || !bytes) throw new NotFoundError('attachment_not_found', `No stored attachment ${key.slice(0, 80)} on ticket ${id}.`);
    // Sanitised again: messages stored before ingest sanitised their metadata must not make this a 500.
    // res.attachment: RFC 6266 Content-Disposition (content-disposition), `filename*` for non-ASCII names.
    res.attachment(safeFilename(attachment.filename) ?? key);
    res.setHeader('Content-Type', safeContentType(attachment.content_type));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
    res.send(bytes);
  });

  router.patch('/tickets/:id/status', async (req, res) => {
    const id = parseTicketId(req.params.id);
    const { status } = jsonBody(statusBody, req.body, 'invalid_status');
    const principal = res.locals.principal as Principal | undefined;
    const { ticket, changed } = await pipeline.setStatus(id, status, principal?.agent_id ?? null);
    if (changed && principal)
      await deps.audit?.record({
        actor_id: principal.agent_id ?? 'service',
        action: status === STATUS_CLOSED ? 'ticket_closed' : 'ticket_reopened',
        target: id,
        ip: req.ip ?? null,
      });
    res.json(publicTicket(ticket));
  });

  router.post('/tickets/:id/messages', async (req, res) => {
    const id = parseTicketId(req.params.id);
    const body = jsonBody(replyBody, req.body, 'invalid_message');
    const principal = res.locals.principal as Principal | undefined;
    const { message, duplicate } = await pipeline.agentReply(id, body, authorOf(principal, deps.nameDisplay ?? 'first'));
    if (!duplicate && principal)
      await deps.audit?.record({ actor_id: principal.agent_id ?? 'service', action: 'ticket_replied', target: id, ip: req.ip ?? null });
    res.status(duplicate ? 200 : 201).json(publicMessage(message));
  });

  return router;
}
