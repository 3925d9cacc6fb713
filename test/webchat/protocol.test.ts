// Web chat over /ws with real `ws` clients against the real server (json store in a temp dir).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createWebchatModule } from '../../adapters/webchat/index.js';
import { eventually, startApp, type TestApp } from '../helpers/app.js';
import { connectVisitor, greet, type Frame } from './client.js';

interface TicketDetail {
  ticket_id: string;
  status: string;
  channel: string;
  contact: { address: string; display_name: string | null };
  previous_ticket_id: string | null;
  messages: Array<{ message_id: string; author: string; text: string; external_id: string | null; delivery: { status: string } | null }>;
}

const ENV = { ENABLE_CHATBOT: 'false', ENABLE_AUTO_ANALYTICS: 'false', WEBCHAT_SECRET: 'test-webchat-secret' };

describe('web chat protocol', () => {
  let t: TestApp;
  const detail = async (id: string) => (await (await t.api(`/tickets/${id}`)).json()) as TicketDetail;
  const reply = (id: string, text: string) => t.api(`/tickets/${id}/messages`, { method: 'POST', body: JSON.stringify({ text }) });

  before(async () => {
    // Every frame (bad ones too) costs a token; the limit itself is tested below with its own app.
    t = await startApp({ modules: [createWebchatModule({ rateLimit: { capacity: 1000, refillEveryMs: 1000 } })], env: ENV });
  });
  after(async () => {
    await t.stop();
  });

  it('a new visitor gets a signed token, a message opens a chat ticket, an agent reply is pushed live and marked delivered', async () => {
    const { client, welcome } = await greet(t.url, { name: 'Zoé' });
    assert.match(welcome.visitor_token!, /^v_[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    assert.equal(welcome.ticket_id, null);
    assert.equal(welcome.resumed, false);
    const visitorId = welcome.visitor_token!.split('.')[0];

    client.send({ type: 'message', client_id: 'c-1', text: '  Bonjour, ma commande est bloquée  ' });
    const ack = await client.next((f) => f.type === 'message.ack');
    assert.equal(ack.client_id, 'c-1');
    assert.equal(ack.duplicate, false);
    assert.match(ack.ticket_id!, /^[0-9A-Z]{26}$/);

    const ticket = await detail(ack.ticket_id!);
    assert.equal(ticket.channel, 'chat');
    assert.equal(ticket.contact.address, visitorId);
    assert.equal(ticket.contact.display_name, 'Zoé');
    assert.equal(ticket.messages[0].message_id, ack.message_id);
    assert.equal(ticket.messages[0].text, 'Bonjour, ma commande est bloquée');
    assert.equal(ticket.messages[0].external_id, `${visitorId}:c-1`);

    assert.equal((await reply(ack.ticket_id!, 'Je regarde tout de suite.')).status, 201);
    const pushed = await client.next((f) => f.type === 'message');
    assert.equal(pushed.data!.author, 'agent');
    assert.equal(pushed.data!.text, 'Je regarde tout de suite.');
    assert.equal(pushed.data!.ticket_id, ack.ticket_id);
    assert.equal('delivery' in pushed.data!, false, 'the visitor does not see delivery bookkeeping');
    const delivered = await eventually(async () =>
      (await detail(ack.ticket_id!)).messages.find((m) => m.author === 'agent' && m.delivery?.status === 'delivered'),
    );
    assert.ok(delivered);
    await client.close();
  });

  it('a reply while the visitor is away is "sent"; resuming with the token returns the open ticket and its history', async () => {
    const first = await greet(t.url);
    first.client.send({ type: 'message', client_id: 'away-1', text: 'Vous êtes là ?' });
    const ack = await first.client.next((f) => f.type === 'message.ack');
    await first.client.close();

    await reply(ack.ticket_id!, 'Oui, voici la réponse.');
    const sent = await eventually(async () =>
      (await detail(ack.ticket_id!)).messages.find((m) => m.author === 'agent' && m.delivery?.status === 'sent'),
    );
    assert.ok(sent, 'no open socket: sent, not delivered');

    const again = await greet(t.url, { visitor_token: first.welcome.visitor_token });
    assert.equal(again.welcome.resumed, true);
    assert.equal(again.welcome.visitor_token, first.welcome.visitor_token);
    assert.equal(again.welcome.ticket_id, ack.ticket_id);
    const history = await again.client.next((f) => f.type === 'history');
    assert.equal(history.ticket_id, ack.ticket_id);
    assert.equal(history.status, 'en cours');
    assert.deepEqual(
      history.messages!.map((m) => [m.author, m.text]),
      [
        ['customer', 'Vous êtes là ?'],
        ['agent', 'Oui, voici la réponse.'],
      ],
    );
    assert.equal(history.messages![0].client_id, 'away-1');
    await again.client.close();
  });

  it('a resend with the same client id after reconnecting is deduplicated and acked with the same message id', async () => {
    const first = await greet(t.url);
    first.client.send({ type: 'message', client_id: 'dup-1', text: 'Une seule fois' });
    const ack = await first.client.next((f) => f.type === 'message.ack');
    await first.client.close();

    const again = await greet(t.url, { visitor_token: first.welcome.visitor_token });
    again.client.send({ type: 'message', client_id: 'dup-1', text: 'Une seule fois' });
    const second = await again.client.next((f) => f.type === 'message.ack');
    assert.equal(second.message_id, ack.message_id);
    assert.equal(second.ticket_id, ack.ticket_id);
    assert.equal(second.duplicate, true);
    assert.equal((await detail(ack.ticket_id!)).messages.length, 1);
    await again.client.close();
  });

  it('closing by an agent reaches the visitor; the next message opens a new ticket linked to the closed one', async () => {
    const { client } = await greet(t.url);
    client.send({ type: 'message', client_id: 'close-1', text: 'Merci, réglé' });
    const ack = await client.next((f) => f.type === 'message.ack');
    const patched = await t.api(`/tickets/${ack.ticket_id}/status`, { method: 'PATCH', body: JSON.stringify({ status: 'fermé' }) });
    assert.equal(patched.status, 200);
    const closed = await client.next((f) => f.type === 'ticket.status_changed');
    assert.equal(closed.data!.ticket_id, ack.ticket_id);
    assert.equal(closed.data!.status, 'fermé');
    assert.equal(typeof closed.data!.closed_at, 'string');
    assert.equal('analytics' in closed.data!, false, 'agents-only fields stay out of the visitor frame');

    client.send({ type: 'message', client_id: 'close-2', text: 'En fait, encore une question' });
    const next = await client.next((f) => f.type === 'message.ack');
    assert.notEqual(next.ticket_id, ack.ticket_id);
    assert.equal((await detail(next.ticket_id!)).previous_ticket_id, ack.ticket_id);
    await client.close();
  });

  it("the visitor's other tabs see what one tab sent; reopening reaches the visitor too", async () => {
    const tab1 = await greet(t.url);
    const tab2 = await greet(t.url, { visitor_token: tab1.welcome.visitor_token });
    tab1.client.send({ type: 'message', client_id: 'tab-1', text: "Depuis l'onglet 1" });
    const ack = await tab1.client.next((f) => f.type === 'message.ack');
    const echoed = await tab2.client.next((f) => f.type === 'message');
    assert.equal(echoed.data!.message_id, ack.message_id);
    assert.equal(echoed.data!.client_id, 'tab-1');
    await t.api(`/tickets/${ack.ticket_id}/status`, { method: 'PATCH', body: JSON.stringify({ status: 'fermé' }) });
    await t.api(`/tickets/${ack.ticket_id}/status`, { method: 'PATCH', body: JSON.stringify({ status: 'en cours' }) });
    for (const tab of [tab1.client, tab2.client]) {
      assert.equal((await tab.next((f) => f.type === 'ticket.status_changed')).data!.status, 'fermé');
      assert.equal((await tab.next((f) => f.type === 'ticket.status_changed')).data!.status, 'en cours');
    }
    assert.deepEqual(
      tab1.client.pending().filter((f) => f.type === 'message'),
      [],
      'the sending tab is not echoed its own message',
    );
    await Promise.all([tab1.client.close(), tab2.client.close()]);
  });

  it("another visitor does not receive someone else's replies or closing", async () => {
    const alice = await greet(t.url);
    const bob = await greet(t.url);
    alice.client.send({ type: 'message', client_id: 'a-1', text: 'Alice ici' });
    const ack = await alice.client.next((f) => f.type === 'message.ack');
    await reply(ack.ticket_id!, 'Pour Alice');
    await alice.client.next((f) => f.type === 'message');
    await t.api(`/tickets/${ack.ticket_id}/status`, { method: 'PATCH', body: JSON.stringify({ status: 'fermé' }) });
    await alice.client.next((f) => f.type === 'ticket.status_changed');
    bob.client.send({ type: 'ping' });
    await bob.client.next((f) => f.type === 'pong');
    assert.deepEqual(bob.client.pending(), []);
    await Promise.all([alice.client.close(), bob.client.close()]);
  });

  it('a forged or foreign token is not honoured: a new identity is issued', async () => {
    const { client: c1, welcome } = await greet(t.url);
    await c1.close();
    const [id, mac] = welcome.visitor_token!.split('.');
    const forged = `${id.slice(0, -1)}${id.endsWith('A') ? 'B' : 'A'}.${mac}`;
    const { client, welcome: second } = await greet(t.url, { visitor_token: forged });
    assert.equal(second.resumed, false);
    assert.notEqual(second.visitor_token!.split('.')[0], id.slice(0, -1) + (id.endsWith('A') ? 'B' : 'A'));
    await client.close();
  });

  it('bad frames get an error frame and the connection stays usable', async () => {
    const client = await connectVisitor(t.url);
    const expectError = async (send: () => void, code: string) => {
      send();
      const frame: Frame = await client.next((f) => f.type === 'error');
      assert.equal(frame.code, code, JSON.stringify(frame));
      assert.equal(typeof frame.message, 'string');
    };
    await expectError(() => client.sendRaw('not json'), 'invalid_json');
    await expectError(() => client.sendRaw('[1,2]'), 'invalid_frame');
    await expectError(() => client.send({ type: 'launch_missiles' }), 'unsupported_type');
    await expectError(() => client.send({ type: 'message', client_id: 'x', text: 'avant hello' }), 'hello_required');
    client.send({ type: 'hello' });
    await client.next((f) => f.type === 'welcome');
    await expectError(() => client.send({ type: 'hello' }), 'already_greeted');
    await expectError(() => client.send({ type: 'message', text: 'sans id' }), 'invalid_frame');
    await expectError(() => client.send({ type: 'message', client_id: 'x', text: '   ' }), 'invalid_frame');
    await expectError(() => client.send({ type: 'message', client_id: 'x y', text: 'espace' }), 'invalid_frame');
    await expectError(() => client.send({ type: 'message', client_id: 'long', text: 'a'.repeat(4001) }), 'text_too_long');
    await expectError(() => client.send({ type: 'message', client_id: 'big', text: 'a'.repeat(17_000) }), 'frame_too_large');
    client.send({ type: 'message', client_id: 'ok-1', text: 'a'.repeat(4000) });
    const ack = await client.next((f) => f.type === 'message.ack');
    assert.equal(ack.client_id, 'ok-1');
    assert.equal(client.ws.readyState, client.ws.OPEN);
    await client.close();
  });
});

describe('web chat rate limit', () => {
  let t: TestApp;
  before(async () => {
    // A bucket of 5 that does not refill during the test: the outcome does not depend on timing.
    t = await startApp({ modules: [createWebchatModule({ rateLimit: { capacity: 5, refillEveryMs: 3_600_000 } })], env: ENV });
  });
  after(async () => {
    await t.stop();
  });

  it('refuses frames beyond the bucket with rate_limited and keeps the connection open', async () => {
    const { client } = await greet(t.url);
    for (let i = 1; i <= 5; i++) client.send({ type: 'message', client_id: `r-${i}`, text: `message ${i}` });
    const acks: Frame[] = [];
    for (let i = 1; i <= 4; i++) acks.push(await client.next((f) => f.type === 'message.ack'));
    const limited = await client.next((f) => f.type === 'error');
    assert.equal(limited.code, 'rate_limited');
    assert.deepEqual(
      acks.map((a) => a.client_id),
      ['r-1', 'r-2', 'r-3', 'r-4'],
    );
    const ticket = (await (await t.api(`/tickets/${acks[0].ticket_id}`)).json()) as TicketDetail;
    assert.equal(ticket.messages.length, 4, 'the refused message was not stored');
    assert.equal(client.ws.readyState, client.ws.OPEN);
    // A fresh connection has its own bucket.
    const other = await greet(t.url);
    other.client.send({ type: 'ping' });
    assert.equal((await other.client.next()).type, 'pong');
    await Promise.all([client.close(), other.client.close()]);
  });
});

describe('web chat resume after a restart', () => {
  it('with WEBCHAT_SECRET set, the visitor token alone brings the history back', async () => {
    let t = await startApp({ modules: [createWebchatModule()], env: ENV });
    try {
      const { client, welcome } = await greet(t.url);
      client.send({ type: 'message', client_id: 'rs-1', text: 'Avant redémarrage' });
      const ack = await client.next((f) => f.type === 'message.ack');
      await client.close();
      t = await t.restart();
      const again = await greet(t.url, { visitor_token: welcome.visitor_token });
      assert.equal(again.welcome.resumed, true);
      assert.equal(again.welcome.ticket_id, ack.ticket_id);
      const history = await again.client.next((f) => f.type === 'history');
      assert.deepEqual(
        history.messages!.map((m) => m.text),
        ['Avant redémarrage'],
      );
      // Someone else's ticket id as a hint is ignored.
      const stranger = await greet(t.url, { ticket_id: ack.ticket_id });
      assert.equal(stranger.welcome.ticket_id, null);
      await Promise.all([again.client.close(), stranger.client.close()]);
    } finally {
      await t.stop();
    }
  });
});
