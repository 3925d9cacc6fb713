// Issue #12 item 7, through the real server and the fake Twilio: when the provider read the request and the connection
// then dropped (or a gateway answered for it), the outcome is unknown; the dispatcher asks Twilio (List Messages) before
// any resend, and the customer receives the message exactly once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { twilioModule } from '../../adapters/twilio/index.js';
import { startFakeTwilio, type FakeTwilio, type FakeTwilioReply } from '../fakes/twilio.js';
import { eventually, startApp, type TestApp } from '../helpers/app.js';
import { sendSms, newMessageSid, twilioEnv } from '../durability/twilio-sms.js';

let fake: FakeTwilio;
let app: TestApp;
const PUBLIC = 'https://support.example.com';

/** The real server sending through the fake Twilio, giving up after `maxAttempts`. */
const serverWith = (maxAttempts: number) =>
  startApp({
    modules: [twilioModule],
    env: {
      ...twilioEnv(fake.url),
      PUBLIC_BASE_URL: PUBLIC,
      ENABLE_CHATBOT: 'false',
      ENABLE_AUTO_ANALYTICS: 'false',
      OUTBOUND_MAX_ATTEMPTS: String(maxAttempts),
    },
  });

before(async () => {
  fake = await startFakeTwilio();
  // Enough attempts that a slow machine never exhausts them while the list is down in the test below.
  app = await serverWith(30);
});
after(async () => {
  await app.stop();
  await fake.close();
});

interface Delivery {
  status: string;
  provider_id: string | null;
  attempts: number;
  error_code: string | null;
}

let customer = 0;

/** A customer texts in; an agent replies with a unique body while the fake Twilio answers `replies` in order. */
async function replyWhile(replies: FakeTwilioReply[], body: string): Promise<{ ticketId: string; messageId: string; to: string }> {
  const to = `+3361${String(2000000 + customer++).padStart(7, '0')}`;
  const sms = await sendSms({ url: app.url, publicUrl: PUBLIC }, { sid: newMessageSid(), from: to, body: 'Bonjour' });
  assert.equal(sms.status, 200);
  fake.script(...replies);
  const res = await app.api(`/tickets/${sms.ticketId}/messages`, { method: 'POST', body: JSON.stringify({ text: body }) });
  assert.equal(res.status, 201);
  return { ticketId: sms.ticketId!, messageId: ((await res.json()) as { message_id: string }).message_id, to };
}

async function delivery(ticketId: string, messageId: string): Promise<Delivery & { meta: Record<string, unknown> }> {
  const detail = (await (await app.api(`/tickets/${ticketId}`)).json()) as {
    messages: Array<{ message_id: string; delivery: Delivery; meta?: Record<string, unknown> }>;
  };
  const m = detail.messages.find((x) => x.message_id === messageId)!;
  return { ...m.delivery, meta: m.meta ?? {} };
}

/** The delivery once it has Twilio's id (sent, or found by reconciliation). */
const recorded = (ticketId: string, messageId: string) =>
  eventually(async () => {
    const d = await delivery(ticketId, messageId);
    return d.provider_id ? d : null;
  });

const receivedBy = (to: string, body: string) => fake.accepted.filter((m) => m.to === to && m.body === body);

test('accepted, then the connection is reset: reconciled from the list, recorded with its sid, received once', async () => {
  const body = 'Votre remboursement est parti (reset).';
  const { ticketId, messageId, to } = await replyWhile([{ kind: 'accept_then_reset' }], body);
  const sent = await recorded(ticketId, messageId);
  assert.equal(receivedBy(to, body).length, 1, 'the customer received it once');
  assert.equal(sent.provider_id, receivedBy(to, body)[0].sid);
  assert.equal(sent.status, 'queued', 'as Twilio listed it');
  assert.equal(sent.meta.reconciled, true);
  assert.equal(fake.creates.filter((c) => c.params.Body === body).length, 1, 'never created twice');
  assert.ok(fake.lists.some((q) => new URLSearchParams(q).get('To') === to));
});

test('a gateway 504 without Twilio’s answer after the message was created: unknown, reconciled, received once', async () => {
  const body = 'Votre remboursement est parti (504).';
  const { ticketId, messageId, to } = await replyWhile([{ kind: 'accept_then_gateway_error', httpStatus: 504 }], body);
  const sent = await recorded(ticketId, messageId);
  assert.equal(receivedBy(to, body).length, 1);
  assert.equal(sent.provider_id, receivedBy(to, body)[0].sid);
});

test('reset before Twilio created anything: the list shows nothing, so it is sent again, received once', async () => {
  const body = 'Votre remboursement est parti (drop).';
  const { ticketId, messageId, to } = await replyWhile([{ kind: 'drop' }], body);
  const sent = await recorded(ticketId, messageId);
  assert.equal(receivedBy(to, body).length, 1);
  assert.equal(sent.provider_id, receivedBy(to, body)[0].sid);
  assert.equal(fake.creates.filter((c) => c.params.Body === body).length, 2, 'the dropped attempt, then the resend');
});

test('while Twilio’s list is unavailable the message stays unknown and is not resent; once it answers, recorded once', async () => {
  const body = 'Votre remboursement est parti (liste indisponible).';
  fake.failLists(503);
  try {
    const { ticketId, messageId, to } = await replyWhile([{ kind: 'accept_then_reset' }], body);
    await eventually(() => fake.lists.filter((q) => new URLSearchParams(q).get('To') === to).length >= 2);
    const pending = await delivery(ticketId, messageId);
    assert.equal(pending.status, 'unknown');
    assert.equal(pending.provider_id, null);
    assert.equal(fake.creates.filter((c) => c.params.Body === body).length, 1, 'no resend while unknown');
    fake.failLists(null);
    const sent = await recorded(ticketId, messageId);
    assert.equal(receivedBy(to, body).length, 1);
    assert.equal(sent.provider_id, receivedBy(to, body)[0].sid);
  } finally {
    fake.failLists(null);
  }
});

test('when Twilio never answers the lookup, the attempts run out: final `unknown` (outcome_unknown), never resent', async (t) => {
  const own = await serverWith(3);
  t.after(() => own.stop());
  fake.failLists(503);
  t.after(() => fake.failLists(null));
  const to = '+33619999999';
  const sms = await sendSms({ url: own.url, publicUrl: PUBLIC }, { sid: newMessageSid(), from: to, body: 'Bonjour' });
  const body = 'Réponse dont le sort reste inconnu.';
  fake.script({ kind: 'accept_then_reset' });
  const res = await own.api(`/tickets/${sms.ticketId}/messages`, { method: 'POST', body: JSON.stringify({ text: body }) });
  const messageId = ((await res.json()) as { message_id: string }).message_id;
  const final = await eventually(async () => {
    const detail = (await (await own.api(`/tickets/${sms.ticketId}`)).json()) as {
      messages: Array<{ message_id: string; delivery: Delivery }>;
    };
    const d = detail.messages.find((m) => m.message_id === messageId)!.delivery;
    return d.error_code === 'outcome_unknown' ? d : null;
  });
  assert.equal(final.status, 'unknown');
  assert.equal(final.attempts, 3);
  assert.equal(fake.creates.filter((c) => c.params.Body === body).length, 1, 'never resent');
});
