// The sender against a local fake SendGrid: what goes on the wire, and how failures are classified.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { OutboundSendRequest } from '../../src/domain/channel.js';
import type { Message, Ticket } from '../../src/domain/types.js';
import { createMailService, createSendGridSender, replySubject, senderAvailability, textToHtml } from '../../adapters/sendgrid/send.js';
import { startFakeSendGrid, type FakeSendGrid } from './fake-sendgrid.js';

const SUPPORT = 'support@freeda.example';
const TICKET_ID = '01JNQ8Z5K2M3N4P5Q6R7S8T9VW';

function message(partial: Partial<Message> & Pick<Message, 'message_id' | 'direction' | 'author' | 'text'>): Message {
  return {
    ticket_id: TICKET_ID,
    full_text: null,
    attachments: [],
    external_id: null,
    created_at: '2025-03-03T10:00:00.000Z',
    delivery: null,
    ...partial,
  };
}

function request(
  overrides: { subject?: string | null; history?: Message[]; lastInbound?: Message | null; text?: string } = {},
): OutboundSendRequest {
  const inbound = message({
    message_id: 'M1',
    direction: 'inbound',
    author: 'customer',
    text: 'Ma facture est fausse',
    external_id: 'CAJ=reply.2@mail.client.fr',
    created_at: '2025-03-03T10:05:00.000Z',
    meta: { email: { references: ['CAJ=first.1@mail.client.fr', `M0.${TICKET_ID}@freeda.example`] } },
  });
  const earlierReply = message({
    message_id: 'M0',
    direction: 'outbound',
    author: 'bot',
    text: 'Bonjour',
    created_at: '2025-03-03T10:01:00.000Z',
    delivery: {
      status: 'sent',
      error_code: null,
      error_message: null,
      attempts: 1,
      provider_id: 'x',
      next_attempt_at: null,
      updated_at: '2025-03-03T10:01:00.000Z',
    },
  });
  const reply = message({
    message_id: 'M2',
    direction: 'outbound',
    author: 'bot',
    text: overrides.text ?? 'Bonjour <Jean>,\n\nC’est corrigé & remboursé.\nÀ bientôt',
    created_at: '2025-03-03T10:06:00.000Z',
  });
  const ticket = {
    ticket_id: TICKET_ID,
    channel: 'email',
    status: 'en cours',
    contact: { address: 'jean.dupont@client.fr', display_name: 'Jean Dupont' },
    subject: overrides.subject === undefined ? 'RE: Re: Facture de mars' : overrides.subject,
  } as Ticket;
  const history = overrides.history ?? [earlierReply, inbound, reply];
  return {
    ticket,
    message: reply,
    contact: null,
    lastInbound: overrides.lastInbound === undefined ? inbound : overrides.lastInbound,
    history,
  };
}

let fake: FakeSendGrid;
before(async () => {
  fake = await startFakeSendGrid();
});
after(async () => {
  await fake.close();
});

const sender = () => createSendGridSender({ mail: createMailService('SG.test-key', fake.url), supportAddress: SUPPORT });

test('a reply carries threading headers, our Message-ID, the reply token, Re: subject, text + escaped HTML', async () => {
  const before = fake.sends.length;
  const result = await sender().send(request());
  const sent = fake.sends[before];
  assert.equal(sent.authorization, 'Bearer SG.test-key');
  const ourId = `M2.${TICKET_ID}@freeda.example`;
  assert.deepEqual(result, {
    ok: true,
    provider_id: sent.messageId,
    status: 'sent',
    extra_provider_ids: [ourId],
    meta: {
      email_message_id: ourId,
      in_reply_to: '<CAJ=reply.2@mail.client.fr>',
      references: `<CAJ=first.1@mail.client.fr> <M0.${TICKET_ID}@freeda.example> <CAJ=reply.2@mail.client.fr>`,
    },
  });
  assert.deepEqual(sent.body.headers, {
    'Message-ID': `<${ourId}>`,
    'In-Reply-To': '<CAJ=reply.2@mail.client.fr>',
    References: `<CAJ=first.1@mail.client.fr> <M0.${TICKET_ID}@freeda.example> <CAJ=reply.2@mail.client.fr>`,
  });
  assert.deepEqual(sent.body.from, { email: SUPPORT });
  assert.deepEqual(sent.body.reply_to, { email: `support+${TICKET_ID}@freeda.example` });
  assert.deepEqual(sent.body.personalizations[0].to, [{ email: 'jean.dupont@client.fr', name: 'Jean Dupont' }]);
  assert.equal(sent.body.subject, 'Re: Facture de mars');
  assert.deepEqual(
    sent.body.content.map((c) => c.type),
    ['text/plain', 'text/html'],
  );
  assert.equal(sent.body.content[0].value, 'Bonjour <Jean>,\n\nC’est corrigé & remboursé.\nÀ bientôt');
  assert.equal(
    sent.body.content[1].value,
    '<!DOCTYPE html><html><body><p>Bonjour &lt;Jean&gt;,</p>\n<p>C’est corrigé &amp; remboursé.<br>\nÀ bientôt</p></body></html>',
  );
});

