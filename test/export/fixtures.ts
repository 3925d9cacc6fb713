// Builds a json DATA_DIR through the real store API with exact timestamps, and reads CSV back for assertions.
import { createJsonStore } from '../../src/storage/json/store.js';
import type { Analytics, Channel, Message, Ticket } from '../../src/domain/types.js';
import type { TicketStore } from '../../src/storage/types.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

export async function withStore<T>(dataDir: string, build: (store: TicketStore) => Promise<T>): Promise<T> {
  const store = createJsonStore({ dataDir, logger: silent });
  await store.open();
  try {
    return await build(store);
  } finally {
    await store.close();
  }
}

export const at = (iso: string, plusSeconds = 0) => new Date(Date.parse(iso) + plusSeconds * 1000).toISOString();

export async function customer(
  store: TicketStore,
  channel: Channel,
  address: string,
  externalId: string,
  text: string,
  when: string,
  displayName: string | null = null,
  subject: string | null = null,
): Promise<Ticket> {
  const result = await store.ingest({
    channel,
    contact: { address, display_name: displayName },
    may_open_ticket: true,
    subject,
    now: when,
    message: { direction: 'inbound', author: 'customer', text, attachments: [], external_id: externalId, created_at: when, delivery: null },
  });
  if (result.kind !== 'stored') throw new Error(`fixture ingest ${externalId}: ${result.kind}`);
  return result.ticket;
}

export async function reply(store: TicketStore, ticketId: string, author: 'bot' | 'agent', text: string, when: string): Promise<Ticket> {
  const message: Omit<Message, 'ticket_id' | 'message_id'> = {
    direction: 'outbound',
    author,
    text,
    attachments: [],
    external_id: null,
    created_at: when,
    delivery: {
      status: 'delivered',
      error_code: null,
      error_message: null,
      attempts: 1,
      provider_id: null,
      next_attempt_at: null,
      updated_at: when,
    },
  };
  return (await store.appendMessage(ticketId, message)).ticket;
}

/** Mark the work as done (no bot turn or analysis pending at start-up), with the given labels. */
export async function settle(
  store: TicketStore,
  ticketId: string,
  analytics: Omit<Analytics, 'analyzed_at' | 'model'> | null = null,
): Promise<void> {
  await store.updateTicket(ticketId, (t) => ({
    ...t,
    bot_handled_through: t.stats.last_customer_message_id,
    analytics_through: t.stats.last_customer_message_id,
    analytics: analytics ? { ...analytics, analyzed_at: t.updated_at, model: null } : t.analytics,
  }));
}

/** RFC 4180 reader (quoted fields, doubled quotes, CRLF inside quotes) for assertions. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** Rows as objects keyed by the header line. */
export function csvRecords(text: string): { header: string[]; records: Record<string, string>[] } {
  const [header, ...rows] = parseCsv(text);
  return { header, records: rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]]))) };
}
