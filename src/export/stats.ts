// GET /stats figures: counts and percentiles over the tickets of an export filter. Per-ticket figures come from
// ticketMetrics (src/domain/metrics.ts), the same function the CSV cells use: one definition for both. Pure, no I/O.
import { ticketMetrics } from '../domain/metrics.js';
import type { Ticket } from '../domain/types.js';

export const GROUP_BYS = ['day', 'week'] as const;
export type GroupBy = (typeof GROUP_BYS)[number];

/** Nearest-rank percentiles over non-null values (null = "not applicable", skipped); `count` = values used. */
export interface Percentiles {
  p50: number | null;
  p90: number | null;
  count: number;
}

export interface Totals {
  tickets: number;
  by_channel: Record<string, number>;
  by_status: Record<string, number>;
  /** Label counts; tickets not analysed yet are counted under `non_analyse`. */
  by_category: Record<string, number>;
  by_sentiment: Record<string, number>;
  by_urgency: Record<string, number>;
}

export interface SeriesPoint {
  /** First day of the period (UTC), `YYYY-MM-DD`; a week starts on Monday (ISO 8601). */
  period: string;
  tickets: number;
  by_channel: Record<string, number>;
  by_status: Record<string, number>;
  first_response_seconds: Percentiles;
  resolution_seconds: Percentiles;
  bot_only_share: number | null;
}

export interface Stats {
  group_by: GroupBy;
  totals: Totals;
  first_response_seconds: Percentiles;
  resolution_seconds: Percentiles;
  /** Share (0..1, 4 decimals) of the tickets answered by the bot and never by an agent; null when there are none. */
  bot_only_share: number | null;
  series: SeriesPoint[];
}

export const NOT_ANALYZED = 'non_analyse';

/** Answered by the bot and by no human: the CSV's bot_first_response_time_seconds set, first_human_response empty. */
export function isBotOnly(ticket: Ticket): boolean {
  const m = ticketMetrics(ticket);
  return m.bot_first_response_time_seconds !== null && m.first_human_response_time_seconds === null;
}

/** Nearest rank: the smallest value with at least q of the values at or below it. */
export function percentile(sorted: readonly number[], q: number): number | null {
  if (!sorted.length) return null;
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];
}

export function percentiles(values: Array<number | null>): Percentiles {
  const sorted = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  return { p50: percentile(sorted, 0.5), p90: percentile(sorted, 0.9), count: sorted.length };
}

export function share(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000;
}

/** The period a creation instant falls in (UTC). */
export function periodOf(createdAt: string, groupBy: GroupBy): string {
  const day = new Date(createdAt.slice(0, 10) + 'T00:00:00.000Z');
  if (groupBy === 'week') day.setUTCDate(day.getUTCDate() - ((day.getUTCDay() + 6) % 7));
  return day.toISOString().slice(0, 10);
}

function nextPeriod(period: string, groupBy: GroupBy): string {
  const day = new Date(period + 'T00:00:00.000Z');
  day.setUTCDate(day.getUTCDate() + (groupBy === 'week' ? 7 : 1));
  return day.toISOString().slice(0, 10);
}

const bump = (counts: Record<string, number>, key: string) => void (counts[key] = (counts[key] ?? 0) + 1);

interface Bucket {
  tickets: number;
  by_channel: Record<string, number>;
  by_status: Record<string, number>;
  first: Array<number | null>;
  resolution: Array<number | null>;
  botOnly: number;
}

const emptyBucket = (): Bucket => ({ tickets: 0, by_channel: {}, by_status: {}, first: [], resolution: [], botOnly: 0 });

/** Longest series returned with empty periods filled in (a chart needs its gaps); beyond it only non-empty periods. */
const MAX_FILLED_PERIODS = 1000;

/** Fold the tickets (any order) into the /stats document. */
export async function computeStats(tickets: AsyncIterable<Ticket> | Iterable<Ticket>, groupBy: GroupBy): Promise<Stats> {
  const totals: Totals = { tickets: 0, by_channel: {}, by_status: {}, by_category: {}, by_sentiment: {}, by_urgency: {} };
  const all = emptyBucket();
  const buckets = new Map<string, Bucket>();
  for await (const ticket of tickets) {
    const m = ticketMetrics(ticket);
    const botOnly = isBotOnly(ticket);
    totals.tickets += 1;
    bump(totals.by_channel, ticket.channel);
    bump(totals.by_status, ticket.status);
    bump(totals.by_category, ticket.analytics?.category ?? NOT_ANALYZED);
    bump(totals.by_sentiment, ticket.analytics?.sentiment ?? NOT_ANALYZED);
    bump(totals.by_urgency, ticket.analytics?.urgency ?? NOT_ANALYZED);
    const period = periodOf(ticket.created_at, groupBy);
    let bucket = buckets.get(period);
    if (!bucket) buckets.set(period, (bucket = emptyBucket()));
    for (const b of [all, bucket]) {
      b.tickets += 1;
      bump(b.by_channel, ticket.channel);
      bump(b.by_status, ticket.status);
      b.first.push(m.first_response_time_seconds);
      b.resolution.push(m.resolution_duration_seconds);
      if (botOnly) b.botOnly += 1;
    }
  }
  const periods = [...buckets.keys()].sort();
  if (periods.length > 1) {
    const filled: string[] = [];
    for (let p = periods[0]; p <= periods[periods.length - 1] && filled.length <= MAX_FILLED_PERIODS; p = nextPeriod(p, groupBy))
      filled.push(p);
    if (filled.length <= MAX_FILLED_PERIODS) periods.splice(0, periods.length, ...filled);
  }
  return {
    group_by: groupBy,
    totals,
    first_response_seconds: percentiles(all.first),
    resolution_seconds: percentiles(all.resolution),
    bot_only_share: share(all.botOnly, all.tickets),
    series: periods.map((period) => {
      const b = buckets.get(period) ?? emptyBucket();
      return {
        period,
        tickets: b.tickets,
        by_channel: b.by_channel,
        by_status: b.by_status,
        first_response_seconds: percentiles(b.first),
        resolution_seconds: percentiles(b.resolution),
        bot_only_share: share(b.botOnly, b.tickets),
      };
    }),
  };
}
