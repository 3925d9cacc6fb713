// The SendGrid channel through the real server: real multipart bodies posted to the webhook, the real
// json store in a temp dir, replies captured by a local fake SendGrid.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sendgridModule } from '../../adapters/sendgrid/index.js';
import { buildMultipart } from '../../adapters/sendgrid/multipart.js';
import { simulatedInboundParse } from '../../adapters/sendgrid/simulate.js';
import { simulateEnv } from '../../src/cli/simulate.js';
import { parseModuleConfig } from '../../src/config.js';
import type { Message, Ticket } from '../../src/domain/types.js';
import { eventually, startApp, type TestApp } from '../helpers/app.js';
import { emailAppEnv, startFakeSendGrid, type FakeSendGrid } from './fake-sendgrid.js';

const SECRET = 'inbound-secret-42';
const SUPPORT = 'support@freeda.example';
const INBOUND = '/webhooks/sendgrid/inbound';
const FIXTURES = fileURLToPath(new URL('../../fixtures/sendgrid/', import.meta.url));

type TicketView = Ticket & { messages: Message[] };

async function fixture(name: string): Promise<{ body: Buffer; contentType: string }> {
  const manifest = JSON.parse(await readFile(join(FIXTURES, 'manifest.json'), 'utf8')) as Record<string, { content_type: string }>;
  return { body: await readFile(join(FIXTURES, `${name}.multipart`)), contentType: manifest[name].content_type };
}

function post(
  t: TestApp,
  mail: { body: Buffer; contentType: string },
  auth: { token?: string; basic?: string } = { token: SECRET },
): Promise<Response> {
  const query = auth.token !== undefined ? `?token=${encodeURIComponent(auth.token)}` : '';
  const headers: Record<string, string> = { 'content-type': mail.contentType };
  if (auth.basic !== undefined) headers.authorization = `Basic ${Buffer.from(`sendgrid:${auth.basic}`).toString('base64')}`;
  return fetch(`${t.url}${INBOUND}${query}`, { method: 'POST', headers, body: new Uint8Array(mail.body) });
}

/** A customer mail as the simulator builds it (parsed mode, real multipart). */
function customerMail(text: string, options: { from?: string; to?: string; subject?: string; inReplyTo?: string } = {}) {
  const config = parseModuleConfig(sendgridModule, { SUPPORT_EMAIL_FROM: SUPPORT });
  const opts: Record<string, string> = {};
  if (options.to) opts.to = options.to;
  if (options.subject) opts.subject = options.subject;
  if (options.inReplyTo) opts['in-reply-to'] = options.inReplyTo;
  return simulatedInboundParse({ text, from: options.from ?? 'Jean Dupont <jean.dupont@client.fr>', options: opts }, config);
}

async function ticket(t: TestApp, id: string): Promise<TicketView> {
  const res = await t.api(`/tickets/${id}`);
  assert.equal(res.status, 200);
  return (await res.json()) as TicketView;
}

async function allTickets(t: TestApp): Promise<Ticket[]> {
  return ((await (await t.api('/tickets')).json()) as { items: Ticket[] }).items;
}

async function agentReply(t: TestApp, ticketId: string, text: string): Promise<void> {
  const res = await t.api(`/tickets/${ticketId}/messages`, { method: 'POST', body: JSON.stringify({ text }) });
  assert.ok(res.status === 200 || res.status === 201 || res.status === 202, `agent reply answered ${res.status}`);
}

async function sentReply(t: TestApp, ticketId: string, count = 1): Promise<Message[]> {
  return eventually(async () => {
    const out = (await ticket(t, ticketId)).messages.filter((m) => m.direction === 'outbound');
    return out.length >= count && out.every((m) => m.delivery?.status === 'sent') ? out : null;
  });
}

