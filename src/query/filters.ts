// Ticket filters and ids as the API, the CSV export and the CLI take them: invalid values → ValidationError naming the
// parameter (400 over HTTP, exit code 2 in the CLI). Pure: no express.
import type { ChannelCatalog } from '../domain/catalog.js';
import { canonicalStatus, TICKET_STATUSES, type Channel, type TicketStatus } from '../domain/types.js';
import { NotFoundError, ValidationError } from '../errors.js';
import type { TicketFilter } from '../storage/types.js';

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;

type Query = Record<string, unknown>;

const TICKET_ID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** A ticket id from a path: anything that is not a ULID cannot name a ticket, so it is a 404 like an unknown one. */
export function parseTicketId(raw: string): string {
  if (!TICKET_ID.test(raw)) throw new NotFoundError('ticket_not_found', `No ticket ${raw.slice(0, 64)}.`);
  return raw;
}

function single(query: Query, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string')
    throw new ValidationError('invalid_parameter', `The ${name} parameter must be given once, as text.`, { parameter: name });
  return value.trim() === '' ? undefined : value.trim();
}

/** An ISO date (whole UTC day) or date-time, as an inclusive instant bound. */
export function parseDateBound(value: string, name: string, edge: 'start' | 'end'): string {
  let ms: number;
  if (DATE_ONLY.test(value)) {
    ms = Date.parse(`${value}T00:00:00.000Z`);
    if (!Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) !== value) ms = NaN; // 2026-02-30
    if (edge === 'end') ms += 86_400_000 - 1;
  } else if (DATE_TIME.test(value)) {
    ms = Date.parse(/(Z|[+-]\d{2}:?\d{2})$/.test(value) ? value : `${value}Z`);
  } else ms = NaN;
  if (Number.isNaN(ms)) {
    throw new ValidationError(
      'invalid_date',
      `The ${name} parameter must be an ISO date (2026-03-01) or date-time (2026-03-01T08:00:00Z).`,
      { parameter: name },
    );
  }
  return new Date(ms).toISOString();
}

export function parseStatus(value: string | undefined): TicketStatus | undefined {
  if (value === undefined) return undefined;
  const normalized = canonicalStatus(value);
  if (!(TICKET_STATUSES as readonly string[]).includes(normalized)) {
    throw new ValidationError(
      'invalid_status',
      `The status parameter must be one of: ${TICKET_STATUSES.join(', ')} (ferme is accepted for fermé).`,
      {
        parameter: 'status',
      },
    );
  }
  return normalized as TicketStatus;
}

/** A comma list of channel names, each one the catalog knows (the channels this build serves). */
export function parseChannels(value: string | undefined, channels: ChannelCatalog): Channel[] | undefined {
  if (value === undefined) return undefined;
  const list = value
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  const bad = list.filter((c) => !channels.has(c));
  if (bad.length || !list.length) {
    throw new ValidationError(
      'invalid_channel',
      `The channel parameter must be one or more of: ${channels.names.join(', ')} (comma-separated); got ${bad.join(', ') || 'nothing'}.`,
      { parameter: 'channel' },
    );
  }
  return [...new Set(list)];
}

export function parseTicketFilter(query: Query, channels: ChannelCatalog): TicketFilter {
  const filter: TicketFilter = {};
  const status = parseStatus(single(query, 'status'));
  if (status) filter.status = status;
  const wanted = parseChannels(single(query, 'channel'), channels);
  if (wanted) filter.channels = wanted;
  const from = single(query, 'date_from');
  const to = single(query, 'date_to');
  if (from) filter.created_from = parseDateBound(from, 'date_from', 'start');
  if (to) filter.created_to = parseDateBound(to, 'date_to', 'end');
  if (filter.created_from && filter.created_to && filter.created_from > filter.created_to) {
    throw new ValidationError('invalid_date_range', 'date_from must not be after date_to.', { parameter: 'date_from' });
  }
  return filter;
}

export function parseLimit(query: Query, fallback = 50, max = 200): number {
  const raw = single(query, 'limit');
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > max) {
    throw new ValidationError('invalid_limit', `The limit parameter must be a whole number from 1 to ${max}.`, { parameter: 'limit' });
  }
  return Number(raw);
}

export function parseCursor(query: Query): string | null {
  return single(query, 'cursor') ?? null;
}