test('a retried send of the same message carries the same Message-ID', async () => {
  const before = fake.sends.length;
  await sender().send(request());
  await sender().send(request());
  assert.equal(fake.sends[before].body.headers?.['Message-ID'], fake.sends[before + 1].body.headers?.['Message-ID']);
});

test('no inbound message (agent-initiated): no In-Reply-To to a customer id, no References', async () => {
  const before = fake.sends.length;
  const req = request({ lastInbound: null });
  await sender().send({ ...req, history: [req.message] });
  const headers = fake.sends[before].body.headers ?? {};
  assert.equal(headers['In-Reply-To'], undefined);
  assert.equal(headers.References, undefined);
  assert.match(headers['Message-ID'], /^<M2\./);
});

test('429 and 5xx are retryable (with Retry-After), other 4xx are permanent with the reason', async () => {
  fake.script(
    { kind: 'error', httpStatus: 503, message: 'Service Unavailable' },
    { kind: 'error', httpStatus: 429, message: 'too many requests', headers: { 'retry-after': '7' } },
    { kind: 'error', httpStatus: 403, message: 'The from address does not match a verified Sender Identity.' },
    { kind: 'error', httpStatus: 400, message: 'Invalid reply_to' },
  );
  const s = sender();
  const r503 = await s.send(request());
  const r429 = await s.send(request());
  const r403 = await s.send(request());
  const r400 = await s.send(request());
  assert.deepEqual(r503, { ok: false, retryable: true, error_code: 'sendgrid_503', error_message: 'Service Unavailable' });
  assert.deepEqual(r429, {
    ok: false,
    retryable: true,
    error_code: 'sendgrid_429',
    error_message: 'too many requests',
    retry_after_ms: 7000,
  });
  assert.deepEqual(r403, {
    ok: false,
    retryable: false,
    error_code: 'sendgrid_403',
    error_message: 'The from address does not match a verified Sender Identity.',
  });
  assert.deepEqual(r400, { ok: false, retryable: false, error_code: 'sendgrid_400', error_message: 'Invalid reply_to' });
});

test('a dropped connection is a retryable network error; the resend is the same email (Message-ID, custom_args)', async () => {
  fake.script({ kind: 'drop' });
  const before = fake.sends.length;
  const req = request();
  const result = await sender().send(req);
  assert.equal(result.ok, false);
  assert.equal(!result.ok && result.retryable, true);
  assert.ok((await sender().send(req)).ok);
  const [dropped, resent] = (await fake.waitForSends(before + 2)).slice(before);
  // Recipients' clients that deduplicate on Message-ID show one email even if SendGrid had taken the first.
  assert.equal(resent.body.headers?.['Message-ID'], dropped.body.headers?.['Message-ID']);
  assert.deepEqual(resent.body.custom_args, dropped.body.custom_args);
  assert.equal(resent.body.custom_args?.freeda_message_id, req.message.message_id);
});

test('precheck refuses a contact address that is not an email', () => {
  const req = request();
  const bad = { ...req, ticket: { ...req.ticket, contact: { address: 'visitor-123', display_name: null } } };
  assert.deepEqual(sender().precheck!(bad), {
    ok: false,
    error_code: 'invalid_recipient',
    error_message: '"visitor-123" is not an email address.',
  });
  assert.deepEqual(sender().precheck!(req), { ok: true });
});

test('sender disabled without SENDGRID_API_KEY or SUPPORT_EMAIL_FROM, with the reason', () => {
  assert.deepEqual(senderAvailability({ SENDGRID_API_KEY: undefined, SUPPORT_EMAIL_FROM: SUPPORT }), {
    ok: false,
    reason: 'SENDGRID_API_KEY not set: email replies are disabled',
  });
  assert.deepEqual(senderAvailability({ SENDGRID_API_KEY: 'k', SUPPORT_EMAIL_FROM: undefined }), {
    ok: false,
    reason: 'SUPPORT_EMAIL_FROM not set: email replies are disabled',
  });
  assert.deepEqual(senderAvailability({ SENDGRID_API_KEY: 'k', SUPPORT_EMAIL_FROM: 'Support@Freeda.example' }), {
    ok: true,
    from: 'support@freeda.example',
  });
});

test('subject and HTML helpers', () => {
  assert.equal(replySubject('Re: RE: TR: Fwd: Facture'), 'Re: Facture');
  assert.equal(replySubject('Réf: x'), 'Re: x');
  assert.equal(replySubject('Facture de mars'), 'Re: Facture de mars');
  assert.equal(replySubject(null), 'Re: votre demande');
  assert.equal(
    textToHtml('<script>alert(1)</script>'),
    '<!DOCTYPE html><html><body><p>&lt;script&gt;alert(1)&lt;/script&gt;</p></body></html>',
  );
});
