// Child process: writes N realistic tickets into a json DATA_DIR through the store API, then compacts
// (start-up then loads one snapshot, the steady state). argv: <count> <dataDir>
import { performance } from 'node:perf_hooks';
import { CATEGORIES, SENTIMENTS, URGENCIES, type Channel, type Message } from '../../src/domain/types.js';
import { createJsonStore } from '../../src/storage/json/store.js';
import { report } from './lib.js';

/** The built-in channels, in the mix the benchmark has always used. */
const CHANNELS: Channel[] = ['chat', 'telephone', 'whatsapp', 'sms', 'email'];

const count = Number(process.argv[2]);
const dataDir = process.argv[3];
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const START = Date.parse('2026-01-01T00:00:00.000Z');
const SPACING_S = Math.max(1, Math.floor((180 * 86_400) / count)); // spread over ~6 months

const TEXTS = [
  'Bonjour, ma box internet ne fonctionne plus depuis ce matin, le voyant clignote en rouge.',
  'Je ne comprends pas ma facture de mars, il y a un montant de 49,90 € que je ne reconnais pas.',
  'Je souhaite résilier mon abonnement, comment faire ?',
  'Pouvez-vous me rappeler au sujet de l’offre fibre ? Merci',
];

function contactOf(channel: Channel, i: number): string {
  const digits = String(600000000 + (i % 900000)).padStart(9, '0');
  switch (channel) {
    case 'email':
      return `client${i}@example.com`;
    case 'whatsapp':
      return `whatsapp:+33${digits}`;
    case 'chat':
      return `visitor-${i}`;
    default:
      return `+33${digits}`;
  }
}

const outbound = (author: 'bot' | 'agent', text: string, at: string): Omit<Message, 'ticket_id' | 'message_id'> => ({
  direction: 'outbound',
  author,
  text,
  attachments: [],
  external_id: null,
  created_at: at,
  delivery: {
    status: 'delivered',
    error_code: null,
    error_message: null,
    attempts: 1,
    provider_id: `SM${at}`,
    next_attempt_at: null,
    updated_at: at,
  },
});

const store = createJsonStore({ dataDir, logger: silent });
await store.open();
const started = performance.now();

async function oneTicket(i: number): Promise<void> {
  const channel = CHANNELS[i % CHANNELS.length];
  const t0 = START + i * SPACING_S * 1000;
  const iso = (s: number) => new Date(t0 + s * 1000).toISOString();
  const text = TEXTS[i % TEXTS.length];
  const result = await store.ingest({
    channel,
    contact: { address: contactOf(channel, i), display_name: i % 3 === 0 ? `Client ${i}` : null },
    may_open_ticket: true,
    subject: channel === 'email' ? `Demande n°${i}` : null,
    now: iso(0),
    message: {
      direction: 'inbound',
      author: 'customer',
      text,
      attachments: [],
      external_id: `bench-${i}`,
      created_at: iso(0),
      delivery: null,
    },
  });
  if (result.kind !== 'stored') throw new Error(`ingest ${i}: ${result.kind}`);
  const id = result.ticket.ticket_id;
  await store.appendMessage(id, outbound('bot', 'Merci pour votre message, un conseiller va vous répondre.', iso(2)));
  if (i % 2 === 0)
    await store.appendMessage(id, outbound('agent', 'Bonjour, je regarde votre dossier tout de suite.', iso(600 + (i % 3000))));
  await store.updateTicket(id, (t) => ({
    ...t,
    handled_by: i % 2 === 0 ? 'agent' : 'bot',
    bot_handled_through: t.stats.last_customer_message_id,
    analytics_through: t.stats.last_customer_message_id,
    analytics: {
      sentiment: SENTIMENTS[i % 3],
      category: CATEGORIES[i % 5],
      urgency: URGENCIES[i % 3],
      summary: `Client ${i}: ${text.slice(0, 60)}`,
      analyzed_at: iso(5),
      source: i % 4 === 0 ? 'fallback' : 'ai',
      model: i % 4 === 0 ? null : 'mistral-small-latest',
    },
  }));
  if (i % 5 < 3) await store.setStatus(id, 'fermé', iso(3600 + (i % 7200)));
}

const BATCH = 1000;
for (let from = 0; from < count; from += BATCH) {
  const chains: Promise<void>[] = [];
  for (let i = from; i < Math.min(count, from + BATCH); i++) chains.push(oneTicket(i));
  await Promise.all(chains);
}
await store.compact();
await store.close();
report({ type: 'generated', tickets: count, seconds: (performance.now() - started) / 1000 });
process.exit(0);
