// Every automatic-mail fixture through the real server with the chatbot on: a customer mail gets a bot reply, then the
// automatic mail about that reply is posted. It is stored as a system note on the customer's ticket, nothing more is
// sent to the fake SendGrid, no ticket is opened, and a bounce marks the bot's mail failed with its reason.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sendgridModule } from '../../adapters/sendgrid/index.js';
import { simulatedInboundParse } from '../../adapters/sendgrid/simulate.js';
import { parseModuleConfig } from '../../src/config.js';
import type { Message, Ticket } from '../../src/domain/types.js';
import { eventually, startApp, type TestApp } from '../helpers/app.js';
import { AUTOMATIC_CASES, automaticMail } from './automatic-kit.js';
import { emailAppEnv, startFakeSendGrid, type FakeSendGrid } from './fake-sendgrid.js';

const SECRET = 'inbound-secret-auto';
const SUPPORT = 'support@freeda.example';

type TicketView = Ticket & { messages: Message[] };

describe('automatic mail through the real server', () => {
  let fake: FakeSendGrid;
  let t: TestApp;
  before(async () => {
    fake = await startFakeSendGrid();
    t = await startApp({
      modules: [sendgridModule],
      env: emailAppEnv(fake, SECRET),
    });
  });
  after(async () => {
    await t.stop();
    await fake.close();
  });

  const post = (mail: { body: Buffer; contentType: string }) =>
    fetch(`${t.url}/webhooks/sendgrid/inbound?token=${SECRET}`, {
      method: 'POST',
      headers: { 'content-type': mail.contentType },
      body: new Uint8Array(mail.body),
    });
  const view = async (id: string) => (await (await t.api(`/tickets/${id}`)).json()) as TicketView;
  const ticketCount = async () => ((await (await t.api('/tickets?limit=200')).json()) as { items: Ticket[] }).items.length;

  for (const c of AUTOMATIC_CASES) {
    test(`${c.name} (${c.mode}): a ${c.expect.loop} note, no mail sent`, async () => {
      const customer = `${c.name}@client.fr`;
      const config = parseModuleConfig(sendgridModule, { SUPPORT_EMAIL_FROM: SUPPORT });
      const first = await post(
        simulatedInboundParse({ text: 'Bonjour, ma facture de mars est-elle disponible ?', from: customer, options: {} }, config),
      );
      assert.equal(first.status, 200);
      const ticketId = first.headers.get('x-freeda-ticket-id')!;
      const botMail = await eventually(async () => {
        const out = (await view(ticketId)).messages.find((m) => m.author === 'bot');
        return out?.delivery?.status === 'sent' ? out : null;
      });
      const sent = fake.sends.find((s) => s.body.personalizations?.[0]?.to?.[0]?.email === customer);
      const ourMessageId = (sent?.body.headers?.['Message-ID'] ?? '').replace(/^<|>$/g, '');
      assert.ok(ourMessageId, 'our Message-ID');
      const sendsBefore = fake.sends.length;
      const ticketsBefore = await ticketCount();

      const res = await post(automaticMail(c, { customer, ourMessageId }));
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('x-freeda-ticket-id'), ticketId, 'the note joins the customer ticket');
      await t.app.work.idle();
      const after = await view(ticketId);
      const note = after.messages.at(-1)!;
      assert.equal(note.author, 'system');
      assert.equal(note.meta?.loop, c.expect.loop);
      assert.deepEqual(
        after.messages.map((m) => m.author),
        ['customer', 'bot', 'system'],
        'no bot reply to the automatic mail',
      );
      assert.equal(fake.sends.length, sendsBefore, 'nothing sent to the fake SendGrid');
      assert.equal(await ticketCount(), ticketsBefore, 'no new ticket');
      const delivery = after.messages.find((m) => m.message_id === botMail.message_id)?.delivery;
      if (c.expect.loop === 'bounce') {
        assert.equal(delivery?.status, 'failed');
        assert.match(delivery?.error_message ?? '', /5\.\d\.\d/);
        assert.match(note.text, /Reason: /);
      } else {
        assert.equal(delivery?.status, 'sent');
      }
    });
  }

  test('a bounce for a mail we never sent opens no ticket', async () => {
    const dsn = AUTOMATIC_CASES.find((c) => c.name === 'dsn-raw')!;
    const before = await ticketCount();
    const res = await post(automaticMail(dsn, { customer: 'stranger@client.fr', ourMessageId: 'unknown.1@elsewhere.example' }));
    assert.equal(res.status, 200);
    assert.equal(await ticketCount(), before);
  });
});
