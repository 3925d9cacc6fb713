// The json store's search index (issue #16): MiniSearch over the tokens of domain/search.ts. MiniSearch keeps the
// inverted index, its updates and removals (discard + auto-vacuum); we give it our own tokens (no prefix, no fuzzy)
// so that it finds exactly what the DynamoDB token items find: both stores must answer a query the same way.
// Built on the first search from the loaded state, then kept up to date from every applied batch.
import MiniSearch from 'minisearch';
import { compareTimeThenId } from '../../domain/metrics.js';
import { messageTokens, ticketTokens } from '../../domain/search.js';
import type { Message, Ticket } from '../../domain/types.js';
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
  /** The terms each ticket doc was indexed with: a ticket write that changes none of them leaves the doc alone. */
  const ticketTerms = new Map<string, string>();

  const newIndex = () =>
    new MiniSearch<Doc>({
      fields: ['terms'],
      storeFields: ['ticket_id'],
      tokenize: (terms) => terms.split(' '),
      processTerm: (term) => term || null,
      searchOptions: { prefix: false, fuzzy: false },
    });

  function indexTicket(index: MiniSearch<Doc>, ticket: Ticket): void {
    const terms = ticketTokens(ticket).join(' ');
    const known = ticketTerms.get(ticket.ticket_id);
    if (known === terms) return;
    ticketTerms.set(ticket.ticket_id, terms);
    const doc = { id: `t:${ticket.ticket_id}`, ticket_id: ticket.ticket_id, terms };
    if (known === undefined) index.add(doc);
    else index.replace(doc);
  }

  function indexMessage(index: MiniSearch<Doc>, message: Message): void {
    const id = `m:${message.message_id}`;
    if (index.has(id)) return; // a delivery update: the text does not change
    index.add({ id, ticket_id: message.ticket_id, terms: messageTokens(message).join(' ') });
  }

  function follow(batch: Batch): void {
    if (!mini) return;
    for (const ticket of batch.tickets ?? []) indexTicket(mini, ticket);
    for (const message of batch.messages ?? []) indexMessage(mini, message);
  }

  function ready(): MiniSearch<Doc> {
    const current = state();
    if (mini && indexedFor === current) return mini;
    mini = newIndex();
    ticketTerms.clear();
    for (const ticket of current.ticketOrder) {
      indexTicket(mini, ticket);
      for (const message of current.messagesOf(ticket.ticket_id)) indexMessage(mini, message);
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
      let found: Set<string> | null = null;
      // Rarest-first would be faster; every token narrows the set and an empty set ends the search.
      for (const token of tokens) {
        const ids = new Set<string>();
        for (const hit of index.search(token)) {
          const ticketId = hit.ticket_id as string;
          if (!found || found.has(ticketId)) ids.add(ticketId);
        }
        found = ids;
        if (!found.size) break;
      }
      const hits: SearchHit[] = [];
      for (const id of found ?? []) {
        const ticket = tickets.get(id);
        if (ticket) hits.push({ ticket_id: id, created_at: ticket.created_at });
      }
      return hits.sort((a, b) => compareTimeThenId(b.created_at, b.ticket_id, a.created_at, a.ticket_id));
    },
  };
}
