// `freeda dynamodb:estimate [--tickets N --messages-per-ticket M] [--dashboard-loads N] [--exports N] [--*-price …]`:
// the monthly DynamoDB bill (on-demand and provisioned) for N tickets a month, from real item sizes: measured on the
// configured store (STORAGE_TYPE, read-only) when --tickets is not given, else on a generated typical ticket.
import { parseArgs } from 'node:util';
import { newTicket, withMessage, queuedDelivery } from '../domain/ticket.js';
import type { Message, Ticket } from '../domain/types.js';
import { estimate, PRICES_EU_WEST_3, sampleOf, type Estimate, type Prices, type Sample, type Usage } from '../storage/dynamodb/estimate.js';
import { openSource, type StoreLocation } from '../storage/portable/open.js';
import type { TransferIo } from './backup.js';

const INBOUND_TEXT = "Bonjour, ma facture de ce mois est plus élevée que d'habitude, pouvez-vous vérifier mon abonnement ? Merci";
const REPLY_TEXT =
  'Bonjour, merci pour votre message. Votre facture comprend le prorata du changement de forfait du 12. ' +
  'Un conseiller vérifie votre abonnement et revient vers vous aujourd’hui. Bonne journée !';

/** A typical SMS ticket: M messages alternating customer / bot, labelled, closed. */
export function typicalTicket(messagesPerTicket: number): { ticket: Ticket; messages: Message[] } {
  const at = (s: number) => new Date(Date.UTC(2026, 2, 1, 9, 0, s)).toISOString();
  let ticket = newTicket({
    ticket_id: '01JQ8ZKZ0000000000000000AA',
    channel: 'sms',
    contact: { address: '+33612345678', display_name: null },
    subject: null,
    previous_ticket_id: null,
    now: at(0),
  });
  const messages: Message[] = [];
  for (let i = 0; i < messagesPerTicket; i++) {
    const inbound = i % 2 === 0;
    const message: Message = {
      message_id: `01JQ8ZKZ00000000000000${String(i).padStart(4, '0')}`,
      ticket_id: ticket.ticket_id,
      direction: inbound ? 'inbound' : 'outbound',
      author: inbound ? 'customer' : 'bot',
      text: inbound ? INBOUND_TEXT : REPLY_TEXT,
      attachments: [],
      external_id: inbound ? `SM${'0123456789abcdef'.repeat(2)}` : `bot-${i}`,
      created_at: at(i * 30),
      delivery: inbound
        ? null
        : {
            ...queuedDelivery(at(i * 30)),
            status: 'delivered',
            attempts: 1,
            provider_id: `SM${'fedcba9876543210'.repeat(2)}`,
            next_attempt_at: null,
          },
    };
    messages.push(message);
    ticket = withMessage(ticket, message);
  }
  ticket = {
    ...ticket,
    status: 'fermé',
    closed_at: at(3600),
    resolution_duration: 3600,
    analytics: {
      sentiment: 'negatif',
      category: 'facturation',
      urgency: 'moyenne',
      summary: 'Client surpris par une facture plus élevée, demande de vérification de l’abonnement.',
      analyzed_at: at(60),
      source: 'fallback',
      model: null,
    },
  };
  return { ticket, messages };
}

const usd = (n: number) => `$${n < 10 ? n.toFixed(4) : n.toFixed(2)}`;

export function formatEstimate(e: Estimate, usage: Usage, sample: Sample, prices: Prices, basis: string): string[] {
  return [
    `DynamoDB estimate, ${prices.region}, prices ${prices.as_of}`,
    `basis: ${basis}`,
    `usage: ${usage.tickets} tickets/month × ${usage.messagesPerTicket} messages, ${usage.dashboardLoads} dashboard loads, ${usage.exports} full CSV exports`,
    `item sizes: ticket ${Math.round(sample.ticketBytes)} B, inbound message ${Math.round(sample.inboundBytes)} B, reply ${Math.round(sample.replyBytes)} B`,
    'request units per operation:',
    ...e.perOperation.map((op) => `  ${op.name.padEnd(40)} ${String(op.wru).padStart(6)} WRU ${String(op.rru).padStart(8)} RRU`),
    `per month: ${Math.round(e.monthly.wru)} WRU, ${Math.round(e.monthly.rru)} RRU, ${e.monthly.storage_gb.toFixed(4)} GB stored (tables + indexes, 100 B/item overhead)`,
    `on-demand: writes ${usd(e.onDemand.writes)} (${prices.wru_per_million}/M WRU) + reads ${usd(e.onDemand.reads)} (${prices.rru_per_million}/M RRU) + storage ${usd(e.onDemand.storage)} (${prices.storage_gb_month}/GB-month) = ${usd(e.onDemand.total)}/month`,
    `provisioned: ${e.provisioned.wcu} WCU + ${e.provisioned.rcu} RCU (10× the average rate) ${usd(e.provisioned.capacity)} + storage ${usd(e.provisioned.storage)} = ${usd(e.provisioned.total)}/month`,
    `the product description's "about $0.28/month for 10,000 tickets": ${usage.tickets === 10_000 ? `this estimate says ${usd(e.onDemand.total)} on-demand` : 'run with --tickets 10000 to compare'} (free tier not deducted)`,
  ];
}

