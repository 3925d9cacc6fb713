// An agents' internal note never leaves Freeda: not at the fake Twilio nor the fake SendGrid, not in what the fake
// Mistral is asked (bot and analytics), not on the web-chat visitor's socket nor in its history. Real server, signed
// webhooks, real adapters; each check has a positive control (a public reply or a customer message does get through).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sendgridModule } from '../../adapters/sendgrid/index.js';
import { simulatedInboundParse } from '../../adapters/sendgrid/simulate.js';
import { twilioModule } from '../../adapters/twilio/index.js';
import { signTwilioRequest } from '../../adapters/twilio/verify.js';
import { createWebchatModule } from '../../adapters/webchat/index.js';
import { parseModuleConfig } from '../../src/config.js';
import { completion, startFakeMistral, type FakeMistral } from '../analytics/fake-mistral.js';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio.js';
import { eventually, startApp, type TestApp } from '../helpers/app.js';
import { emailAppEnv, startFakeSendGrid, type FakeSendGrid } from '../sendgrid/fake-sendgrid.js';
import { FIXTURE_AUTH_TOKEN, FIXTURE_SMS_FROM, formBody, loadFixture } from '../twilio/fixtures.js';
import { greet } from '../webchat/client.js';

const PUBLIC = 'https://support.example.com';
const LABELS = JSON.stringify({ sentiment: 'negatif', category: 'facturation', urgency: 'moyenne', summary: 'Facture contestée.' });

