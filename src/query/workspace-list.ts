// GET /tickets with the agent workspace's filters (issue #16): `assignee=me|none|<agent_id>` and `q=<search text>`,
// combined with the store's filters and paged with an opaque cursor. The same code serves both stores: the store
// answers the search (SearchHit list) or pages its index, and this module filters and pages identically.
import { queryTokens, MAX_QUERY_TOKENS } from '../domain/search.js';
import { compareTimeThenId } from '../domain/metrics.js';
import type { Ticket } from '../domain/types.js';
import { ValidationError } from '../errors.js';
import { decodeCursor, encodeCursor } from '../storage/cursor.js';
import type { Page, TicketFilter, TicketStore } from '../storage/types.js';

export interface WorkspaceFilter {
  /** undefined: anyone's; null: unassigned; else this agent's. */
  assignee?: string | null;
  /** Search tokens (queryTokens of `q`). */
  tokens?: string[];
}

/** Tickets read per request at most before a (possibly short) page is returned with a cursor to go on. */
const MAX_EXAMINED = 5_000;

/** `q` and `assignee` as the API takes them; `me` needs an acting agent (a shared API token has none). */
export function parseWorkspaceFilter(query: Record<string, unknown>, agentId: string | null): WorkspaceFilter {
  const out: WorkspaceFilter = {};
  const assignee = query.assignee;
  if (assignee !== undefined) {
    if (typeof assignee !== 'string' || !/^[\w.:@-]{1,128}$/.test(assignee))
      throw new ValidationError('invalid_assignee', 'assignee must be me, none or an agent id.', { parameter: 'assignee' });
    if (assignee === 'me') {
      if (!agentId)
        throw new ValidationError('no_agent_identity', 'assignee=me needs an agent login; this token does not name an agent.', {
          parameter: 'assignee',
        });
      out.assignee = agentId;
    } else out.assignee = assignee === 'none' ? null : assignee;
  }
  const q = query.q;
  if (q !== undefined) {
    if (typeof q !== 'string' || q.length > 200)
      throw new ValidationError('invalid_query', 'q must be given once, at most 200 characters.', { parameter: 'q' });
    if (q.trim() !== '') {
      const tokens = queryTokens(q);
      if (!tokens.length)
        throw new ValidationError('invalid_query', 'q holds no word to search for (2 letters or digits at least).', { parameter: 'q' });
      if (tokens.length > MAX_QUERY_TOKENS)
        throw new ValidationError('invalid_query', `q may hold at most ${MAX_QUERY_TOKENS} words.`, { parameter: 'q' });
      out.tokens = tokens;
    }
  }
  return out;
}

export function matchesFilter(ticket: Ticket, filter: TicketFilter, extra: WorkspaceFilter): boolean {
  if (filter.status && ticket.status !== filter.status) return false;
  if (filter.channels?.length && !filter.channels.includes(ticket.channel)) return false;
  if (filter.created_from && ticket.created_at < filter.created_from) return false;
  if (filter.created_to && ticket.created_at > filter.created_to) return false;
  if (extra.assignee !== undefined && (ticket.assignee_id ?? null) !== extra.assignee) return false;
  return true;
}

const fingerprint = (filter: TicketFilter, extra: WorkspaceFilter) =>
  JSON.stringify([
    filter.status ?? null,
    [...(filter.channels ?? [])].sort(),
    filter.created_from ?? null,
    filter.created_to ?? null,
    extra,
  ]);

type SearchCursor = { s: string; k: [string, string] };
type PagedCursor = { s: string; u: string };
const isSearchCursor = (v: unknown): v is SearchCursor =>
  !!v &&
  typeof (v as SearchCursor).s === 'string' &&
  Array.isArray((v as SearchCursor).k) &&
  (v as SearchCursor).k.every((x) => typeof x === 'string');
const isPagedCursor = (v: unknown): v is PagedCursor =>
  !!v && typeof (v as PagedCursor).s === 'string' && typeof (v as PagedCursor).u === 'string';

function ownCursor<T>(raw: string, isValid: (v: unknown) => v is T & { s: string }, print: string): T {
  const cursor = decodeCursor(raw, isValid);
  if (cursor.s !== print) throw new ValidationError('invalid_cursor', 'The cursor was made for another query.');
  return cursor;
}

/** Search results newest first, filtered, paged after the cursor's (created_at, ticket_id). */
async function searchPage(store: TicketStore, filter: TicketFilter, extra: WorkspaceFilter, limit: number, cursor: string | null) {
  const print = fingerprint(filter, extra);
  const after = cursor ? ownCursor(cursor, isSearchCursor, print).k : null;
  const hits = (await store.searchTickets(extra.tokens!)).filter(
    (h) => !after || compareTimeThenId(h.created_at, h.ticket_id, after[0], after[1]) < 0,
  );
  const items: Ticket[] = [];
  let examined = 0;
  const chunk = Math.min(100, limit * 2);
  for (let i = 0; i < hits.length && items.length < limit && examined < MAX_EXAMINED; i += chunk) {
    const batch = hits.slice(i, i + chunk);
    const tickets = await Promise.all(batch.map((h) => store.getTicket(h.ticket_id)));
    for (let j = 0; j < batch.length; j++) {
      examined = i + j + 1;
      const ticket = tickets[j];
      if (ticket && matchesFilter(ticket, filter, extra)) items.push(ticket);
      if (items.length === limit) break;
    }
  }
  const last = hits[examined - 1];
  return { items, next_cursor: examined < hits.length && last ? encodeCursor({ s: print, k: [last.created_at, last.ticket_id] }) : null };
}

/** The store's own pages, filtered on assignee; each store page is asked for what is still missing, so none overflows. */
async function filteredPage(store: TicketStore, filter: TicketFilter, extra: WorkspaceFilter, limit: number, cursor: string | null) {
  const print = fingerprint(filter, extra);
  let under: string | null = cursor ? ownCursor(cursor, isPagedCursor, print).u : null;
  const items: Ticket[] = [];
  let examined = 0;
  do {
    const page = await store.listTickets(filter, limit - items.length, under);
    examined += page.items.length;
    items.push(...page.items.filter((t) => matchesFilter(t, filter, extra)));
    under = page.next_cursor;
  } while (under && items.length < limit && examined < MAX_EXAMINED);
  return { items, next_cursor: under ? encodeCursor({ s: print, u: under }) : null };
}

export function listWorkspaceTickets(
  store: TicketStore,
  filter: TicketFilter,
  extra: WorkspaceFilter,
  limit: number,
  cursor: string | null,
): Promise<Page<Ticket>> {
  return extra.tokens ? searchPage(store, filter, extra, limit, cursor) : filteredPage(store, filter, extra, limit, cursor);
}
