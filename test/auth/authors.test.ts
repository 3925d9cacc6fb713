// Every action has an author: an agent's reply shows its name to the customer (SMS text through a fake Twilio, the web
// chat frame), the CSV gets closed_by / first_human_responder, /audit lists a scripted sequence, and an agent
// WebSocket opened with an access token is closed once the agent is disabled.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signTwilioRequest } from '../../adapters/twilio/verify.js';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio.js';
import { eventually, startApp, type TestApp } from '../helpers/app.js';
import { connectWs } from '../helpers/ws-client.js';
import { FIXTURE_AUTH_TOKEN, FIXTURE_SMS_FROM, formBody } from '../twilio/fixtures.js';
import { addAgent, bearer, login } from './helpers.js';

const PUBLIC = 'https://support.example.com';

describe('authors', () => {
  let fake: FakeTwilio;
  let t: TestApp;
  let agentToken = '';
  let agentId = '';
  before(async () => {
    fake = await startFakeTwilio();
    t = await startApp({
      env: {
        PUBLIC_BASE_URL: PUBLIC,
        TWILIO_ACCOUNT_SID: 'ACa1b2c3d4a1b2c3d4a1b2c3d4a1b2c3d4',
        TWILIO_AUTH_TOKEN: FIXTURE_AUTH_TOKEN,
        TWILIO_SMS_FROM: FIXTURE_SMS_FROM,
        TWILIO_API_BASE_URL: fake.url,
        ENABLE_AUTO_ANALYTICS: 'false',
        ENABLE_CHATBOT: 'false',
        AGENT_NAME_DISPLAY: 'first',
      },
    });
    await addAgent(t, 'admin@example.com', 'Ada Admin', 'admin');
    agentId = await addAgent(t, 'ana@example.com', 'Ana Martin', 'agent');
    agentToken = (await login(t.url, 'ana@example.com', undefined, { 'x-forwarded-for': '203.0.113.9' })).access_token;
  });
  after(async () => {
    await t?.stop();
    await fake?.close();
  });

  const asAgent = (path: string, init: RequestInit = {}) =>
    fetch(t.url + path, { ...init, headers: { ...bearer(agentToken), 'content-type': 'application/json' } });

  it('an SMS reply carries the agent first name; the message exposes agent_id and author_name; the ticket closed_by', async () => {
    const params = {
      MessageSid: 'SM' + '0123456789abcdef'.repeat(2),
      AccountSid: 'ACa1b2c3d4a1b2c3d4a1b2c3d4a1b2c3d4',
      From: '+33612345678',
      To: FIXTURE_SMS_FROM,
      Body: 'Bonjour',
      NumMedia: '0',
    };
    const hook = await fetch(`${t.url}/webhooks/twilio/messaging`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signTwilioRequest(FIXTURE_AUTH_TOKEN, `${PUBLIC}/webhooks/twilio/messaging`, params),
      },
      body: formBody(params),
    });
    assert.equal(hook.status, 200);
    const { items } = (await (await asAgent('/tickets')).json()) as { items: { ticket_id: string }[] };
    const ticketId = items[0].ticket_id;
    const reply = await asAgent(`/tickets/${ticketId}/messages`, { method: 'POST', body: JSON.stringify({ text: 'Je regarde.' }) });
    assert.equal(reply.status, 201);
    const message = (await reply.json()) as { agent_id: string; author_name: string; text: string };
    assert.equal(message.agent_id, agentId);
    assert.equal(message.author_name, 'Ana Martin');
    assert.equal(message.text, 'Je regarde.', 'the stored text is what the agent typed');
    const [sent] = await fake.waitForCreates(1);
    assert.equal(sent.params.Body, 'Ana : Je regarde.');

    const closed = await asAgent(`/tickets/${ticketId}/status`, { method: 'PATCH', body: JSON.stringify({ status: 'fermé' }) });
    assert.equal(((await closed.json()) as { closed_by: string }).closed_by, agentId);
    const csv = await (await asAgent(`/export/csv/${ticketId}`)).text();
    const [header, row] = csv.split('\r\n');
    assert.match(header, /,subject,assignee_id,closed_by,first_human_responder$/);
    assert.ok(row.endsWith(`,${agentId},${agentId}`), row);

    const audit = (await (await t.api('/audit?limit=50')).json()) as {
      items: { action: string; actor_id: string; target: string; ip: string; at: string }[];
    };
    const mine = audit.items.filter((e) => e.actor_id === agentId).map((e) => e.action);
    assert.deepEqual(mine, ['export', 'ticket_closed', 'ticket_replied', 'login'], 'newest first');
    assert.ok(audit.items.every((e) => e.at && 'ip' in e));
    assert.ok(audit.items.some((e) => e.action === 'agent_created' && e.actor_id === 'service'));
  });

  it('a web-chat visitor sees the agent name on the reply frame', async () => {
    const visitor = await connectWs(t.url.replace('http', 'ws') + '/ws');
    visitor.send({ type: 'hello' });
    await visitor.next((f) => f.type === 'welcome');
    visitor.send({ type: 'message', client_id: 'c1', text: 'Une question' });
    const ack = await visitor.next((f) => f.type === 'message.ack');
    const res = await asAgent(`/tickets/${ack.ticket_id}/messages`, { method: 'POST', body: JSON.stringify({ text: 'Oui ?' }) });
    assert.equal(res.status, 201);
    const frame = await visitor.next((f) => f.type === 'message' && (f.data as { author?: string })?.author === 'agent');
    assert.equal((frame.data as { author_name: string }).author_name, 'Ana');
    await visitor.close();
  });

  it('an agent WebSocket opened with an access token is closed when the agent is disabled', async () => {
    const ws = await connectWs(`${t.url.replace('http', 'ws')}/ws?token=${agentToken}`);
    await ws.next((f) => f.type === 'hello');
    const closed = new Promise<number>((resolve) => ws.ws.once('close', (code) => resolve(code)));
    assert.equal((await t.api(`/agents/${agentId}`, { method: 'PATCH', body: '{"status":"disabled"}' })).status, 200);
    assert.equal(await closed, 4401);
    const audit = (await (await t.api('/audit?limit=1')).json()) as { items: { action: string; target: string }[] };
    assert.deepEqual([audit.items[0].action, audit.items[0].target], ['agent_disabled', agentId]);
    await eventually(() => t.app.hub.agentCount === 0);
  });
});
