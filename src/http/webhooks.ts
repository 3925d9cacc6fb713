// Mounts each adapter's webhook routes. The adapter gets the raw bytes (signatures are computed on them)
// and answers only after ctx.ingest() resolved, i.e. after the durable write.
import { randomUUID } from 'node:crypto';
import express, { Router, type Request } from 'express';
import type { ChannelAdapter, ChannelContext, WebhookRequest, WebhookResponse } from '../domain/channel.js';
import type { IngestOutcome } from '../domain/events.js';

const DEFAULT_MAX_BODY = 1024 * 1024;

function headerRecord(req: Request): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) out[name] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}

function queryRecord(rawQuery: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(rawQuery)) if (!(k in out)) out[k] = v;
  return out;
}

export function webhooksRouter(deps: { adapters: ChannelAdapter[]; context: ChannelContext; publicBaseUrl: () => string }): Router {
  const router = Router();
  const toWebhookRequest = (req: Request): WebhookRequest => {
    const original = req.originalUrl;
    const q = original.indexOf('?');
    const rawQuery = q >= 0 ? original.slice(q + 1) : '';
    const path = q >= 0 ? original.slice(0, q) : original;
    return {
      method: req.method,
      path,
      rawQuery,
      query: queryRecord(rawQuery),
      headers: headerRecord(req),
      rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
      publicUrl: deps.publicBaseUrl() + path + (rawQuery ? `?${rawQuery}` : ''),
      requestId: (req as Request & { id?: string }).id?.toString() ?? randomUUID(),
    };
  };
  const send = (res: express.Response, response: WebhookResponse) => {
    for (const [name, value] of Object.entries(response.headers ?? {})) res.setHeader(name, value);
    if (response.contentType) res.type(response.contentType);
    res.status(response.status).send(response.body ?? '');
  };
  for (const adapter of deps.adapters) {
    for (const route of adapter.routes) {
      const raw = express.raw({ type: () => true, limit: route.maxBodyBytes ?? DEFAULT_MAX_BODY });
      const authorize =
        (check: NonNullable<typeof route.authorize>) => (req: Request, res: express.Response, next: express.NextFunction) => {
          const refusal = check(toWebhookRequest(req), deps.context);
          if (!refusal) return next();
          // Answer before reading the body; the connection is not reused, so the unread upload is discarded.
          res.setHeader('Connection', 'close');
          send(res, refusal);
        };
      const handler = async (req: Request, res: express.Response) => {
        let last: IngestOutcome | null = null;
        // Record what was stored so the response can name the ticket (used by `freeda simulate`).
        const context: ChannelContext = {
          ...deps.context,
          ingest: async (event) => {
            last = await deps.context.ingest(event);
            return last;
          },
        };
        const response = await route.handle(toWebhookRequest(req), context);
        const stored = last as IngestOutcome | null;
        if (stored?.kind === 'stored') {
          res.setHeader('X-Freeda-Ticket-Id', stored.ticket.ticket_id);
          res.setHeader('X-Freeda-Message-Id', stored.message.message_id);
        }
        send(res, response);
      };
      const chain = route.authorize ? [authorize(route.authorize), raw, handler] : [raw, handler];
      if (route.method === 'POST') router.post(route.path, ...chain);
      else router.get(route.path, ...chain);
    }
  }
  return router;
}
