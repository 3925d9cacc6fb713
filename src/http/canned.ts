// Canned replies (issue #16): GET|POST /canned-replies, PATCH|DELETE /canned-replies/:id. `GET ?ticket_id=` adds
// each reply's text rendered for that ticket and the acting agent ({{contact.name}}, {{agent.name}}, {{ticket.id}}).
import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import { renderCanned, type CannedReply } from '../domain/workspace.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { parseTicketId } from '../query/filters.js';
import type { TicketStore } from '../storage/types.js';
import { actingAgentOf } from './acting-agent.js';
import { jsonBody } from './body.js';

const fields = {
  shortcut: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'shortcut: 1 to 32 letters, digits, - or _ (typed after / in the reply box)'),
  title: z.string().trim().min(1, 'title must not be empty').max(120),
  text: z.string().trim().min(1, 'text must not be empty').max(10_000),
};
const createBody = z.object(fields).strict();
const patchBody = z
  .object({ shortcut: fields.shortcut.optional(), title: fields.title.optional(), text: fields.text.optional() })
  .strict()
  .refine((b) => b.shortcut || b.title || b.text, { message: 'give at least one of shortcut, title, text' });

const CANNED_ID = /^cr_[0-9a-f-]{36}$/;
const publicReply = ({ deleted: _d, ...reply }: CannedReply) => reply;

export function cannedRepliesRouter(deps: { store: TicketStore; now: () => Date }): Router {
  const router = Router();
  const { store } = deps;
  const iso = () => deps.now().toISOString();

  async function existing(raw: string): Promise<CannedReply> {
    const reply = CANNED_ID.test(raw) ? await store.getCannedReply(raw) : null;
    if (!reply) throw new NotFoundError('canned_reply_not_found', `No canned reply ${raw.slice(0, 64)}.`);
    return reply;
  }

  async function assertShortcutFree(shortcut: string, except: string | null): Promise<void> {
    const taken = (await store.listCannedReplies()).find((r) => r.shortcut === shortcut && r.canned_id !== except);
    if (taken) throw new ConflictError('shortcut_taken', `The shortcut /${shortcut} is already used by "${taken.title}".`);
  }

  router.get('/canned-replies', async (req, res) => {
    const replies = (await store.listCannedReplies()).map(publicReply);
    const ticketParam = req.query.ticket_id;
    if (ticketParam === undefined) return void res.json({ items: replies });
    if (typeof ticketParam !== 'string')
      throw new ValidationError('invalid_parameter', 'ticket_id must be given once.', { parameter: 'ticket_id' });
    const ticket = await store.getTicket(parseTicketId(ticketParam));
    if (!ticket) throw new NotFoundError('ticket_not_found', `No ticket ${ticketParam}.`);
    const ctx = {
      contactName: ticket.contact.display_name ?? null,
      agentName: actingAgentOf(res)?.name ?? null,
      ticketId: ticket.ticket_id,
    };
    res.json({ items: replies.map((r) => ({ ...r, rendered: renderCanned(r.text, ctx) })) });
  });

  router.post('/canned-replies', async (req, res) => {
    const body = jsonBody(createBody, req.body, 'invalid_canned_reply');
    await assertShortcutFree(body.shortcut, null);
    const at = iso();
    const reply: CannedReply = { canned_id: `cr_${randomUUID()}`, ...body, created_at: at, updated_at: at, deleted: false };
    await store.putCannedReply(reply);
    res.status(201).json(publicReply(reply));
  });

  router.patch('/canned-replies/:id', async (req, res) => {
    const current = await existing(req.params.id);
    const patch = jsonBody(patchBody, req.body, 'invalid_canned_reply');
    if (patch.shortcut) await assertShortcutFree(patch.shortcut, current.canned_id);
    const next: CannedReply = { ...current, ...patch, updated_at: iso() };
    await store.putCannedReply(next);
    res.json(publicReply(next));
  });

  router.delete('/canned-replies/:id', async (req, res) => {
    const current = await existing(req.params.id);
    await store.putCannedReply({ ...current, deleted: true, updated_at: iso() });
    res.status(204).end();
  });

  return router;
}
