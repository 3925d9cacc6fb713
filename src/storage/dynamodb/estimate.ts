// `freeda dynamodb:estimate`: the monthly DynamoDB bill of a Freeda desk, from the items our model really writes
// (built with the store's own item functions, sized with DynamoDB's rules) and the write sequences of
// dynamodb/README.md. Pure arithmetic: the command feeds it a sample (generated or measured on a store) and prints it.
import type { Message, Ticket } from '../../domain/types.js';
import { messageItem, ticketToItem } from './items.js';

/**
 * Prices in USD, region eu-west-3 (Paris), after the November 2024 on-demand price cut. Taken from memory of
 * https://aws.amazon.com/dynamodb/pricing/ (on-demand and provisioned pages), 2025; NOT re-checked for this release:
 * check the page and pass --wru-price etc. when they differ.
 */
export const PRICES_EU_WEST_3 = {
  as_of: '2025 (unverified: check https://aws.amazon.com/dynamodb/pricing/)',
  region: 'eu-west-3',
  wru_per_million: 0.7268,
  rru_per_million: 0.1453,
  storage_gb_month: 0.2975,
  wcu_hour: 0.000772,
  rcu_hour: 0.0001544,
};
export type Prices = typeof PRICES_EU_WEST_3;

/** DynamoDB's item size rules: names + values; numbers ~1 byte per 2 digits + 1; maps/lists 3 bytes + 1 per element. */
export function attributeSize(value: unknown): number {
  if (value === null || value === undefined || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number') {
    const digits =
      String(Math.abs(value))
        .replace(/[.e+-]/g, '')
        .replace(/^0+/, '').length || 1;
    return Math.ceil(digits / 2) + 1;
  }
  if (Array.isArray(value)) return 3 + value.reduce((n: number, v) => n + 1 + attributeSize(v), 0);
  return (
    3 +
    Object.entries(value as Record<string, unknown>).reduce(
      (n, [k, v]) => (v === undefined ? n : n + Buffer.byteLength(k) + 1 + attributeSize(v)),
      0,
    )
  );
}

export function itemSize(item: Record<string, unknown>): number {
  return Object.entries(item).reduce((n, [k, v]) => (v === undefined ? n : n + Buffer.byteLength(k) + attributeSize(v)), 0);
}

/** Write request units of one write of an item that size (1 per KB started); reads: 1 per 4 KB (strong), half eventual. */
export const wru = (bytes: number): number => Math.max(1, Math.ceil(bytes / 1024));
export const rru = (bytes: number, consistent = true): number => Math.max(1, Math.ceil(bytes / 4096)) * (consistent ? 1 : 0.5);

/** Storage overhead DynamoDB bills per item (table and each index). */
export const ITEM_OVERHEAD_BYTES = 100;
/** A KEYS_ONLY index entry: table keys + index keys (~90 bytes here) + overhead. */
export const INDEX_ENTRY_BYTES = 90 + ITEM_OVERHEAD_BYTES;
/** Small items: dedup/intent once done, provider id, open-ticket pointer, contact (measured on the real items, rounded up). */
export const SMALL_ITEM_BYTES = 200;

export interface Sample {
  ticketBytes: number;
  inboundBytes: number;
  replyBytes: number;
}

/** Sizes of a ticket item and its message items, with the store's own item builders. */
export function sampleOf(ticket: Ticket, messages: Message[]): Sample {
  const inbound = messages.filter((m) => m.direction === 'inbound');
  const replies = messages.filter((m) => m.direction === 'outbound');
  const avg = (list: Message[]) => (list.length ? list.reduce((n, m) => n + itemSize(messageItem(m, null, 0)), 0) / list.length : 0);
  return {
    ticketBytes: itemSize(
      ticketToItem(
        ticket,
        messages.slice(-100).map((m) => m.message_id),
      ),
    ),
    inboundBytes: avg(inbound),
    replyBytes: avg(replies),
  };
}

export interface Usage {
  tickets: number;
  messagesPerTicket: number;
  dashboardLoads: number;
  exports: number;
}

export interface Estimate {
  /** Request units per operation (the figures the totals are made of). */
  perOperation: { name: string; wru: number; rru: number }[];
  monthly: { wru: number; rru: number; storage_gb: number };
  onDemand: { writes: number; reads: number; storage: number; total: number };
  provisioned: { wcu: number; rcu: number; capacity: number; storage: number; total: number };
}