describe('SendGrid email through the real server', () => {
  let fake: FakeSendGrid;
  let t: TestApp;
  before(async () => {
    fake = await startFakeSendGrid();
  });
  after(async () => {
    await fake.close();
  });
  beforeEach(async () => {
    t = await startApp({
      modules: [sendgridModule],
      // The reply is an agent's: same outbound path as the bot's, without depending on a chatbot.
      env: emailAppEnv(fake, SECRET, { ENABLE_CHATBOT: 'false' }),
    });
  });
  afterEach(async () => {
    await t.stop();
  });

  test('new mail → ticket; the reply reaches SendGrid with threading headers; the customer answer joins the same ticket', async () => {
    const res = await post(t, await fixture('plain'));
    assert.equal(res.status, 200);
    const ticketId = res.headers.get('x-freeda-ticket-id');
    assert.ok(ticketId);
    const created = await ticket(t, ticketId);
    assert.equal(created.channel, 'email');
    assert.equal(created.subject, 'Facture de mars');
    assert.deepEqual(created.contact, { address: 'jean.dupont@client.fr', display_name: 'Jean Dupont' });
    assert.equal(created.messages.length, 1);
    assert.equal(created.messages[0].external_id, 'CAJ=plain.0001@mail.client.fr');
    assert.match(created.messages[0].text, /49,90 €/);

    const sendsBefore = fake.sends.length;
    await agentReply(t, ticketId, 'Bonjour Jean, nous vérifions votre facture.');
    const [reply] = await sentReply(t, ticketId);
    const sent = fake.sends[sendsBefore];
    assert.equal(sent.status, 202);
    assert.equal(reply.delivery?.provider_id, sent.messageId);
    assert.equal(sent.body.subject, 'Re: Facture de mars');
    assert.deepEqual(sent.body.personalizations[0].to, [{ email: 'jean.dupont@client.fr', name: 'Jean Dupont' }]);
    assert.deepEqual(sent.body.reply_to, { email: `support+${ticketId}@freeda.example` });
    assert.equal(sent.body.headers?.['In-Reply-To'], '<CAJ=plain.0001@mail.client.fr>');
    assert.equal(sent.body.headers?.References, '<CAJ=plain.0001@mail.client.fr>');
    const ourMessageId = sent.body.headers?.['Message-ID'];
    assert.match(ourMessageId ?? '', /^<[^<>]+@freeda\.example>$/);

    // The customer hits Reply: In-Reply-To = our Message-ID, sent to plain support@ (no token).
    const answer = customerMail('Merci, j’attends.', { inReplyTo: ourMessageId, subject: 'Re: Facture de mars' });
    const answerRes = await post(t, answer);
    assert.equal(answerRes.status, 200);
    assert.equal(answerRes.headers.get('x-freeda-ticket-id'), ticketId);

    // Reply-to address only (headers stripped by the customer's client).
    const byToken = await post(t, customerMail('Et la facture corrigée ?', { to: `support+${ticketId.toLowerCase()}@freeda.example` }));
    assert.equal(byToken.headers.get('x-freeda-ticket-id'), ticketId);

    const after = await ticket(t, ticketId);
    assert.deepEqual(
      after.messages.map((m) => m.direction),
      ['inbound', 'outbound', 'inbound', 'inbound'],
    );
    assert.equal((await allTickets(t)).length, 1);
  });

  test('someone else replying on the thread gets a new ticket linked to it, and a new mail without references opens its own', async () => {
    const first = await post(t, await fixture('plain'));
    const ticketId = first.headers.get('x-freeda-ticket-id')!;
    const intruder = await post(
      t,
      customerMail('Je réponds aussi', { from: 'Paul <paul@autre.fr>', inReplyTo: 'CAJ=plain.0001@mail.client.fr' }),
    );
    const otherId = intruder.headers.get('x-freeda-ticket-id')!;
    assert.notEqual(otherId, ticketId);
    assert.equal((await ticket(t, otherId)).previous_ticket_id, ticketId);
    const fresh = await post(t, customerMail('Autre sujet', { subject: 'Nouvelle question' }));
    const freshId = fresh.headers.get('x-freeda-ticket-id')!;
    assert.notEqual(freshId, ticketId, 'email threads by headers, not by sender');
    assert.equal((await ticket(t, freshId)).subject, 'Nouvelle question');
  });

  test('the same mail delivered twice (SendGrid retry) is stored once and both deliveries get 200', async () => {
    const mail = await fixture('latin1');
    const a = await post(t, mail);
    const b = await post(t, mail);
    assert.equal(a.status, 200);
    assert.equal(b.status, 200);
    assert.equal(((await b.json()) as { status: string }).status, 'duplicate');
    const ticketId = a.headers.get('x-freeda-ticket-id')!;
    assert.equal(b.headers.get('x-freeda-ticket-id'), ticketId);
    const view = await ticket(t, ticketId);
    assert.equal(view.messages.length, 1);
    assert.match(view.messages[0].text, /arrivée\. Où en est-elle/);
    // Same for a mail without Message-ID (hash of envelope + date + body).
    const noId = await fixture('no-message-id');
    assert.equal((await post(t, noId)).status, 200);
    assert.equal((await post(t, noId)).status, 200);
    assert.equal((await allTickets(t)).length, 2);
  });

  test('missing or wrong secret → 403 and nothing stored; Basic auth with the secret works', async () => {
    const mail = await fixture('plain');
    for (const auth of [{}, { token: 'wrong' }, { basic: 'wrong' }, { token: '' }]) {
      const res = await post(t, mail, auth);
      assert.equal(res.status, 403, JSON.stringify(auth));
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'forbidden');
    }
    assert.equal((await allTickets(t)).length, 0);
    assert.equal((await post(t, mail, { basic: SECRET })).status, 200);
    assert.equal((await allTickets(t)).length, 1);
  });

  test(
    'a wrong secret is refused before the body is read: the 403 comes while the upload is still unfinished',
    { timeout: 30_000 },
    async () => {
      const { request } = await import('node:http');
      const url = new URL(`${t.url}/webhooks/sendgrid/inbound?token=wrong`);
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(
          url,
          { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=x', 'content-length': String(30 * 1024 * 1024) } },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', (error: NodeJS.ErrnoException) =>
          error.code === 'ECONNRESET' || error.code === 'EPIPE' ? undefined : reject(error),
        );
        // 64 KB of a declared 30 MB body, then nothing: a server that buffers first would never answer.
        req.write(Buffer.alloc(64 * 1024, 0x61));
      });
      assert.equal(status, 403);
      assert.equal((await allTickets(t)).length, 0);
    },
  );

  test('garbage multipart → 400 invalid_multipart and nothing stored', async () => {
    const bodies = [
      { body: Buffer.from('this is not multipart'), contentType: 'multipart/form-data; boundary=zzz' },
      { body: Buffer.from('from=a@b.c&text=hi'), contentType: 'application/x-www-form-urlencoded' },
      {
        ...buildMultipart([['from', 'a@b.c']], 'cut'),
        body: buildMultipart(
          [
            ['from', 'a@b.c'],
            ['text', 'x'.repeat(100)],
          ],
          'cut',
        ).body.subarray(0, 80),
      },
    ];
    for (const mail of bodies) {
      const res = await post(t, mail);
      assert.equal(res.status, 400);
      const body = (await res.json()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'invalid_multipart');
      assert.ok(body.error.message.length > 0);
    }
    assert.equal((await allTickets(t)).length, 0);
  });

  test('SendGrid 503 then 202 → the reply is sent exactly once, after a retry', async () => {
    const res = await post(t, await fixture('english-reply'));
    const ticketId = res.headers.get('x-freeda-ticket-id')!;
    const before = fake.sends.length;
    fake.script({ kind: 'error', httpStatus: 503, message: 'Service Unavailable' });
    await agentReply(t, ticketId, 'Here is your invoice.');
    const [reply] = await sentReply(t, ticketId);
    const attempts = fake.sends.slice(before);
    assert.deepEqual(
      attempts.map((s) => s.status),
      [503, 202],
    );
    assert.equal(reply.delivery?.attempts, 2);
    assert.equal(reply.delivery?.provider_id, attempts[1].messageId);
    assert.equal(attempts[0].body.headers?.['Message-ID'], attempts[1].body.headers?.['Message-ID'], 'a retry keeps our Message-ID');
  });

  test('permanent 4xx from SendGrid → failed with the reason, not retried', async () => {
    const res = await post(t, await fixture('plain'));
    const ticketId = res.headers.get('x-freeda-ticket-id')!;
    const before = fake.sends.length;
    fake.script({ kind: 'error', httpStatus: 403, message: 'The from address does not match a verified Sender Identity.' });
    await agentReply(t, ticketId, 'Bonjour');
    const failed = await eventually(async () =>
      (await ticket(t, ticketId)).messages.find((m) => m.direction === 'outbound' && m.delivery?.status === 'failed'),
    );
    assert.equal(failed.delivery?.error_code, 'sendgrid_403');
    assert.match(failed.delivery?.error_message ?? '', /verified Sender Identity/);
    assert.equal(fake.sends.length - before, 1);
  });

  test('auto-reply to our mail is stored on the ticket as a system note; our own From is dropped', async () => {
    const res = await post(t, await fixture('plain'));
    const ticketId = res.headers.get('x-freeda-ticket-id')!;
    await agentReply(t, ticketId, 'Bonjour');
    await sentReply(t, ticketId);
    const ourMessageId = fake.sends[fake.sends.length - 1].body.headers?.['Message-ID'] ?? '';
    const ooo = buildMultipart(
      [
        [
          'headers',
          `From: Jean Dupont <jean.dupont@client.fr>\nTo: ${SUPPORT}\nSubject: Absence\nMessage-ID: <ooo.1@client.fr>\nIn-Reply-To: ${ourMessageId}\nAuto-Submitted: auto-replied\n`,
        ],
        ['from', 'Jean Dupont <jean.dupont@client.fr>'],
        ['text', 'Je suis absent.'],
        ['envelope', JSON.stringify({ to: [SUPPORT], from: 'jean.dupont@client.fr' })],
      ],
      'ooo',
    );
    const oooRes = await post(t, ooo);
    assert.equal(oooRes.status, 200);
    assert.equal(oooRes.headers.get('x-freeda-ticket-id'), ticketId);
    const note = (await ticket(t, ticketId)).messages.at(-1)!;
    assert.equal(note.author, 'system');
    assert.match(note.text, /Automatic reply/);

    const own = await post(t, await fixture('own-from'));
    assert.equal(own.status, 200);
    assert.equal(((await own.json()) as { status: string }).status, 'ignored');
    assert.equal((await allTickets(t)).length, 1);
  });

  test('raw MIME mode, a 28 MB attachment, and a body over the limit (413)', async () => {
    const res = await post(t, await fixture('raw-mime'));
    assert.equal(res.status, 200);
    const view = await ticket(t, res.headers.get('x-freeda-ticket-id')!);
    assert.equal(view.subject, 'Re: Commande n°42 et réclamation');
    assert.equal(view.messages[0].attachments[0]?.filename, 'facture-42.pdf');
    // The bytes are stored and downloadable through the ticket, as a download (never rendered inline).
    const storedKey = view.messages[0].attachments[0]?.stored_key;
    assert.match(storedKey ?? '', /^sha256-[0-9a-f]{64}$/);
    const download = await t.api(`/tickets/${view.ticket_id}/attachments/${storedKey}`);
    assert.equal(download.status, 200);
    assert.equal(download.headers.get('content-type'), 'application/pdf');
    assert.match(download.headers.get('content-disposition') ?? '', /^attachment; filename="?facture-42\.pdf"?$/);
    assert.equal(download.headers.get('x-content-type-options'), 'nosniff');
    const bytes = Buffer.from(await download.arrayBuffer());
    assert.equal(bytes.length, view.messages[0].attachments[0]?.size);
    assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-');
    assert.equal((await t.api(`/tickets/${view.ticket_id}/attachments/sha256-${'0'.repeat(64)}`)).status, 404);
    assert.equal((await t.api(`/tickets/${view.ticket_id}/attachments/..%2F..%2Fjournal`)).status, 404);
    assert.equal((await fetch(`${t.url}/tickets/${view.ticket_id}/attachments/${storedKey}`)).status, 401);
    assert.match(view.messages[0].full_text ?? '', /a écrit :/);

    // A 28 MB attachment (SendGrid allows 30 MB per mail) is accepted; metadata kept, bytes over the limit dropped.
    const big = buildMultipart(
      [
        [
          'headers',
          'From: Jean Dupont <jean.dupont@client.fr>\nTo: support@freeda.example\nSubject: Vidéo\nMessage-ID: <big.1@client.fr>\n',
        ],
        ['from', 'Jean Dupont <jean.dupont@client.fr>'],
        ['text', 'La vidéo du problème est jointe.'],
        ['attachments', '1'],
        ['attachment-info', JSON.stringify({ attachment1: { filename: 'bug.mp4', type: 'video/mp4' } })],
        ['attachment1', { filename: 'bug.mp4', contentType: 'video/mp4', content: Buffer.alloc(28 * 1024 * 1024, 1) }],
      ],
      'big',
    );
    const bigRes = await post(t, big);
    assert.equal(bigRes.status, 200);
    const bigView = await ticket(t, bigRes.headers.get('x-freeda-ticket-id')!);
    assert.deepEqual(
      bigView.messages[0].attachments.map((a) => [a.filename, a.content_type, a.size]),
      [['bug.mp4', 'video/mp4', 28 * 1024 * 1024]],
    );

    const huge = { body: Buffer.alloc(41 * 1024 * 1024, 0x61), contentType: 'multipart/form-data; boundary=x' };
    assert.equal((await post(t, huge)).status, 413);
  });
});

