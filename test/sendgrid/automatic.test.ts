// Every kind of automatic mail (fixtures/sendgrid/automatic) is recognised and becomes a note, never a message.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { InboundEvent } from '../../src/domain/events.js';
import { bounceDeliveryFailures } from '../../adapters/sendgrid/normalize.js';
import { AUTOMATIC_CASES, automaticMail } from './automatic-kit.js';
import { FIXTURE_OUR_MESSAGE_ID, FIXTURE_TICKET_ID, normalizeFixture } from './fixture-kit.js';

const CUSTOMER = 'jean.dupont@client.fr';

async function eventOf(name: string): Promise<InboundEvent> {
  const c = AUTOMATIC_CASES.find((x) => x.name === name)!;
  const { body, contentType } = automaticMail(c, { customer: CUSTOMER, ourMessageId: FIXTURE_OUR_MESSAGE_ID });
  return (await normalizeFixture(body, contentType)) as InboundEvent;
}

describe('automatic mail fixtures', () => {
  test('cover every kind the issue names, in raw and parsed mode where it matters', () => {
    const kinds = new Set(AUTOMATIC_CASES.map((c) => c.expect.loop));
    assert.deepEqual([...kinds].sort(), ['auto_reply', 'bounce', 'bulk', 'feedback_report', 'read_receipt']);
    for (const kind of ['bounce', 'read_receipt']) {
      const modes = new Set(AUTOMATIC_CASES.filter((c) => c.expect.loop === kind).map((c) => c.mode));
      assert.deepEqual([...modes].sort(), ['parsed', 'raw'], kind);
    }
  });
  for (const c of AUTOMATIC_CASES) {
    test(`${c.name}: ${c.description} → a ${c.expect.loop} note`, async () => {
      const e = await eventOf(c.name);
      assert.equal(e.kind, 'system_note', JSON.stringify(e).slice(0, 300));
      if (e.kind !== 'system_note') return;
      assert.equal(e.meta?.loop, c.expect.loop);
      assert.equal(e.meta?.loop_evidence, c.expect.evidence);
      const isReport = ['bounce', 'feedback_report', 'read_receipt'].includes(c.expect.loop);
      assert.equal(e.may_open_ticket, !isReport, 'a report never opens a ticket');
      // Threaded to the mail it answers or reports on: our Message-ID, hence our ticket.
      assert.ok(e.thread?.replyToExternalIds?.includes(FIXTURE_OUR_MESSAGE_ID), JSON.stringify(e.thread));
      if (isReport) assert.equal(e.thread?.ticketToken, FIXTURE_TICKET_ID);
      // A report belongs to the customer our mail was for, not to the system that reports.
      if (isReport) assert.equal(e.contact.address, CUSTOMER);
    });
  }
  test('a bounce carries its reason and marks our mail failed; other kinds change no delivery', async () => {
    const raw = await eventOf('dsn-raw');
    assert.equal(raw.kind, 'system_note');
    if (raw.kind !== 'system_note') return;
    assert.equal(raw.contact.address, CUSTOMER);
    assert.match(raw.text, /Reason: 552 5\.2\.2 Mailbox full/);
    assert.deepEqual(
      bounceDeliveryFailures(raw).map((f) => [f.provider_id, f.status, f.error_code, f.error_message]),
      [[FIXTURE_OUR_MESSAGE_ID, 'failed', 'email_bounce_5.2.2', '552 5.2.2 Mailbox full']],
    );
    const parsed = await eventOf('dsn-parsed');
    if (parsed.kind !== 'system_note') return assert.fail('dsn-parsed is a note');
    assert.deepEqual(
      bounceDeliveryFailures(parsed).map((f) => f.error_message),
      ['550 5.1.1 User unknown'],
    );
    for (const name of ['feedback-raw', 'read-receipt-raw', 'auto-submitted']) {
      const e = await eventOf(name);
      if (e.kind !== 'system_note') return assert.fail(`${name} is a note`);
      assert.deepEqual(bounceDeliveryFailures(e), [], name);
    }
  });
  test('a customer subject that merely mentions absence or delivery is still a message', async () => {
    const { buildMultipart } = await import('./fixture-kit.js');
    for (const subject of ['Absence de réseau depuis hier', 'Undelivered parcel', 'Read my previous mail please']) {
      const mail = buildMultipart(
        [
          [
            'headers',
            `From: ${CUSTOMER}\nTo: support@freeda.example\nSubject: ${subject}\nMessage-ID: <human.${subject.length}@client.fr>\n`,
          ],
          ['from', CUSTOMER],
          ['subject', subject],
          ['text', 'Pouvez-vous regarder ?'],
        ],
        'human',
      );
      const e = (await normalizeFixture(mail.body, mail.contentType)) as InboundEvent;
      assert.equal(e.kind, 'message', subject);
    }
  });
});
