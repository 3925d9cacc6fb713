// The storage contract every TicketStore passes (json journal, DynamoDB). Parameterised by a store factory.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Channel, Message } from '../../src/domain/types.js';
import { queuedDelivery } from '../../src/domain/ticket.js';
import type { IngestInput, TicketStore } from '../../src/storage/types.js';

export interface StoreHarness {
  /** A fresh, opened, empty store. */
  store: TicketStore;
  /** Close the current store and open a new instance on the same data; returns it. */
  reopen(): Promise<TicketStore>;
  cleanup(): Promise<void>;
}

let clock = Date.parse('2026-03-01T08:00:00.000Z');
/** Strictly increasing timestamps so ordering assertions are deterministic. */
export function tick(seconds = 1): string {
  clock += seconds * 1000;
  return new Date(clock).toISOString();
}

export function inbound(channel: Channel, address: string, externalId: string, text: string, at = tick()): IngestInput {
  return {
    channel,
    contact: { address, display_name: null },
    may_open_ticket: true,
    now: at,
    message: {
      direction: 'inbound',
      author: 'customer',
      text,
      attachments: [],
      external_id: externalId,
      created_at: at,
      delivery: null,
    },
  };
}

export function outbound(
  author: 'bot' | 'agent',
  text: string,
  at = tick(),
  externalId: string | null = null,
): Omit<Message, 'ticket_id' | 'message_id'> {
  return { direction: 'outbound', author, text, attachments: [], external_id: externalId, created_at: at, delivery: queuedDelivery(at) };
}