describe('SendGrid email with the chatbot on', () => {
  test('new mail → ticket → bot reply captured by the fake SendGrid, threaded to the customer mail; auto-reply gets no answer', async () => {
    const fake = await startFakeSendGrid();
    const t = await startApp({
      modules: [sendgridModule],
      env: emailAppEnv(fake, SECRET),
    });
    try {
      const res = await post(t, await fixture('plain'));
      assert.equal(res.status, 200);
      const ticketId = res.headers.get('x-freeda-ticket-id')!;
      const [sent] = await fake.waitForSends(1);
      const [botReply] = await sentReply(t, ticketId);
      assert.equal(botReply.author, 'bot');
      assert.equal(sent.body.content[0].value, botReply.text);
      assert.equal(sent.body.headers?.['In-Reply-To'], '<CAJ=plain.0001@mail.client.fr>');
      assert.equal(sent.body.subject, 'Re: Facture de mars');
      assert.deepEqual(sent.body.reply_to, { email: `support+${ticketId}@freeda.example` });

      // An out-of-office answer to the bot's mail: stored as a note on the ticket, and nothing is sent back.
      const ooo = buildMultipart(
        [
          [
            'headers',
            `From: Jean Dupont <jean.dupont@client.fr>\nTo: ${SUPPORT}\nSubject: Absence\nMessage-ID: <ooo.2@client.fr>\nIn-Reply-To: ${sent.body.headers?.['Message-ID']}\nAuto-Submitted: auto-replied\n`,
          ],
          ['from', 'Jean Dupont <jean.dupont@client.fr>'],
          ['text', 'Je suis absent jusqu’à lundi.'],
        ],
        'ooo2',
      );
      assert.equal((await post(t, ooo)).headers.get('x-freeda-ticket-id'), ticketId);
      // Then a real customer answer: the bot answers that one, and that is the only second send.
      const answer = await post(
        t,
        customerMail('Toujours pas de réponse sur ma facture ?', { inReplyTo: sent.body.headers?.['Message-ID'] }),
      );
      assert.equal(answer.headers.get('x-freeda-ticket-id'), ticketId);
      await fake.waitForSends(2);
      await sentReply(t, ticketId, 2);
      await t.app.work.idle();
      const view = await ticket(t, ticketId);
      assert.deepEqual(
        view.messages.map((m) => m.author),
        ['customer', 'bot', 'system', 'customer', 'bot'],
        'the auto-reply got no answer',
      );
      assert.equal(fake.sends.length, 2);
      assert.equal(fake.sends[1].body.headers?.['In-Reply-To'], `<${view.messages[3].external_id}>`);
    } finally {
      await t.stop();
      await fake.close();
    }
  });
});

