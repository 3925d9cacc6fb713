// A generated store: N tickets over several weeks, channels, labels, bot/agent replies and closes, from a seed.
// Written through the real store API (any TicketStore: json or DynamoDB).
import { CATEGORIES, SENTIMENTS, URGENCIES } from '../../src/domain/types.js';
import type { TicketStore } from '../../src/storage/types.js';
import { at, customer, reply, settle } from '../export/fixtures.js';

export const GENERATED_CHANNELS = ['sms', 'whatsapp', 'email', 'chat'] as const;

/** mulberry32: a small seeded PRNG so a failing run can be replayed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(random: () => number, list: readonly T[]): T => list[Math.floor(random() * list.length)];

function addressFor(channel: string, i: number): string {
  const n = String(600000000 + i);
  if (channel === 'sms') return `+33${n}`;
  if (channel === 'whatsapp') return `whatsapp:+33${n}`;
  if (channel === 'email') return `client${i}@example.com`;
  return `visitor-gen-${i}`;
}

/** `count` tickets created between `start` and `start + days`, one contact each. Returns their ids. */
export async function generateStore(
  store: TicketStore,
  count: number,
  seed = 17,
  start = '2026-04-06T00:00:00.000Z',
  days = 30,
): Promise<string[]> {
  const random = seeded(seed);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const channel = pick(random, GENERATED_CHANNELS);
    const created = at(start, Math.floor(random() * days * 86_400));
    const ticket = await customer(store, channel, addressFor(channel, i), `gen-${seed}-${i}`, `Question ${i}`, created);
    let t = created;
    const shape = random();
    if (shape < 0.3) {
      t = at(t, 5 + Math.floor(random() * 60));
      await reply(store, ticket.ticket_id, 'bot', 'Réponse du bot', t);
    } else if (shape < 0.75) {
      if (random() < 0.5) {
        t = at(t, 5 + Math.floor(random() * 30));
        await reply(store, ticket.ticket_id, 'bot', 'Réponse du bot', t);
      }
      t = at(t, 60 + Math.floor(random() * 7200));
      await reply(store, ticket.ticket_id, 'agent', 'Réponse de l’agent', t);
    } // else: not answered yet
    await settle(
      store,
      ticket.ticket_id,
      random() < 0.85
        ? {
            sentiment: pick(random, SENTIMENTS),
            category: pick(random, CATEGORIES),
            urgency: pick(random, URGENCIES),
            summary: `Résumé ${i}`,
            source: 'fallback',
          }
        : null,
    );
    if (random() < 0.6) await store.setStatus(ticket.ticket_id, 'fermé', at(t, 300 + Math.floor(random() * 86_400)));
    ids.push(ticket.ticket_id);
  }
  return ids;
}