/**
 * Write sequences (dynamodb/README.md): an inbound message = intent put + ticket-on-intent update + message put +
 * META put + intent done (5 writes; the first of a ticket adds the hidden META and the pointer claim, 2 more), and the
 * REPAIR/WORK queue entries in gsi3 (2 index writes); a bot/agent reply = intent + message + META + done (4) plus two
 * delivery updates (message put + provider id put each); analytics = META get + put; closing = META put + pointer.
 */
export function estimate(sample: Sample, usage: Usage, prices: Prices = PRICES_EU_WEST_3): Estimate {
  const inboundPerTicket = Math.ceil(usage.messagesPerTicket / 2);
  const repliesPerTicket = usage.messagesPerTicket - inboundPerTicket;
  const t = wru(sample.ticketBytes);
  const intent = (bytes: number) => wru(bytes + 300);
  const inbound = { name: 'inbound message', wru: intent(sample.inboundBytes) * 2 + wru(sample.inboundBytes) + t + 1 + 2, rru: 3 };
  const opening = { name: 'ticket opening (extra)', wru: t + 1, rru: 1 };
  const reply = {
    name: 'bot/agent reply + 2 delivery updates',
    wru: intent(sample.replyBytes) + wru(sample.replyBytes) * 3 + t + 1 + 2,
    rru: 4,
  };
  const analytics = { name: 'analytics update', wru: t, rru: rru(sample.ticketBytes) };
  const closing = { name: 'close', wru: t + 1 + 2, rru: rru(sample.ticketBytes) + 1 };
  const dashboard = { name: 'dashboard load (50 tickets)', wru: 0, rru: 0.5 + 50 * rru(sample.ticketBytes) };
  const exportAll = {
    name: 'CSV export of every ticket',
    wru: 0,
    rru: Math.ceil(usage.tickets / 1000) * 0.5 * 4 + usage.tickets * rru(sample.ticketBytes),
  };
  const perTicketWru =
    opening.wru + inbound.wru * inboundPerTicket + reply.wru * repliesPerTicket + analytics.wru * inboundPerTicket + closing.wru;
  const perTicketRru =
    opening.rru + inbound.rru * inboundPerTicket + reply.rru * repliesPerTicket + analytics.rru * inboundPerTicket + closing.rru;
  const monthlyWru = perTicketWru * usage.tickets;
  const monthlyRru = perTicketRru * usage.tickets + dashboard.rru * usage.dashboardLoads + exportAll.rru * usage.exports;
  // Stored per ticket: META + its messages + one dedup/intent and one provider id per message, a pointer and a contact,
  // two channel index entries; each item with its 100-byte overhead.
  const messageBytes = sample.inboundBytes * inboundPerTicket + sample.replyBytes * repliesPerTicket;
  const items = 1 + usage.messagesPerTicket;
  const smallItems = usage.messagesPerTicket + repliesPerTicket + 2;
  const perTicketBytes =
    sample.ticketBytes +
    messageBytes +
    items * ITEM_OVERHEAD_BYTES +
    smallItems * (SMALL_ITEM_BYTES + ITEM_OVERHEAD_BYTES) +
    2 * INDEX_ENTRY_BYTES;
  const storageGb = (perTicketBytes * usage.tickets) / 1024 ** 3;
  const writes = (monthlyWru / 1e6) * prices.wru_per_million;
  const reads = (monthlyRru / 1e6) * prices.rru_per_million;
  const storage = storageGb * prices.storage_gb_month;
  // Provisioned: the average rate × 10 for peaks, at least 1 unit each (one table + its 3 indexes share them here).
  const seconds = 30 * 24 * 3600;
  const wcu = Math.max(1, Math.ceil((monthlyWru / seconds) * 10));
  const rcu = Math.max(1, Math.ceil((monthlyRru / seconds) * 10));
  const capacity = (wcu * prices.wcu_hour + rcu * prices.rcu_hour) * 730;
  return {
    perOperation: [inbound, opening, reply, analytics, closing, dashboard, exportAll],
    monthly: { wru: monthlyWru, rru: monthlyRru, storage_gb: storageGb },
    onDemand: { writes, reads, storage, total: writes + reads + storage },
    provisioned: { wcu, rcu, capacity, storage, total: capacity + storage },
  };
}