export function runStoreContract(name: string, makeHarness: () => Promise<StoreHarness>): void {
  describe(`storage contract: ${name}`, () => {
    let h: StoreHarness;
    let store: TicketStore;
    before(async () => {
      h = await makeHarness();
      store = h.store;
    });
    after(async () => {
      await h.cleanup();
    });

    it('ingest opens a ticket, joins the open ticket of the same contact and channel', async () => {
      const a = await store.ingest(inbound('sms', '+33611111111', 'SM-c1', 'Bonjour'));
      assert.equal(a.kind, 'stored');
      if (a.kind !== 'stored') return;
      assert.equal(a.ticket_created, true);
      assert.equal(a.ticket.status, 'en cours');
      assert.equal(a.ticket.channel, 'sms');
      assert.equal(a.message.ticket_id, a.ticket.ticket_id);
      const b = await store.ingest(inbound('sms', '+33611111111', 'SM-c2', 'Vous êtes là ?'));
      assert.equal(b.kind, 'stored');
      if (b.kind !== 'stored') return;
      assert.equal(b.ticket_created, false);
      assert.equal(b.ticket.ticket_id, a.ticket.ticket_id);
      assert.equal(b.ticket.stats.messages_count, 2);
      const other = await store.ingest(inbound('whatsapp', 'whatsapp:+33611111111', 'SM-c3', 'Hello'));
      assert.equal(other.kind, 'stored');
      if (other.kind !== 'stored') return;
      assert.notEqual(other.ticket.ticket_id, a.ticket.ticket_id, 'another channel is another ticket');
      const messages = await store.getMessages(a.ticket.ticket_id);
      assert.deepEqual(
        messages.map((m) => m.text),
        ['Bonjour', 'Vous êtes là ?'],
      );
    });

    it('deduplicates concurrent identical ingests atomically', async () => {
      const input = inbound('sms', '+33622222222', 'SM-dup-1', 'Une seule fois');
      const results = await Promise.all(Array.from({ length: 25 }, () => store.ingest(structuredClone(input))));
      const stored = results.filter((r) => r.kind === 'stored');
      assert.equal(stored.length, 1);
      const ids = new Set(results.map((r) => (r.kind === 'no_ticket' ? null : r.message.message_id)));
      assert.equal(ids.size, 1, 'every retry answers with the first copy');
      const ticketId = stored[0].kind === 'stored' ? stored[0].ticket.ticket_id : '';
      assert.equal((await store.getMessages(ticketId)).length, 1);
      const found = await store.findMessageByExternalId('sms', 'SM-dup-1');
      assert.equal(found?.text, 'Une seule fois');
      assert.equal(await store.findMessageByExternalId('whatsapp', 'SM-dup-1'), null, 'dedup is per channel');
    });

    it('may_open_ticket=false only joins an existing ticket', async () => {
      const r = await store.ingest({ ...inbound('email', 'nobody@example.com', 'm-none', 'bounce'), may_open_ticket: false });
      assert.equal(r.kind, 'no_ticket');
      assert.equal(await store.findMessageByExternalId('email', 'm-none'), null);
    });

    it('closing sets closed_at and resolution_duration; a new message then opens a linked ticket; reopen clears', async () => {
      const first = await store.ingest(inbound('email', 'client@example.fr', 'mail-1', 'Facture ?'));
      assert.equal(first.kind, 'stored');
      if (first.kind !== 'stored') return;
      const id = first.ticket.ticket_id;
      const closedAt = tick(90);
      const closed = await store.setStatus(id, 'fermé', closedAt);
      assert.ok(closed?.changed);
      assert.equal(closed.ticket.status, 'fermé');
      assert.equal(closed.ticket.closed_at, closedAt);
      assert.equal(closed.ticket.resolution_duration, Math.round((Date.parse(closedAt) - Date.parse(first.ticket.created_at)) / 1000));
      const again = await store.setStatus(id, 'fermé', tick());
      assert.equal(again?.changed, false, 'same status twice is a no-op');
      assert.equal(again?.ticket.closed_at, closedAt);

      const next = await store.ingest(inbound('email', 'client@example.fr', 'mail-2', 'Encore moi'));
      assert.equal(next.kind, 'stored');
      if (next.kind !== 'stored') return;
      assert.notEqual(next.ticket.ticket_id, id);
      assert.equal(next.ticket.previous_ticket_id, id);

      const reopened = await store.setStatus(id, 'en cours', tick());
      assert.ok(reopened?.changed);
      assert.equal(reopened.ticket.closed_at, null);
      assert.equal(reopened.ticket.resolution_duration, null);
      assert.equal(reopened.ticket.reopen_count, 1);
      assert.equal(await store.setStatus('01NOPE000000000000000000000', 'fermé', tick()), null);
    });

    it('preferred_ticket_id is used only for an open ticket of the same contact', async () => {
      const a = await store.ingest(inbound('email', 'alice@example.com', 'pref-1', 'one'));
      const b = await store.ingest(inbound('email', 'bob@example.com', 'pref-2', 'two'));
      assert.ok(a.kind === 'stored' && b.kind === 'stored');
      const joined = await store.ingest({
        ...inbound('email', 'alice@example.com', 'pref-3', 'three'),
        preferred_ticket_id: a.ticket.ticket_id,
      });
      assert.ok(joined.kind === 'stored');
      assert.equal(joined.ticket.ticket_id, a.ticket.ticket_id);
      const foreign = await store.ingest({
        ...inbound('email', 'alice@example.com', 'pref-4', 'four'),
        preferred_ticket_id: b.ticket.ticket_id,
      });
      assert.ok(foreign.kind === 'stored');
      assert.equal(foreign.ticket.ticket_id, a.ticket.ticket_id, "never joins someone else's ticket");
    });

    it('join_open_ticket=false opens a new ticket unless the preferred one matches', async () => {
      const a = await store.ingest({ ...inbound('email', 'carol@example.com', 'join-1', 'first'), join_open_ticket: false });
      const b = await store.ingest({ ...inbound('email', 'carol@example.com', 'join-2', 'unrelated'), join_open_ticket: false });
      assert.ok(a.kind === 'stored' && b.kind === 'stored');
      assert.notEqual(b.ticket.ticket_id, a.ticket.ticket_id);
      const c = await store.ingest({
        ...inbound('email', 'carol@example.com', 'join-3', 'reply'),
        join_open_ticket: false,
        preferred_ticket_id: a.ticket.ticket_id,
      });
      assert.ok(c.kind === 'stored');
      assert.equal(c.ticket.ticket_id, a.ticket.ticket_id);
    });

    it('appendMessage stores outbound messages, dedups on external_id, updates stats and applies the ticket mutation', async () => {
      const r = await store.ingest(inbound('chat', 'visitor-1', 'cid-1', 'Bonjour'));
      assert.ok(r.kind === 'stored');
      const id = r.ticket.ticket_id;
      const reply = await store.appendMessage(
        id,
        outbound('bot', 'Bonjour ! Comment puis-je aider ?', tick(5), 'bot:' + r.message.message_id),
        (t) => ({
          ...t,
          bot_handled_through: r.message.message_id,
        }),
      );
      assert.equal(reply.duplicate, false);
      assert.equal(reply.ticket.bot_handled_through, r.message.message_id);
      assert.equal(reply.ticket.stats.messages_count, 2);
      assert.ok(reply.ticket.stats.first_response_at);
      const dup = await store.appendMessage(id, outbound('bot', 'twice', tick(), 'bot:' + r.message.message_id));
      assert.equal(dup.duplicate, true);
      assert.equal(dup.message.message_id, reply.message.message_id);
      assert.equal((await store.getMessages(id)).length, 2);
      await assert.rejects(store.appendMessage('01NOPE000000000000000000000', outbound('agent', 'x')), /ticket/i);
    });

    it('updateMessage and provider ids: delivery state and lookup by provider id', async () => {
      const r = await store.ingest(inbound('sms', '+33633333333', 'SM-p1', 'Allo'));
      assert.ok(r.kind === 'stored');
      const out = await store.appendMessage(r.ticket.ticket_id, outbound('agent', 'Réponse'));
      const pending = await store.listPendingOutbound();
      assert.ok(
        pending.some((m) => m.message_id === out.message.message_id),
        'queued message is pending',
      );
      const sent = await store.updateMessage(r.ticket.ticket_id, out.message.message_id, (m) => ({
        ...m,
        delivery: { ...m.delivery!, status: 'sent', provider_id: 'SMprov1', attempts: 1, next_attempt_at: null },
      }));
      assert.equal(sent?.delivery?.status, 'sent');
      await store.indexProviderIds('sms', r.ticket.ticket_id, out.message.message_id, ['SMprov2']);
      assert.equal((await store.findMessageByProviderId('sms', 'SMprov1'))?.message_id, out.message.message_id);
      assert.equal((await store.findMessageByProviderId('sms', 'SMprov2'))?.message_id, out.message.message_id);
      assert.ok(!(await store.listPendingOutbound()).some((m) => m.message_id === out.message.message_id));
      const unchanged = await store.updateMessage(r.ticket.ticket_id, out.message.message_id, () => null);
      assert.equal(unchanged?.delivery?.status, 'sent');
    });

    it('updateTicket applies a mutation and bumps the version', async () => {
      const r = await store.ingest(inbound('sms', '+33644444444', 'SM-u1', 'x'));
      assert.ok(r.kind === 'stored');
      const updated = await store.updateTicket(r.ticket.ticket_id, (t) => ({ ...t, handled_by: 'agent' }));
      assert.equal(updated?.handled_by, 'agent');
      assert.ok(updated.version > r.ticket.version);
      assert.equal(await store.updateTicket('01NOPE000000000000000000000', (t) => t), null);
    });

    it('contacts: upsert keeps earlier fields', async () => {
      await store.upsertContact('sms', '+33655555555', { opted_out: true, opted_out_at: '2026-03-01T09:00:00.000Z' }, tick());
      const c = await store.upsertContact('sms', '+33655555555', { last_inbound_at: '2026-03-01T09:30:00.000Z' }, tick());
      assert.equal(c.opted_out, true);
      assert.equal(c.last_inbound_at, '2026-03-01T09:30:00.000Z');
      assert.equal((await store.getContact('sms', '+33655555555'))?.opted_out, true);
      assert.equal(await store.getContact('whatsapp', '+33655555555'), null);
    });

    it('lists newest first with filters and cursor pagination, and iterates oldest first', async () => {
      const channels: Channel[] = ['sms', 'email', 'chat'];
      const created: string[] = [];
      for (let i = 0; i < 9; i++) {
        const r = await store.ingest(inbound(channels[i % 3], `list-${i}@example.com`, `list-${i}`, `m${i}`, tick(3600)));
        assert.ok(r.kind === 'stored');
        created.push(r.ticket.ticket_id);
      }
      await store.setStatus(created[0], 'fermé', tick());
      const from = (await store.getTicket(created[0]))!.created_at;
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await store.listTickets({ created_from: from }, 4, cursor);
        assert.ok(page.items.length <= 4);
        seen.push(...page.items.map((t) => t.ticket_id));
        cursor = page.next_cursor;
      } while (cursor);
      assert.deepEqual(seen, [...created].reverse(), 'newest first, no gaps, no repeats');
      const sms = await store.listTickets({ channels: ['sms'], created_from: from }, 50);
      assert.deepEqual(
        sms.items.map((t) => t.ticket_id),
        [created[6], created[3], created[0]],
      );
      assert.equal(sms.next_cursor, null);
      const closed = await store.listTickets({ status: 'fermé', created_from: from }, 50);
      assert.deepEqual(
        closed.items.map((t) => t.ticket_id),
        [created[0]],
      );
      const t2 = (await store.getTicket(created[2]))!.created_at;
      const t4 = (await store.getTicket(created[4]))!.created_at;
      const window = await store.listTickets({ created_from: t2, created_to: t4 }, 50);
      assert.deepEqual(
        window.items.map((t) => t.ticket_id),
        [created[4], created[3], created[2]],
        'date bounds are inclusive',
      );
      const multi = await store.listTickets({ channels: ['sms', 'chat'], created_from: from }, 50);
      assert.equal(multi.items.length, 6);
      const iterated: string[] = [];
      for await (const t of store.iterateTickets({ created_from: from, channels: ['email', 'chat'] })) iterated.push(t.ticket_id);
      assert.deepEqual(
        iterated,
        created.filter((_, i) => i % 3 !== 0),
      );
      await assert.rejects(store.listTickets({}, 10, 'not-a-cursor'), /cursor/);
    });

    it('listTicketsNeedingWork finds customer messages without a bot decision or analytics', async () => {
      const r = await store.ingest(inbound('chat', 'visitor-work', 'cid-work', 'Besoin d’aide'));
      assert.ok(r.kind === 'stored');
      let work = await store.listTicketsNeedingWork();
      assert.ok(work.some((t) => t.ticket_id === r.ticket.ticket_id));
      await store.updateTicket(r.ticket.ticket_id, (t) => ({
        ...t,
        bot_handled_through: r.message.message_id,
        analytics_through: r.message.message_id,
      }));
      work = await store.listTicketsNeedingWork();
      assert.ok(!work.some((t) => t.ticket_id === r.ticket.ticket_id));
    });

    it('restart keeps everything', async () => {
      const r = await store.ingest(inbound('whatsapp', 'whatsapp:+33677777777', 'SM-restart', 'Toujours là ?'));
      assert.ok(r.kind === 'stored');
      await store.setStatus(r.ticket.ticket_id, 'fermé', tick());
      await store.upsertContact('whatsapp', 'whatsapp:+33677777777', { opted_out: true }, tick());
      const before = await store.listTickets({}, 200);
      store = await h.reopen();
      const after = await store.listTickets({}, 200);
      assert.deepEqual(
        after.items.map((t) => [t.ticket_id, t.status, t.stats.messages_count]),
        before.items.map((t) => [t.ticket_id, t.status, t.stats.messages_count]),
      );
      const ticket = await store.getTicket(r.ticket.ticket_id);
      assert.equal(ticket?.status, 'fermé');
      assert.equal((await store.getMessages(r.ticket.ticket_id))[0].text, 'Toujours là ?');
      assert.equal((await store.getContact('whatsapp', 'whatsapp:+33677777777'))?.opted_out, true);
      const dup = await store.ingest(inbound('whatsapp', 'whatsapp:+33677777777', 'SM-restart', 'Toujours là ?'));
      assert.equal(dup.kind, 'duplicate', 'dedup survives a restart');
      assert.equal(
        (await store.lastTicketOf('whatsapp', 'whatsapp:+33677777777'))?.ticket_id,
        r.ticket.ticket_id,
        'a closed ticket is still the last one',
      );
      const next = await store.ingest(inbound('whatsapp', 'whatsapp:+33677777777', 'SM-restart-2', 'Nouveau'));
      assert.ok(next.kind === 'stored');
      assert.equal(next.ticket.previous_ticket_id, r.ticket.ticket_id);
      assert.equal((await store.lastTicketOf('whatsapp', 'whatsapp:+33677777777'))?.ticket_id, next.ticket.ticket_id);
      assert.equal(await store.lastTicketOf('whatsapp', 'whatsapp:+33600000000'), null);
    });
  });
}
