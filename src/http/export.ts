// GET /export/csv and GET /export/csv/:ticket_id, streamed with back-pressure (memory stays flat).
import { pipeline } from 'node:stream/promises';
import { Router, type Request, type Response } from 'express';
import type { AuditLog } from '../auth/audit.js';
import type { Principal } from '../auth/types.js';
import type { Ticket } from '../domain/types.js';
import { NotFoundError, ValidationError } from '../errors.js';
import type { ChannelCatalog } from '../domain/catalog.js';
import type { LoggerLike } from '../domain/channel.js';
import { exportFileName, ticketFileName } from '../export/csv.js';
import { csvStream } from '../export/stream.js';
import { parseTicketFilter, parseTicketId } from '../query/filters.js';
import type { TicketStore } from '../storage/types.js';

export interface ExportRouterDeps {
  store: TicketStore;
  /** Valid `channel` filter values. */
  channels: ChannelCatalog;
  logger?: LoggerLike;
  now?: () => Date;
  /** Records each export (who, which filter) when set. */
  audit?: AuditLog;
}

/** `bom=1` prefixes a UTF-8 byte order mark so Excel opens accents right. */
export function parseBom(value: unknown): boolean {
  if (value === undefined || value === '') return false;
  if (value === '1' || value === 'true') return true;
  if (value === '0' || value === 'false') return false;
  throw new ValidationError('invalid_bom', 'The bom parameter must be 1 or 0.', { parameter: 'bom' });
}

async function streamCsv(
  res: Response,
  tickets: AsyncIterable<Ticket> | Iterable<Ticket>,
  fileName: string,
  bom: boolean,
  logger?: LoggerLike,
): Promise<void> {
  res.status(200);
  res.setHeader('Content-Type', 'text/csv; charset=utf-8; header=present');
  res.setHeader('Content-Disposition', `attachment; filename="${fileName}"`);
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  try {
    await pipeline(csvStream(tickets, { bom }), res);
  } catch (error) {
    // The client went away mid-download: nothing to answer, nothing to log as a failure.
    if (res.destroyed && (error as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE') return;
    if (!res.headersSent) throw error;
    logger?.error({ err: (error as Error).message }, 'CSV export failed mid-stream');
    res.destroy();
  }
}

export function createExportRouter(deps: ExportRouterDeps): Router {
  const router = Router();
  const now = deps.now ?? (() => new Date());
  const auditExport = async (req: Request, res: Response, target: string) => {
    const principal = res.locals.principal as Principal | undefined;
    if (deps.audit && principal)
      await deps.audit.record({ actor_id: principal.agent_id ?? 'service', action: 'export', target, ip: req.ip ?? null });
  };

  router.get('/export/csv', async (req, res) => {
    const filter = parseTicketFilter(req.query, deps.channels);
    const bom = parseBom(req.query.bom);
    await auditExport(req, res, new URLSearchParams(req.query as Record<string, string>).toString() || 'all');
    await streamCsv(res, deps.store.iterateTickets(filter), exportFileName(filter, now()), bom, deps.logger);
  });

  router.get('/export/csv/:ticket_id', async (req, res) => {
    const id = parseTicketId(req.params.ticket_id);
    const bom = parseBom(req.query.bom);
    const ticket = await deps.store.getTicket(id);
    if (!ticket) throw new NotFoundError('ticket_not_found', `No ticket ${id}.`);
    await auditExport(req, res, id);
    await streamCsv(res, [ticket], ticketFileName(id, now()), bom, deps.logger);
  });

  return router;
}