describe('freeda simulate email', () => {
  test('posts a real Inbound Parse body with the secret and prints the ticket id', async () => {
    const env = { SUPPORT_EMAIL_FROM: SUPPORT, INBOUND_EMAIL_SECRET: SECRET, ENABLE_CHATBOT: 'false', ENABLE_AUTO_ANALYTICS: 'false' };
    const t = await startApp({ modules: [sendgridModule], env });
    try {
      const lines: string[] = [];
      // No API token: the simulator stops after printing the ticket (no polling for a reply).
      await sendgridModule.simulators!(parseModuleConfig(sendgridModule, env)).email(
        { text: 'Bonjour, où est ma commande ? é €', from: 'Zoë Martin <zoe@client.fr>', options: { subject: 'Commande n°7' } },
        simulateEnv({ serverUrl: t.url, apiToken: null, print: (line) => lines.push(line) }),
      );
      const ticketLine = lines.find((l) => l.startsWith('ticket: '));
      assert.ok(ticketLine, lines.join('\n'));
      const view = await ticket(t, ticketLine.slice('ticket: '.length));
      assert.equal(view.subject, 'Commande n°7');
      assert.deepEqual(view.contact, { address: 'zoe@client.fr', display_name: 'Zoë Martin' });
      assert.equal(view.messages[0].text, 'Bonjour, où est ma commande ? é €');
    } finally {
      await t.stop();
    }
  });
});

describe('SendGrid inbound without INBOUND_EMAIL_SECRET', () => {
  test('every post is refused with 403, outbound disabled without an API key', async () => {
    const t = await startApp({ modules: [sendgridModule], env: { ENABLE_CHATBOT: 'false', ENABLE_AUTO_ANALYTICS: 'false' } });
    try {
      for (const auth of [{}, { token: '' }, { token: 'anything' }]) {
        assert.equal((await post(t, await fixture('plain'), auth)).status, 403);
      }
      assert.equal((await allTickets(t)).length, 0);
      assert.equal(t.app.adapters.find((a) => a.name === 'sendgrid')?.sender, null);
    } finally {
      await t.stop();
    }
  });
});
