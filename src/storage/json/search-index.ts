// The json store's search index (issue #16): MiniSearch over the tokens of domain/search.ts. MiniSearch keeps the
// inverted index, its updates and removals (discard + auto-vacuum); we give it our own tokens (no prefix, no fuzzy)
// so that it finds exactly what the DynamoDB token items find: both stores must answer a query the same way.
// Built on the first search from the loaded state, then kept up to date from every applied batch.
import MiniSearch from 'minisearch';
import { compareTimeThenId } from '../../domain/metrics.js';
import { messageTokens, ticketTokens } from '../../domain/search.js';
import type { SearchHit } from '../types.js';
import type { Batch, MemoryState } from './state.js';

interface Doc {
  id: string;
  ticket_id: string;
  terms: string;
}

export interface JsonSearchIndex {
  search(tokens: string[]): SearchHit[];
}

export function createJsonSearchIndex(state: () => MemoryState): JsonSearchIndex {
  let mini: MiniSearch<Doc> | null = null;
  let indexedFor: MemoryState | null = null;
  /** Every token of each ticket (its own and its messages'): one MiniSearch document per ticket, replaced when it grows. */
  const ticketTerms = new Map<string, Set<string>>();

  const newIndex = () =>
    new MiniSearch<Doc>({
      fields: ['terms'],
      storeFields: [],
      tokenize: (terms) => terms.split(' '),
      processTerm: (term) => term || null,
      searchOptions: { prefix: false, fuzzy: false, combineWith: 'AND' },
    });

  function addTerms(index: MiniSearch<Doc>, ticketId: string, tokens: string[]): void {
    let terms = ticketTerms.get(ticketId);
    const known = terms !== undefined;
    terms ??= new Set();
    const size = terms.size;
    for (const t of tokens) terms.add(t);
    if (known && terms.size === size) return; // nothing new: a delivery update, a ticket write
    ticketTerms.set(ticketId, terms);
    const doc = { id: ticketId, ticket_id: ticketId, terms: [...terms].join(' ') };
    if (known) index.replace(doc);
    else index.add(doc);
  }

  function follow(batch: Batch): void {
    if (!mini) return;
    for (const ticket of batch.tickets ?? []) addTerms(mini, ticket.ticket_id, ticketTokens(ticket));
    for (const message of batch.messages ?? []) addTerms(mini, message.ticket_id, messageTokens(message));
  }

  function ready(): MiniSearch<Doc> {
    const current = state();
    if (mini && indexedFor === current) return mini;
    mini = newIndex();
    ticketTerms.clear();
    for (const ticket of current.ticketOrder) {
      const tokens = ticketTokens(ticket);
      for (const message of current.messagesOf(ticket.ticket_id)) tokens.push(...messageTokens(message));
      addTerms(mini, ticket.ticket_id, tokens);
    }
    indexedFor = current;
    current.onApply = follow;
    return mini;
  }

  return {
    search(tokens) {
      if (!tokens.length) return [];
      const index = ready();
      const tickets = state().tickets;
      const hits: SearchHit[] = [];
      for (const hit of index.search({ queries: tokens, combineWith: 'AND' })) {
        const ticket = tickets.get(hit.id as string);
        if (ticket) hits.push({ ticket_id: ticket.ticket_id, created_at: ticket.created_at });
      }
      return hits.sort((a, b) => compareTimeThenId(b.created_at, b.ticket_id, a.created_at, a.ticket_id));
    },
  };
}
