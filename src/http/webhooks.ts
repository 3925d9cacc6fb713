// Mounts each adapter's webhook routes. The core verifies every request (route.verify) before the adapter sees it, answers
// a refusal with one shape (403 {"error":{code,message}}) and one log line (with `urls_tried`), then hands the raw
// bytes to the adapter (signatures are computed on them), which answers only after ctx.ingest() resolved.
import { randomUUID } from 'node:crypto';
import express, { Router, type Request } from 'express';
import type { ChannelAdapter, ChannelContext, LoggerLike, WebhookRequest, WebhookResponse, WebhookRoute } from '../domain/channel.js';
import type { IngestOutcome } from '../domain/events.js';
import { errorBody } from './errors.js';

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

export interface WebhooksDeps {
  adapters: ChannelAdapter[];
  context: ChannelContext;
  publicBaseUrl: () => string;
  logger: LoggerLike;
  /** Counts and times each webhook (metrics); optional. */
  observer?: WebhookObserver;
}

export interface WebhookObserver {
  /** Refused: `reason` is the verification failure, the error code, or `http_<status>` for another 4xx/5xx answer. */
  refused(adapter: string, reason: string, seconds: number): void;
  /** Verified and answered below 400; `channel` and `outcome` from the last ingest (null / `none` when nothing was ingested). */
  handled(adapter: string, channel: string | null, outcome: string, seconds: number): void;
}

export function webhooksRouter(deps: WebhooksDeps): Router {
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

  /** Verified: go on. Refused: 403 with the route's code and message, one warning naming what to check. */
  const verified = (adapter: ChannelAdapter, route: WebhookRoute, req: WebhookRequest, res: express.Response): boolean => {
    const verdict = route.verify(req, deps.context);
    if (verdict.ok) return true;
    deps.observer?.refused(adapter.name, verdict.reason, 0);
    deps.logger.warn(
      {
        adapter: adapter.name,
        path: req.path,
        reason: verdict.reason,
        ...(verdict.urls_tried ? { urls_tried: verdict.urls_tried } : {}),
        request_id: req.requestId,
      },
      `${adapter.name} webhook refused (403): ${verdict.hint}`,
    );
    // Refused before the body was read: the connection is not reused, so the unread upload is discarded.
    if (route.verifyBeforeBody) res.setHeader('Connection', 'close');
    res.status(403).json(errorBody(verdict.code, verdict.message));
    return false;
  };

  for (const adapter of deps.adapters) {
    for (const route of adapter.routes) {
      const raw = express.raw({ type: () => true, limit: route.maxBodyBytes ?? DEFAULT_MAX_BODY });
      const verifyBeforeBody = (req: Request, res: express.Response, next: express.NextFunction) => {
        if (verified(adapter, route, toWebhookRequest(req), res)) next();
      };
      const handler = async (req: Request, res: express.Response) => {
        const started = process.hrtime.bigint();
        const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9;
        const request = toWebhookRequest(req);
        if (!route.verifyBeforeBody && !verified(adapter, route, request, res)) return;
        let last: IngestOutcome | null = null;
        let channel: string | null = null;
        // Record what was stored so the response can name the ticket (used by `freeda simulate`).
        const context: ChannelContext = {
          ...deps.context,
          ingest: async (event) => {
            channel = event.channel;
            last = await deps.context.ingest(event);
            return last;
          },
        };
        let response: WebhookResponse;
        try {
          response = await route.handle(request, context);
        } catch (error) {
          deps.observer?.refused(adapter.name, (error as { code?: string }).code ?? 'error', elapsed());
          throw error;
        }
        const stored = last as IngestOutcome | null;
        if (stored?.kind === 'stored') {
          res.setHeader('X-Freeda-Ticket-Id', stored.ticket.ticket_id);
          res.setHeader('X-Freeda-Message-Id', stored.message.message_id);
        }
        send(res, response);
        if (response.status >= 400) deps.observer?.refused(adapter.name, `http_${response.status}`, elapsed());
        else {
          const outcome = stored ? (stored.kind === 'stored' && stored.duplicate ? 'duplicate' : stored.kind) : 'none';
          deps.observer?.handled(adapter.name, channel, outcome, elapsed());
        }
      };
      const chain = route.verifyBeforeBody ? [verifyBeforeBody, raw, handler] : [raw, handler];
      if (route.method === 'POST') router.post(route.path, ...chain);
      else router.get(route.path, ...chain);
    }
  }
  return router;
}
