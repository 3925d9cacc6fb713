// The agent workspace part of the storage contract (issue #16): assignment, notes, label corrections, canned replies,
// contact profiles and the contact's tickets, search. Run on the json store and on DynamoDB (dynalite).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { queryTokens } from '../../src/domain/search.js';
import type { Message } from '../../src/domain/types.js';
import { contactIdOf, correctLabels } from '../../src/domain/workspace.js';
import type { TicketStore } from '../../src/storage/types.js';
import { inbound, tick, type StoreHarness } from './contract.js';

function note(text: string, at = tick()): Omit<Message, 'ticket_id' | 'message_id'> {
  return {
    direction: 'outbound',
    author: 'agent',
    text,
    attachments: [],
    external_id: null,
    created_at: at,
    delivery: null,
    visibility: 'internal',
    agent_id: 'ag_1',
    author_name: 'Alice Martin',
  };
}

export function runWorkspaceContract(name: string, makeHarness: () => Promise<StoreHarness>): void {
  describe(`storage contract, agent workspace: ${name}`, () => {
    let h: StoreHarness;
    let store: TicketStore;
    before(async () => {
      h = await makeHarness();
      store = h.store;
    });
    after(async () => {
      await h.cleanup();
    });

    it('assignee_id is stored with the ticket and survives a restart; null unassigns', async () => {
      const { ticket } = (await store.ingest(inbound('sms', '+33611000001', 'SMws-assign-1', 'bonjour'))) as {
        ticket: { ticket_id: string };
      };
      const assigned = await store.updateTicket(ticket.ticket_id, (t) => ({ ...t, assignee_id: 'ag_1' }));
      assert.equal(assigned?.assignee_id, 'ag_1');
      store = await h.reopen();
      assert.equal((await store.getTicket(ticket.ticket_id))?.assignee_id, 'ag_1');
      await store.updateTicket(ticket.ticket_id, (t) => ({ ...t, assignee_id: null }));
      assert.equal((await store.getTicket(ticket.ticket_id))?.assignee_id, null);
    });

    it('an internal note is stored as a message, counts as no reply, is never pending outbound', async () => {
      const r = await store.ingest(inbound('sms', '+33611000002', 'SMws-note-1', 'ma facture est fausse'));
      assert.equal(r.kind, 'stored');
      const ticketId = r.kind === 'stored' ? r.ticket.ticket_id : '';
      const { message, ticket } = await store.appendMessage(ticketId, note('client déjà remboursé en mars'));
      assert.equal(message.visibility, 'internal');
      assert.equal(ticket.stats.messages_count, 1, 'a note is not conversation');
      assert.equal(ticket.stats.first_response_at, null, 'a note answers nobody');
      assert.ok(ticket.stats.waiting_since, 'the customer is still waiting');
      assert.equal((await store.listPendingOutbound()).filter((m) => m.ticket_id === ticketId).length, 0);
      store = await h.reopen();
      const kept = (await store.getMessages(ticketId)).find((m) => m.message_id === message.message_id);
      assert.deepEqual(
        { visibility: kept?.visibility, agent_id: kept?.agent_id, author_name: kept?.author_name },
        { visibility: 'internal', agent_id: 'ag_1', author_name: 'Alice Martin' },
      );
    });

    it('label corrections are stored with source agent and survive a restart', async () => {
      const r = await store.ingest(inbound('email', 'paul@example.com', '<ws-labels-1@example.com>', 'je veux résilier'));
      const ticketId = r.kind === 'stored' ? r.ticket.ticket_id : '';
      const corrected = await store.updateTicket(ticketId, (t) =>
        correctLabels(t, { category: 'resiliation', urgency: 'haute' }, 'ag_1', tick()),
      );
      assert.equal(corrected?.analytics?.source, 'agent');
      store = await h.reopen();
      const again = await store.getTicket(ticketId);
      assert.deepEqual(
        [again?.analytics?.category, again?.analytics?.urgency, again?.label_corrections?.agent_id],
        ['resiliation', 'haute', 'ag_1'],
      );
    });

    it('canned replies: create, list by shortcut, replace, delete; kept across a restart', async () => {
      const at = tick();
      const base = { created_at: at, updated_at: at, deleted: false };
      await store.putCannedReply({ canned_id: 'cr_b', shortcut: 'merci', title: 'Merci', text: 'Merci {{contact.name}} !', ...base });
      await store.putCannedReply({
        canned_id: 'cr_a',
        shortcut: 'bonjour',
        title: 'Bonjour',
        text: 'Bonjour, {{agent.name}} ici.',
        ...base,
      });
      assert.deepEqual(
        (await store.listCannedReplies()).map((r) => r.shortcut),
        ['bonjour', 'merci'],
      );
      await store.putCannedReply({ canned_id: 'cr_b', shortcut: 'merci', title: 'Merci !', text: 'Merci.', ...base });
      store = await h.reopen();
      assert.equal((await store.getCannedReply('cr_b'))?.title, 'Merci !');
      await store.putCannedReply({ ...(await store.getCannedReply('cr_a'))!, deleted: true });
      assert.equal(await store.getCannedReply('cr_a'), null);
      store = await h.reopen();
      assert.deepEqual(
        (await store.listCannedReplies()).map((r) => r.canned_id),
        ['cr_b'],
      );
    });

    it('contact profiles: optimistic updates, links on both sides, kept across a restart', async () => {
      const a = contactIdOf('sms', '+33611000003');
      const b = contactIdOf('email', 'lea@example.com');
      const first = await store.updateContactProfile(a, (p) => ({ ...p, name: 'Léa Dubois', emails: ['lea@example.com'] }), tick());
      assert.equal(first.version, 1);
      await store.updateContactProfile(a, (p) => ({ ...p, links: [...p.links, b] }), tick());
      await store.updateContactProfile(b, (p) => ({ ...p, links: [...p.links, a] }), tick());
      const unchanged = await store.updateContactProfile(a, () => null, tick());
      assert.equal(unchanged.version, 2);
      store = await h.reopen();
      assert.deepEqual((await store.getContactProfile(a))?.links, [b]);
      assert.equal((await store.getContactProfile(a))?.name, 'Léa Dubois');
      assert.deepEqual((await store.getContactProfile(b))?.links, [a]);
      assert.equal(await store.getContactProfile(contactIdOf('sms', '+33600000000')), null);
    });

    it("the contact's tickets on a channel, oldest first, nobody else's", async () => {
      const one = await store.ingest(inbound('sms', '+33611000004', 'SMws-ct-1', 'premier'));
      const ticketId = one.kind === 'stored' ? one.ticket.ticket_id : '';
      await store.setStatus(ticketId, 'fermé', tick());
      const two = await store.ingest(inbound('sms', '+33611000004', 'SMws-ct-2', 'second'));
      await store.ingest(inbound('sms', '+33611000005', 'SMws-ct-3', 'quelqu’un d’autre'));
      const tickets = await store.ticketsOfContact('sms', '+33611000004');
      assert.deepEqual(
        tickets.map((t) => t.ticket_id),
        [ticketId, two.kind === 'stored' ? two.ticket.ticket_id : ''],
      );
      assert.deepEqual(await store.ticketsOfContact('email', '+33611000004'), []);
    });

    it('search: accent- and case-insensitive words (AND), ticket id, address, phone forms, notes; after a restart', async () => {
      const r = await store.ingest({
        ...inbound('sms', '+33699887766', 'SMws-search-1', 'Mon décodeur ne s’allume plus depuis l’Été'),
        subject: null,
      });
      const ticketId = r.kind === 'stored' ? r.ticket.ticket_id : '';
      await store.appendMessage(ticketId, note('Voir le dossier Œuvre-42'));
      const e = await store.ingest({
        ...inbound('email', 'Zoé.Lefèvre@Example.fr', '<ws-search-2@example.fr>', 'Facture de février'),
        subject: 'Réclamation',
      });
      const emailTicket = e.kind === 'stored' ? e.ticket.ticket_id : '';
      const ids = async (q: string) => (await store.searchTickets(queryTokens(q))).map((hit) => hit.ticket_id);
      for (const round of ['live', 'after restart']) {
        assert.deepEqual(await ids('DECODEUR ete'), [ticketId], round);
        assert.deepEqual(await ids('décodeur facture'), [], `${round}: AND`);
        assert.deepEqual(await ids(ticketId.toLowerCase()), [ticketId], round);
        assert.deepEqual(await ids('06 99 88 77 66'), [ticketId], `${round}: national phone`);
        assert.deepEqual(await ids('+33 6 99 88 77 66'), [ticketId], `${round}: international phone`);
        assert.deepEqual(await ids('oeuvre'), [ticketId], `${round}: note text, œ`);
        assert.deepEqual(await ids('fevrier'), [emailTicket], round);
        assert.deepEqual(await ids('reclamation'), [emailTicket], `${round}: subject`);
        assert.deepEqual(await ids('zoe.lefevre@example.fr'), [emailTicket], `${round}: address`);
        assert.deepEqual(await ids('zoé'), [emailTicket], round);
        assert.deepEqual(await ids('introuvable'), [], round);
        store = await h.reopen();
      }
    });
  });
}
