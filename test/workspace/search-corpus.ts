// A deterministic corpus of support tickets for search tests and the search bench: French and English words with and
// without accents, phone numbers, e-mail addresses, subjects. The same seed gives the same tickets.
import type { IngestInput } from '../../src/storage/types.js';

const WORDS = [
  'facture',
  'février',
  'décodeur',
  'résiliation',
  'problème',
  'débit',
  'internet',
  'télévision',
  'remboursement',
  'prélèvement',
  'commande',
  'livraison',
  'colis',
  'mot',
  'passe',
  'compte',
  'bloqué',
  'urgent',
  'merci',
  'bonjour',
  'invoice',
  'refund',
  'delivery',
  'password',
  'account',
  'broken',
  'router',
  'wifi',
  'coupure',
  'électricité',
  'forfait',
  'mobile',
  'appel',
  'réseau',
  'Noël',
  'août',
  'hôtel',
  'garçon',
  'œuvre',
  'déménagement',
  'adresse',
  'contrat',
  'offre',
  'promotion',
  'cœur',
  'naïve',
];

/** Park-Miller: small, seedable, the same on every platform. */
export function rng(seed: number): () => number {
  let state = seed % 2147483647 || 1;
  return () => (state = (state * 16807) % 2147483647) / 2147483647;
}

export function corpus(count: number, seed = 42, startMs = Date.parse('2026-01-01T00:00:00.000Z')): IngestInput[] {
  const next = rng(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)];
  const out: IngestInput[] = [];
  for (let i = 0; i < count; i++) {
    const at = new Date(startMs + i * 60_000).toISOString();
    const email = next() < 0.4;
    const n = String(10_000_000 + Math.floor(next() * 89_999_999)).slice(0, 8);
    const address = email
      ? `${pick(['jean', 'zoé', 'marc', 'léa', 'paul'])}.${pick(['dupont', 'martin', 'petit'])}${i % 50}@example.fr`
      : `+336${n}`;
    const words = Array.from({ length: 6 + Math.floor(next() * 14) }, () => pick(WORDS));
    if (next() < 0.1) words.push(`rappelez-moi au 06 ${n.slice(0, 2)} ${n.slice(2, 4)} ${n.slice(4, 6)} ${n.slice(6, 8)}`);
    out.push({
      channel: email ? 'email' : 'sms',
      contact: { address: address.normalize('NFC'), display_name: email ? pick(['Jean Dupont', 'Zoé Martin', 'Léa Petit']) : null },
      may_open_ticket: true,
      join_open_ticket: false,
      subject: email ? `${pick(WORDS)} ${pick(WORDS)}` : null,
      now: at,
      message: {
        direction: 'inbound',
        author: 'customer',
        text: words.join(' '),
        attachments: [],
        external_id: `ext-${seed}-${i}`,
        created_at: at,
        delivery: null,
      },
    });
  }
  return out;
}

/** 30 queries: single words with and without accents, case, AND pairs, phones, addresses, names, nothing. */
export function queries(inputs: IngestInput[]): string[] {
  const phone = inputs.find((i) => i.channel === 'sms')!.contact.address;
  const mail = inputs.find((i) => i.channel === 'email')!.contact.address;
  return [
    'facture',
    'FACTURE',
    'fevrier',
    'février',
    'Décodeur',
    'decodeur resiliation',
    'débit internet',
    'noel',
    'NOËL',
    'aout',
    'hotel garcon',
    'oeuvre',
    'coeur',
    'naive',
    'invoice refund',
    'wifi router broken',
    'mot de passe',
    'passe compte',
    phone,
    phone.replace('+33', '0'),
    `${phone.slice(0, 3)} ${phone.slice(3, 4)} ${phone.slice(4, 6)} ${phone.slice(6, 8)} ${phone.slice(8)}`,
    mail,
    mail.toUpperCase(),
    'zoe',
    'Léa Petit',
    'example',
    'dupont',
    'inexistant',
    'forfait mobile appel reseau',
    'electricite coupure',
  ];
}
