// GET /stats: the export's filters (status, channel, date_from, date_to) + group_by=day|week, as JSON figures.
// Reads through store.iterateTickets like the CSV export (DynamoDB: the channel/status GSI queries, never a Scan);
// answers are cached a few seconds per filter so a dashboard refreshing its charts does not re-read the table.
import { Router } from 'express';
import type { ChannelCatalog } from '../domain/catalog.js';
import { ValidationError } from '../errors.js';
import { computeStats, GROUP_BYS, type GroupBy, type Stats } from '../export/stats.js';
import { parseTicketFilter } from '../query/filters.js';
import type { TicketStore } from '../storage/types.js';

export interface StatsRouterDeps {
  store: TicketStore;
  channels: ChannelCatalog;
  /** How long an answer is reused for the same filter (ms); 0 disables the cache. */
  cacheMs?: number;
  nowMs?: () => number;
}

export function parseGroupBy(value: unknown): GroupBy {
  if (value === undefined || value === '') return 'day';
  if (typeof value === 'string' && (GROUP_BYS as readonly string[]).includes(value)) return value as GroupBy;
  throw new ValidationError('invalid_group_by', `The group_by parameter must be one of: ${GROUP_BYS.join(', ')}.`, {
    parameter: 'group_by',
  });
}

const MAX_CACHED = 64;

export function statsRouter(deps: StatsRouterDeps): Router {
  const router = Router();
  const cacheMs = deps.cacheMs ?? 5_000;
  const nowMs = deps.nowMs ?? Date.now;
  const cache = new Map<string, { at: number; stats: Promise<Stats> }>();

  router.get('/stats', async (req, res) => {
    const filter = parseTicketFilter(req.query, deps.channels);
    const groupBy = parseGroupBy(req.query.group_by);
    const key = JSON.stringify([filter.status, filter.channels, filter.created_from, filter.created_to, groupBy]);
    const hit = cache.get(key);
    let stats: Promise<Stats>;
    if (hit && nowMs() - hit.at < cacheMs) stats = hit.stats;
    else {
      stats = computeStats(deps.store.iterateTickets(filter), groupBy);
      if (cacheMs > 0) {
        cache.delete(key);
        cache.set(key, { at: nowMs(), stats });
        if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value!);
        stats.catch(() => cache.delete(key)); // a failed read is not reused
      }
    }
    res.setHeader('Cache-Control', 'no-store');
    res.json({ filter, ...(await stats) });
  });
  return router;
}