describe('internal notes stay internal', () => {
  let t: TestApp;
  let twilio: FakeTwilio;
  let sendgrid: FakeSendGrid;
  let mistral: FakeMistral;
  before(async () => {
    twilio = await startFakeTwilio();
    sendgrid = await startFakeSendGrid();
    mistral = await startFakeMistral({ reply: () => ({ status: 200, json: completion(LABELS) }) });
    t = await startApp({
      modules: [twilioModule, sendgridModule, createWebchatModule()],
      env: {
        ...emailAppEnv(sendgrid, 'inbound-secret'),
        PUBLIC_BASE_URL: PUBLIC,
        TWILIO_ACCOUNT_SID: 'ACa1b2c3d4a1b2c3d4a1b2c3d4a1b2c3d4',
        TWILIO_AUTH_TOKEN: FIXTURE_AUTH_TOKEN,
        TWILIO_SMS_FROM: FIXTURE_SMS_FROM,
        TWILIO_API_BASE_URL: twilio.url,
        MISTRAL_API_KEY: 'test-key',
        MISTRAL_SERVER_URL: mistral.url,
        ENABLE_CHATBOT: 'true',
        ENABLE_AUTO_ANALYTICS: 'true',
        ANALYTICS_DEBOUNCE_MS: '10',
        WEBCHAT_SECRET: 'test-webchat-secret',
      },
    });
  });
  after(async () => {
    await t.stop();
    await Promise.all([twilio.close(), sendgrid.close(), mistral.close()]);
  });

  const note = async (ticketId: string, text: string) => {
    const res = await t.api(`/tickets/${ticketId}/notes`, { method: 'POST', body: JSON.stringify({ text }) });
    assert.equal(res.status, 201);
    const body = (await res.json()) as { visibility: string; delivery: unknown; author: string };
    assert.deepEqual([body.visibility, body.delivery, body.author], ['internal', null, 'agent']);
  };
  const reply = async (ticketId: string, text: string) =>
    assert.equal((await t.api(`/tickets/${ticketId}/messages`, { method: 'POST', body: JSON.stringify({ text }) })).status, 201);
  const mistralSaw = (text: string) => mistral.requests.some((r) => JSON.stringify(r.body).includes(text));

  function sms(sid: string, body: string) {
    const params = { ...loadFixture('messaging', 'sms-basic').params, MessageSid: sid, SmsMessageSid: sid, SmsSid: sid, Body: body };
    const path = '/webhooks/twilio/messaging';
    return fetch(t.url + path, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signTwilioRequest(FIXTURE_AUTH_TOKEN, PUBLIC + path, params),
      },
      body: formBody(params),
    });
  }

  it('SMS: a note is neither sent to Twilio nor read by the bot or the analytics', async () => {
    const first = await sms('SM' + 'a'.repeat(32), 'Ma facture de mars est fausse');
    assert.equal(first.status, 200);
    const ticketId = first.headers.get('x-freeda-ticket-id')!;
    await t.app.work.idle();
    await note(ticketId, 'NOTE-SECRET-SMS le client a déjà eu un geste');
    await reply(ticketId, 'PUBLIC-REPLY-SMS nous regardons');
    assert.equal((await sms('SM' + 'b'.repeat(32), 'Toujours pas de nouvelles ?')).status, 200);
    await eventually(() => twilio.accepted.some((m) => m.body.includes('PUBLIC-REPLY-SMS')));
    await eventually(() => mistralSaw('Toujours pas de nouvelles'), 400);
    await t.app.work.idle();
    assert.ok(mistralSaw('PUBLIC-REPLY-SMS'), 'control: the public reply is part of what the bot reads');
    assert.equal(twilio.creates.filter((c) => JSON.stringify(c.params).includes('NOTE-SECRET')).length, 0);
    assert.equal(mistralSaw('NOTE-SECRET-SMS'), false);
  });

  it('E-mail: a note is never mailed through SendGrid nor analysed', async () => {
    const config = parseModuleConfig(sendgridModule, { SUPPORT_EMAIL_FROM: 'support@freeda.example' });
    const mail = simulatedInboundParse(
      { text: 'Bonjour, je conteste le prélèvement', from: 'Jean Dupont <jean.dupont@client.fr>', options: {} },
      config,
    );
    const res = await fetch(`${t.url}/webhooks/sendgrid/inbound?token=inbound-secret`, {
      method: 'POST',
      headers: { 'content-type': mail.contentType },
      body: new Uint8Array(mail.body),
    });
    assert.equal(res.status, 200);
    const ticketId = await eventually(async () => {
      const list = (await (await t.api('/tickets?channel=email')).json()) as { items: { ticket_id: string }[] };
      return list.items[0]?.ticket_id;
    });
    await note(ticketId, 'NOTE-SECRET-MAIL vérifier le RIB');
    await reply(ticketId, 'PUBLIC-REPLY-MAIL bien reçu');
    await eventually(() => sendgrid.sends.some((s) => JSON.stringify(s.body).includes('PUBLIC-REPLY-MAIL')));
    const close = await t.api(`/tickets/${ticketId}/status`, { method: 'PATCH', body: JSON.stringify({ status: 'fermé' }) });
    assert.equal(close.status, 200); // closing analyses again, with the note on the ticket
    await eventually(() => mistralSaw('je conteste le prélèvement'), 400);
    await t.app.work.idle();
    assert.equal(sendgrid.sends.filter((s) => JSON.stringify(s.body).includes('NOTE-SECRET')).length, 0);
    assert.equal(mistralSaw('NOTE-SECRET-MAIL'), false);
  });

  it("Web chat: a note never reaches the visitor's socket nor the history a returning visitor gets", async () => {
    const { client, welcome } = await greet(t.url, { name: 'Zoé' });
    client.send({ type: 'message', client_id: 'c-1', text: 'Bonjour, ma commande est bloquée' });
    const ack = await client.next((f) => f.type === 'message.ack');
    const ticketId = ack.ticket_id!;
    await t.app.work.idle();
    await note(ticketId, 'NOTE-SECRET-CHAT commande 1234 en litige');
    await reply(ticketId, 'PUBLIC-REPLY-CHAT je regarde');
    await client.next((f) => f.type === 'message' && JSON.stringify(f.data).includes('PUBLIC-REPLY-CHAT'));
    await t.app.work.idle();
    assert.equal(client.drain().filter((f) => JSON.stringify(f).includes('NOTE-SECRET')).length, 0, 'no frame carried the note');
    await client.close();
    const again = await greet(t.url, { visitor_token: welcome.visitor_token });
    const history = await again.client.next((f) => f.type === 'history');
    const texts = JSON.stringify(history.messages);
    assert.match(texts, /PUBLIC-REPLY-CHAT/);
    assert.doesNotMatch(texts, /NOTE-SECRET/);
    await again.client.close();
    assert.equal(mistralSaw('NOTE-SECRET-CHAT'), false);
    const detail = (await (await t.api(`/tickets/${ticketId}`)).json()) as {
      messages: { text: string; visibility?: string }[];
      messages_count: number;
    };
    assert.equal(detail.messages.find((m) => m.text.startsWith('NOTE-SECRET-CHAT'))?.visibility, 'internal', 'agents see it');
  });
});
