// Agent workspace API through the real server, on the json store and on DynamoDB (dynalite): assignment (+ WebSocket
// event, CSV column), views by assignee, notes authored by the acting agent, label corrections kept over a re-run,
// canned replies with variables, the contact's tickets on every channel, link/unlink, search with filters and cursor.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually } from '../helpers/app.js';
import { connectWs } from '../helpers/ws-client.js';
import { startWorkspaceApp, type WorkspaceApp } from './setup.js';

interface PublicTicket {
  ticket_id: string;
  channel: string;
  contact_id: string;
  assignee_id: string | null;
  status: string;
  analytics: { sentiment: string; category: string; urgency: string; source: string; analyzed_at: string } | null;
}
type ListBody = { items: PublicTicket[]; next_cursor: string | null };

for (const kind of ['json', 'dynamodb'] as const) {
  describe(`agent workspace API (${kind})`, () => {
    let w: WorkspaceApp;
    before(async () => {
      w = await startWorkspaceApp(kind, { ENABLE_AUTO_ANALYTICS: 'true', ANALYTICS_DEBOUNCE_MS: '10' });
    });
    after(async () => {
      await w.stop();
    });
    const ids = (body: ListBody) => body.items.map((t) => t.ticket_id);

    it('assign to self and to another agent, unassign; views by assignee; ticket.assigned on the WebSocket; CSV column', async () => {
      const a = await w.sms('+33611110001', 'Bonjour, ma box ne marche plus');
      const b = await w.sms('+33611110002', 'Question sur ma facture');
      const agent = await connectWs(`${w.t.url.replace('http', 'ws')}/ws?token=tok-alice`);
      const res = await w.api(`/tickets/${a}/assignee`, {
        as: 'tok-alice',
        method: 'PATCH',
        body: JSON.stringify({ agent_id: 'ag_alice' }),
      });
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as PublicTicket).assignee_id, 'ag_alice');
      const event = await agent.next((f) => f.type === 'ticket.assigned');
      assert.deepEqual([event.data?.ticket_id, event.data?.assignee_id], [a, 'ag_alice']);
      await w.json(`/tickets/${b}/assignee`, { as: 'tok-alice', method: 'PATCH', body: JSON.stringify({ agent_id: 'ag_bob' }) });

      assert.deepEqual(ids(await w.json<ListBody>('/tickets?assignee=me', { as: 'tok-alice' })), [a]);
      assert.deepEqual(ids(await w.json<ListBody>('/tickets?assignee=me', { as: 'tok-bob' })), [b]);
      assert.deepEqual(ids(await w.json<ListBody>('/tickets?assignee=ag_bob')), [b]);
      const unassigned = ids(await w.json<ListBody>('/tickets?assignee=none&limit=200'));
      assert.ok(!unassigned.includes(a) && !unassigned.includes(b));

      const noAgent = await w.api('/tickets?assignee=me');
      assert.equal(noAgent.status, 400);
      assert.equal(((await noAgent.json()) as { error: { code: string } }).error.code, 'no_agent_identity');

      const csv = await (await w.api('/export/csv')).text();
      const [header, ...rows] = csv.trim().split('\r\n');
      // Extras after the fixed columns: assignee_id (#16), then closed_by and first_human_responder (#15).
      assert.match(header, /,subject,assignee_id,closed_by,first_human_responder$/);
      assert.equal(
        rows
          .find((r) => r.startsWith(a))
          ?.split(',')
          .at(-3),
        'ag_alice',
      );

      await w.json(`/tickets/${a}/assignee`, { as: 'tok-alice', method: 'PATCH', body: JSON.stringify({ agent_id: null }) });
      assert.ok(await agent.next((f) => f.type === 'ticket.assigned' && f.data?.ticket_id === a && f.data.assignee_id === null));
      assert.ok(ids(await w.json<ListBody>('/tickets?assignee=none&limit=200')).includes(a));
      await agent.close();
    });

    it('assignment: bad input is a 400 that changes nothing, unknown ticket 404', async () => {
      const a = await w.sms('+33611110003', 'Allô ?');
      for (const body of ['{"agent_id": 42}', '{}', '[]', '{"agent_id": "has space"}']) {
        const res = await w.api(`/tickets/${a}/assignee`, { method: 'PATCH', body });
        assert.equal(res.status, 400, body);
      }
      assert.equal((await w.json<PublicTicket>(`/tickets/${a}`)).assignee_id, null);
      const missing = await w.api('/tickets/01J00000000000000000000000/assignee', { method: 'PATCH', body: '{"agent_id":null}' });
      assert.equal(missing.status, 404);
      assert.equal((await w.api('/tickets?assignee=' + 'x'.repeat(200))).status, 400);
    });

    it('a note carries its author and shows among the messages as internal; empty notes are refused', async () => {
      const a = await w.sms('+33611110004', 'Mon colis est perdu');
      const agent = await connectWs(`${w.t.url.replace('http', 'ws')}/ws?token=tok-bob`);
      const res = await w.api(`/tickets/${a}/notes`, {
        as: 'tok-bob',
        method: 'POST',
        body: JSON.stringify({ text: 'Voir avec le transporteur' }),
      });
      assert.equal(res.status, 201);
      const note = (await res.json()) as { agent_id: string; author_name: string; visibility: string };
      assert.deepEqual([note.agent_id, note.author_name, note.visibility], ['ag_bob', 'Bob Leroy', 'internal']);
      assert.equal((await agent.next((f) => f.type === 'note.created')).data?.text, 'Voir avec le transporteur');
      assert.equal(agent.pending().filter((f) => f.type === 'message.created' && f.data?.visibility === 'internal').length, 0);
      const detail = await w.json<{ messages: { visibility?: string }[]; messages_count: number }>(`/tickets/${a}`);
      assert.equal(detail.messages.filter((m) => m.visibility === 'internal').length, 1);
      assert.equal(detail.messages_count, 1, 'notes are not conversation');
      assert.equal((await w.api(`/tickets/${a}/notes`, { method: 'POST', body: '{"text":"   "}' })).status, 400);
      await agent.close();
    });

    it('label corrections: source agent, kept when the analytics run again; bad labels refused', async () => {
      const a = await w.sms('+33611110005', 'Je veux résilier mon abonnement');
      const first = await eventually(async () => (await w.json<PublicTicket>(`/tickets/${a}`)).analytics);
      const res = await w.api(`/tickets/${a}/analytics`, {
        as: 'tok-alice',
        method: 'PATCH',
        body: JSON.stringify({ category: 'commercial', urgency: 'haute' }),
      });
      assert.equal(res.status, 200);
      const corrected = ((await res.json()) as PublicTicket).analytics!;
      assert.deepEqual([corrected.category, corrected.urgency, corrected.source], ['commercial', 'haute', 'agent']);
      await w.sms('+33611110005', 'Merci de confirmer la résiliation rapidement');
      const rerun = await eventually(async () => {
        const t = await w.json<PublicTicket>(`/tickets/${a}`);
        return t.analytics && t.analytics.analyzed_at !== first.analyzed_at ? t.analytics : null;
      });
      assert.deepEqual([rerun.category, rerun.urgency, rerun.source], ['commercial', 'haute', 'agent']);
      for (const body of ['{}', '{"category":"nope"}', '{"sentiment":"positif","extra":1}']) {
        assert.equal((await w.api(`/tickets/${a}/analytics`, { method: 'PATCH', body })).status, 400, body);
      }
    });

    it('canned replies: CRUD, unique shortcut, variables rendered for a ticket and the acting agent', async () => {
      const a = await w.mail('Jeanne Petit <jeanne.petit@example.org>', 'Bonjour, où en est ma commande ?');
      const created = await w.api('/canned-replies', {
        method: 'POST',
        body: JSON.stringify({
          shortcut: 'Suivi',
          title: 'Suivi de commande',
          text: 'Bonjour {{contact.name}}, {{agent.name}} ici (dossier {{ticket.id}}).',
        }),
      });
      assert.equal(created.status, 201);
      const reply = (await created.json()) as { canned_id: string; shortcut: string };
      assert.equal(reply.shortcut, 'suivi');
      const dup = await w.api('/canned-replies', { method: 'POST', body: JSON.stringify({ shortcut: 'suivi', title: 'x', text: 'y' }) });
      assert.equal(dup.status, 409);
      assert.equal(
        (await w.api('/canned-replies', { method: 'POST', body: JSON.stringify({ shortcut: 'a b', title: 'x', text: 'y' }) })).status,
        400,
      );
      const rendered = await w.json<{ items: { rendered: string }[] }>(`/canned-replies?ticket_id=${a}`, { as: 'tok-alice' });
      assert.equal(rendered.items[0].rendered, `Bonjour Jeanne Petit, Alice Martin ici (dossier ${a}).`);
      const patched = await w.json<{ title: string }>(`/canned-replies/${reply.canned_id}`, {
        method: 'PATCH',
        body: JSON.stringify({ title: 'Suivi' }),
      });
      assert.equal(patched.title, 'Suivi');
      assert.equal((await w.api(`/canned-replies/${reply.canned_id}`, { method: 'DELETE' })).status, 204);
      assert.equal((await w.api(`/canned-replies/${reply.canned_id}`, { method: 'DELETE' })).status, 404);
      assert.deepEqual((await w.json<{ items: unknown[] }>('/canned-replies')).items, []);
    });

    it("contacts: one phone on every channel, the profile's e-mail, links and unlinks", async () => {
      const sms1 = await w.sms('+33622220001', 'Premier message');
      await w.json(`/tickets/${sms1}/status`, { method: 'PATCH', body: JSON.stringify({ status: 'fermé' }) });
      const sms2 = await w.sms('+33622220001', 'Second message');
      const mail = await w.mail('Marc Blanc <marc.blanc@example.net>', 'Je vous écris aussi par mail');
      const other = await w.mail('Autre <autre@example.net>', 'Rien à voir');
      const contactId = (await w.json<PublicTicket>(`/tickets/${sms1}`)).contact_id;
      const mailContact = (await w.json<PublicTicket>(`/tickets/${mail}`)).contact_id;
      type View = { tickets: PublicTicket[]; links: { contact_id: string }[]; name: string | null };
      const tids = (v: View) => v.tickets.map((t) => t.ticket_id);
      assert.deepEqual(tids(await w.json<View>(`/contacts/${contactId}`)), [sms2, sms1]);

      const linked = await w.api(`/contacts/${contactId}/links`, { method: 'POST', body: JSON.stringify({ contact_id: mailContact }) });
      assert.equal(linked.status, 201);
      const view = (await linked.json()) as View;
      assert.deepEqual(tids(view), [mail, sms2, sms1]);
      assert.deepEqual(
        view.links.map((l) => l.contact_id),
        [mailContact],
      );
      assert.ok(tids(await w.json<View>(`/contacts/${mailContact}`)).includes(sms1), 'linked both ways');
      assert.ok(!tids(view).includes(other));

      assert.equal((await w.api(`/contacts/${contactId}/links/${mailContact}`, { method: 'DELETE' })).status, 204);
      assert.deepEqual(tids(await w.json<View>(`/contacts/${contactId}`)), [sms2, sms1]);

      await w.json(`/contacts/${contactId}`, {
        method: 'PATCH',
        body: JSON.stringify({ name: 'Marc Blanc', emails: ['Marc.Blanc@example.net'] }),
      });
      const withEmail = await w.json<View>(`/contacts/${contactId}`);
      assert.equal(withEmail.name, 'Marc Blanc');
      assert.deepEqual(tids(withEmail), [mail, sms2, sms1]);

      assert.equal(
        (await w.api(`/contacts/${contactId}/links`, { method: 'POST', body: JSON.stringify({ contact_id: contactId }) })).status,
        400,
      );
      assert.equal((await w.api('/contacts/not-a-contact')).status, 404);
      assert.equal((await w.api(`/contacts/${contactId}`, { method: 'PATCH', body: '{"phones":["0612"]}' })).status, 400);
    });

    it('search combines with filters and pages with a cursor; bad queries are 400', async () => {
      const made: string[] = [];
      for (let i = 0; i < 5; i++) made.push(await w.sms(`+3363333000${i}`, `Problème de débit internet numéro ${i}`));
      await w.json(`/tickets/${made[1]}/status`, { method: 'PATCH', body: JSON.stringify({ status: 'fermé' }) });
      const all = ids(await w.json<ListBody>('/tickets?q=DEBIT%20Internet'));
      assert.deepEqual(all, [...made].reverse());
      const open = ids(await w.json<ListBody>('/tickets?q=debit&status=en%20cours'));
      assert.deepEqual(open, [made[4], made[3], made[2], made[0]]);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: ListBody = await w.json<ListBody>(`/tickets?q=débit&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        assert.ok(page.items.length <= 2);
        seen.push(...ids(page));
        cursor = page.next_cursor;
      } while (cursor);
      assert.deepEqual(seen, [...made].reverse());
      assert.deepEqual(ids(await w.json<ListBody>('/tickets?q=06%2033%2033%2000%2003')), [made[3]]);
      assert.deepEqual(ids(await w.json<ListBody>(`/tickets?q=${made[2].toLowerCase()}`)), [made[2]]);
      const wrongCursor = await w.api(`/tickets?q=internet&cursor=${encodeURIComponent('bad')}`);
      assert.equal(wrongCursor.status, 400);
      assert.equal((await w.api('/tickets?q=%20!%20')).status, 400);
      assert.equal((await w.api('/tickets?q=' + 'a '.repeat(20))).status, 400);
    });
  });
}
