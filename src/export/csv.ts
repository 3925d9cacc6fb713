// CSV rows for tickets (docs/design.md "CSV columns"): the cells of a ticket and how each becomes a field (formula
// neutralising, RFC 4180 quoting). Pure functions, no I/O; ./stream.ts streams them through json2csv.
import { ticketMetrics } from '../domain/metrics.js';
import type { Ticket } from '../domain/types.js';
import type { TicketFilter } from '../storage/types.js';

/** The seed's 14 columns, in this order (fixed contract). */
export const CORE_COLUMNS = [
  'ticket_id',
  'created_at',
  'closed_at',
  'status',
  'channel',
  'sentiment',
  'category',
  'urgency',
  'summary',
  'messages_count',
  'resolution_duration_seconds',
  'resolution_duration_hours',
  'first_response_time_seconds',
  'avg_response_time_seconds',
] as const;

/** Extras, always after the core columns. */
export const EXTRA_COLUMNS = [
  'contact',
  'contact_name',
  'previous_ticket_id',
  'handled_by',
  'reopen_count',
  'bot_first_response_time_seconds',
  'first_human_response_time_seconds',
  'analytics_source',
  'subject',
  // Appended at the end (issue #16) so readers of the earlier columns by position keep working.
  'assignee_id',
  'closed_by',
  'first_human_responder',
] as const;

export const CSV_COLUMNS = [...CORE_COLUMNS, ...EXTRA_COLUMNS] as const;

/** null/undefined = "not applicable" = empty cell (never 0). */
export type CsvCell = string | number | null | undefined;

export const CSV_EOL = '\r\n';

const PLAIN_SIGNED_NUMBER = /^[+-](?:\d+(?:\.\d*)?|\.\d+)$/;
const FORMULA_TRIGGER = /^[=@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;
const CANONICAL_ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;

/**
 * Spreadsheets run a cell starting with = @ + - (or tab/CR before one) as a formula. Prefix those with `'`,
 * except a plain signed number (`+33612345678`, `-5`) which a spreadsheet reads as a number anyway.
 */
export function neutralizeFormula(value: string): string {
  if (FORMULA_TRIGGER.test(value)) return `'${value}`;
  if ((value.startsWith('+') || value.startsWith('-')) && !PLAIN_SIGNED_NUMBER.test(value)) return `'${value}`;
  return value;
}

/** One RFC 4180 field: formula-neutralised, then quoted when it holds a quote, comma or line break. */
export function csvField(cell: CsvCell): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'number' && cell >= 0) return String(cell); // our figures: never a formula, never quoted
  const text = neutralizeFormula(typeof cell === 'number' ? String(cell) : cell);
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** ISO 8601 in UTC with a `Z` (stored values already are; anything else is converted). */
export function isoUtc(value: string | null): string | null {
  if (value === null) return null;
  if (CANONICAL_ISO_UTC.test(value)) return value;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? value : new Date(ms).toISOString();
}

export function secondsToHours(seconds: number | null): number | null {
  return seconds === null ? null : Math.round(seconds / 36) / 100;
}

/** The cells of one ticket, in CSV_COLUMNS order. */
export function ticketCsvCells(ticket: Ticket): CsvCell[] {
  const m = ticketMetrics(ticket);
  const a = ticket.analytics;
  return [
    ticket.ticket_id,
    isoUtc(ticket.created_at),
    isoUtc(ticket.closed_at),
    ticket.status,
    ticket.channel,
    a?.sentiment,
    a?.category,
    a?.urgency,
    a?.summary,
    m.messages_count,
    m.resolution_duration_seconds,
    secondsToHours(m.resolution_duration_seconds),
    m.first_response_time_seconds,
    m.avg_response_time_seconds,
    ticket.contact.address,
    ticket.contact.display_name,
    ticket.previous_ticket_id,
    ticket.handled_by,
    ticket.reopen_count,
    m.bot_first_response_time_seconds,
    m.first_human_response_time_seconds,
    a?.source,
    ticket.subject,
    ticket.assignee_id ?? null,
    ticket.closed_by,
    ticket.first_human_responder,
  ];
}

const STATUS_SLUG: Record<string, string> = { 'en cours': 'en-cours', fermé: 'ferme' };

/** `2026-05-01T00:00:00.000Z` → `2026-05-01`; other instants → `20260501T083000Z`. */
function boundSlug(iso: string, edge: 'start' | 'end'): string {
  const dayEdge = edge === 'start' ? 'T00:00:00.000Z' : 'T23:59:59.999Z';
  if (iso.endsWith(dayEdge)) return iso.slice(0, 10);
  return iso.replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '');
}

/** ASCII file name naming the filters and the export date, e.g. `freeda-tickets_status-ferme_channel-sms+email_2026-05-04.csv`. */
export function exportFileName(filter: TicketFilter, exportedAt: Date): string {
  const parts = ['freeda-tickets'];
  if (filter.status) parts.push(`status-${STATUS_SLUG[filter.status] ?? filter.status}`);
  if (filter.channels?.length) parts.push(`channel-${filter.channels.join('+')}`);
  if (filter.created_from) parts.push(`from-${boundSlug(filter.created_from, 'start')}`);
  if (filter.created_to) parts.push(`to-${boundSlug(filter.created_to, 'end')}`);
  parts.push(exportedAt.toISOString().slice(0, 10));
  return `${parts.join('_')}.csv`;
}

export function ticketFileName(ticketId: string, exportedAt: Date): string {
  return `freeda-ticket-${ticketId}_${exportedAt.toISOString().slice(0, 10)}.csv`;
}