export async function estimateCommand(location: StoreLocation, args: string[], io: TransferIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      tickets: { type: 'string' },
      'messages-per-ticket': { type: 'string' },
      'dashboard-loads': { type: 'string', default: '1000' },
      exports: { type: 'string', default: '30' },
      'wru-price': { type: 'string' },
      'rru-price': { type: 'string' },
      'storage-price': { type: 'string' },
      'wcu-hour-price': { type: 'string' },
      'rcu-hour-price': { type: 'string' },
    },
  });
  const num = (name: string, value: string | undefined, fallback: number): number => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name}: expected a non-negative number, got ${value}`);
    return n;
  };
  const prices: Prices = {
    ...PRICES_EU_WEST_3,
    wru_per_million: num('wru-price', values['wru-price'], PRICES_EU_WEST_3.wru_per_million),
    rru_per_million: num('rru-price', values['rru-price'], PRICES_EU_WEST_3.rru_per_million),
    storage_gb_month: num('storage-price', values['storage-price'], PRICES_EU_WEST_3.storage_gb_month),
    wcu_hour: num('wcu-hour-price', values['wcu-hour-price'], PRICES_EU_WEST_3.wcu_hour),
    rcu_hour: num('rcu-hour-price', values['rcu-hour-price'], PRICES_EU_WEST_3.rcu_hour),
  };
  let sample: Sample;
  let usage: Usage;
  let basis: string;
  const loads = num('dashboard-loads', values['dashboard-loads'], 1000);
  const exportsCount = num('exports', values.exports, 30);
  if (values.tickets !== undefined) {
    const m = Math.max(1, Math.round(num('messages-per-ticket', values['messages-per-ticket'], 4)));
    const typical = typicalTicket(m);
    sample = sampleOf(typical.ticket, typical.messages);
    usage = { tickets: num('tickets', values.tickets, 0), messagesPerTicket: m, dashboardLoads: loads, exports: exportsCount };
    basis = `a generated SMS ticket (${m} messages, half customer, half bot replies, delivered, labelled, closed)`;
  } else {
    const source = await openSource(location);
    let tickets = 0;
    let messages = 0;
    const sums = { ticketBytes: 0, inboundBytes: 0, replyBytes: 0, inbound: 0, replies: 0 };
    try {
      for await (const ticket of source.tickets()) {
        const list = await source.messages(ticket.ticket_id);
        const s = sampleOf(ticket, list);
        const inbound = list.filter((x) => x.direction === 'inbound').length;
        tickets++;
        messages += list.length;
        sums.ticketBytes += s.ticketBytes;
        sums.inboundBytes += s.inboundBytes * inbound;
        sums.replyBytes += s.replyBytes * (list.length - inbound);
        sums.inbound += inbound;
        sums.replies += list.length - inbound;
      }
    } finally {
      await source.close();
    }
    if (!tickets) {
      io.stderr.write('dynamodb:estimate: the store has no ticket yet: pass --tickets N [--messages-per-ticket M]\n');
      return 1;
    }
    sample = {
      ticketBytes: sums.ticketBytes / tickets,
      inboundBytes: sums.inbound ? sums.inboundBytes / sums.inbound : 0,
      replyBytes: sums.replies ? sums.replyBytes / sums.replies : 0,
    };
    usage = {
      tickets: num('tickets', values.tickets, tickets),
      messagesPerTicket: Math.max(1, Math.round(messages / tickets)),
      dashboardLoads: loads,
      exports: exportsCount,
    };
    basis = `measured on the ${location.kind} store: ${tickets} tickets, ${messages} messages (average sizes), as if created in one month`;
  }
  io.stdout.write(formatEstimate(estimate(sample, usage, prices), usage, sample, prices, basis).join('\n') + '\n');
  return 0;
}
