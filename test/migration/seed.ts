// A json DATA_DIR with every kind of record a backup carries: tickets on several channels (open, closed, reopened
// link), inbound and outbound messages with delivery states, a large body, an attachment with its bytes, contacts with
// an opt-out, extra provider ids, analytics; agents, a session, a personal token, audit entries, the generated JWT key,
// canned replies and contact profiles (seed-workspace.ts).
import { queuedDelivery } from '../../src/domain/ticket.js';
import { createFileBlobStore } from '../../src/storage/blobs.js';
import { createJsonStore } from '../../src/storage/json/store.js';
import { join } from 'node:path';
import { inbound, tick } from '../storage/contract.js';
import { capturingLogger } from '../helpers/logger.js';
import { type Carried, seedWorkspaceAndAuth } from './seed-workspace.js';

export async function seedJsonStore(dataDir: string, tickets = 12): Promise<Carried> {
  const store = createJsonStore({ dataDir, logger: capturingLogger() });
  await store.open();
  const blobs = createFileBlobStore(join(dataDir, 'attachments'));
  const channels = ['sms', 'email', 'chat', 'whatsapp'];
  try {
    for (let i = 0; i < tickets; i++) {
      const channel = channels[i % channels.length];
      const address =
        channel === 'email' ? `client${i}@example.fr` : channel === 'chat' ? `visitor-${i}` : `+3361234${String(i).padStart(4, '0')}`;
      const first = await store.ingest(
        inbound(channel, channel === 'whatsapp' ? `whatsapp:${address}` : address, `ext-${i}-a`, `Bonjour, facture ${i} é`),
      );
      if (first.kind !== 'stored') throw new Error('seed: not stored');
      const ticketId = first.ticket.ticket_id;
      const at = tick();
      const reply = await store.appendMessage(ticketId, {
        direction: 'outbound',
        author: 'bot',
        text: `Réponse ${i}`,
        attachments: [],
        external_id: `reply-${i}`,
        created_at: at,
        delivery: { ...queuedDelivery(at), status: 'delivered', attempts: 1, provider_id: `PID-${i}`, next_attempt_at: null },
      });
      await store.indexProviderIds(channel, ticketId, reply.message.message_id, [`PID-${i}-part2`]);
      if (i % 3 === 0) {
        const key = await blobs.put(Buffer.from(`attachment bytes ${i}`));
        const withFile = inbound(channel, first.ticket.contact.address, `ext-${i}-b`, i === 0 ? 'x'.repeat(150_000) : 'pièce jointe');
        withFile.message.attachments = [{ content_type: 'image/png', size: 18, filename: `f${i}.png`, stored_key: key, url: null }];
        await store.ingest(withFile);
      }
      if (i % 4 === 1) await store.setStatus(ticketId, 'fermé', tick());
      if (i % 2 === 0)
        await store.updateTicket(ticketId, (t) => ({
          ...t,
          analytics: {
            sentiment: 'negatif',
            category: 'facturation',
            urgency: 'haute',
            summary: `résumé ${i}`,
            analyzed_at: tick(),
            source: 'fallback',
            model: null,
          },
        }));
      await store.upsertContact(channel, first.ticket.contact.address, { opted_out: i % 5 === 0, last_inbound_at: tick() }, tick());
    }
    return await seedWorkspaceAndAuth(store);
  } finally {
    await store.close();
  }
}
