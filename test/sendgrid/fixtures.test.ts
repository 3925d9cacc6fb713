// Golden test: every fixture body (a real multipart Inbound Parse post) → parse + normalise → the
// expected JSON in fixtures/sendgrid/expected. Then the points each fixture exists for, asserted directly.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { InboundEvent } from '../../src/domain/events.js';
import { boundaryFor, buildMultipart, FIXTURE_OUR_MESSAGE_ID, FIXTURE_TICKET_ID, FIXTURES, normalizeFixture } from './fixture-kit.js';

const DIR = fileURLToPath(new URL('../../fixtures/sendgrid/', import.meta.url));

async function manifest(): Promise<Record<string, { content_type: string; description: string }>> {
  return JSON.parse(await readFile(join(DIR, 'manifest.json'), 'utf8')) as Record<string, { content_type: string; description: string }>;
}

async function eventOf(name: string): Promise<InboundEvent> {
  const m = await manifest();
  const body = await readFile(join(DIR, `${name}.multipart`));
  return (await normalizeFixture(body, m[name].content_type)) as InboundEvent;
}

describe('sendgrid fixtures (golden)', () => {
  test('the manifest lists every fixture the builder defines', async () => {
    assert.deepEqual(Object.keys(await manifest()).sort(), FIXTURES.map((f) => f.name).sort());
  });

  test('stored bodies are what the builder produces (fixtures and definitions agree)', async () => {
    for (const fixture of FIXTURES) {
      const stored = await readFile(join(DIR, `${fixture.name}.multipart`));
      assert.ok(stored.equals(buildMultipart(fixture.parts, boundaryFor(fixture.name)).body), fixture.name);
    }
  });

  for (const fixture of FIXTURES) {
    test(`${fixture.name}: normalised output matches expected/${fixture.name}.json`, async () => {
      const expected: unknown = JSON.parse(await readFile(join(DIR, 'expected', `${fixture.name}.json`), 'utf8'));
      // Attachment bytes are checked on their own below, not spelled out in the golden files.
      const actual: unknown = JSON.parse(
        JSON.stringify(await eventOf(fixture.name), (key, value: unknown) => (key === 'content' ? undefined : value)),
      );
      assert.deepEqual(actual, expected);
    });
  }
});

describe('sendgrid fixtures (what each one proves)', () => {
  const message = async (name: string) => {
    const event = await eventOf(name);
    assert.equal(event.kind, 'message', `${name} should be a customer message`);
    return event;
  };

  test('plain: sender lower-cased with display name, Message-ID as external id, new ticket (no hints)', async () => {
    const e = await message('plain');
    assert.deepEqual(e.contact, { address: 'jean.dupont@client.fr', display_name: 'Jean Dupont' });
    assert.equal(e.external_id, 'CAJ=plain.0001@mail.client.fr');
    assert.equal(e.subject, 'Facture de mars');
    assert.match(e.text, /49,90 € au lieu de 29,90 €/);
    assert.deepEqual(e.thread, {});
  });

  test('html-only: clean text, no markup, no script, link kept', async () => {
    const e = await message('html-only');
    assert.match(e.text, /Je n'arrive plus à me connecter depuis la mise à jour\./);
    assert.match(e.text, /« mot de passe invalide »/);
    assert.match(e.text, /https:\/\/status\.freeda\.example\//);
    assert.doesNotMatch(e.text, /<|alert|color:red|cid:/);
  });

  test('latin1 and windows-1252 bodies arrive as proper UTF-8', async () => {
    const latin = await message('latin1');
    assert.match(latin.text, /arrivée\. Où en est-elle \?\nÀ bientôt/);
    const cp = await message('windows-1252');
    assert.match(cp.text, /J’attends toujours le remboursement de 15 € pour mon œuvre d’art “abîmée”…/);
    for (const text of [latin.text, cp.text]) assert.doesNotMatch(text, /\uFFFD|Ã/);
  });

  test('windows-1252 Outlook reply: the "De : … Envoyé : …" block is history, kept only in full_text', async () => {
    const e = await message('windows-1252');
    assert.doesNotMatch(e.text, /Envoyé|remboursement est en cours/);
    assert.match(e.full_text ?? '', /De : Support Freeda\nEnvoyé : lundi/);
  });

  test('raw MIME: decoded subject, quoted-printable body, attachment metadata, threads to our Message-ID and the +token', async () => {
    const e = await message('raw-mime');
    assert.equal(e.subject, 'Re: Commande n°42 et réclamation');
    assert.deepEqual(e.contact, { address: 'zoe.martin@client.fr', display_name: 'Zoë Martin' });
    assert.equal(e.text, 'Merci, le colis est bien arrivé mais la facture jointe est fausse (12,50 € de trop).');
    assert.deepEqual(
      e.attachments.map((a) => [a.filename, a.content_type]),
      [['facture-42.pdf', 'application/pdf']],
    );
    assert.equal(e.thread?.replyToExternalIds?.[0], FIXTURE_OUR_MESSAGE_ID);
    assert.equal(e.thread?.ticketToken, FIXTURE_TICKET_ID, 'a lower-cased ULID token comes back upper-case');
    assert.equal((e.meta?.email as { mode: string }).mode, 'raw');
  });

  test('attachments: metadata for each, sanitised names, inline image flagged, oversized one kept as metadata only', async () => {
    const e = await message('attachment');
    assert.deepEqual(
      e.attachments.map((a) => a.filename),
      ['facture été.pdf', 'capture.png', 'passwd'],
    );
    const meta = (e.meta?.email as { attachments: Array<{ inline: boolean; within_size_limit: boolean; sha256: string; size: number }> })
      .attachments;
    assert.deepEqual(
      meta.map((a) => a.inline),
      [false, true, false],
    );
    assert.deepEqual(
      meta.map((a) => a.within_size_limit),
      [true, true, false],
    );
    assert.equal(meta[2].size, 1025);
    for (const a of meta) assert.match(a.sha256, /^[0-9a-f]{64}$/);
    const kept = e.attachments as Array<{ content?: Buffer }>;
    assert.deepEqual(
      kept.map((a) => a.content?.length ?? null),
      [meta[0].size, meta[1].size, null],
      'bytes travel with the event only within the size limit',
    );
  });

  test('French reply: only the new text; quote and signature stripped; whole body in full_text; threads to our mail', async () => {
    const e = await message('french-reply');
    assert.equal(e.text, 'Merci, mais le montant est toujours faux.');
    assert.match(e.full_text ?? '', /a écrit :\n> Bonjour Jean/);
    assert.deepEqual(e.thread?.replyToExternalIds, [FIXTURE_OUR_MESSAGE_ID, 'CAJ=plain.0001@mail.client.fr']);
    assert.equal(e.thread?.ticketToken, FIXTURE_TICKET_ID);
  });

  test('English reply: "On … wrote:" over two lines and "Sent from my iPhone" stripped', async () => {
    const e = await message('english-reply');
    assert.equal(e.text, 'Thanks, that fixed it.\nCould you also send the invoice?');
    assert.deepEqual(e.contact, { address: 'john.smith@example.co.uk', display_name: 'Smith, John' });
  });

  test('auto-reply: a system note (never answered) on the thread it answers', async () => {
    const e = await eventOf('auto-reply');
    assert.equal(e.kind, 'system_note');
    if (e.kind !== 'system_note') return;
    assert.deepEqual(e.thread?.replyToExternalIds, [FIXTURE_OUR_MESSAGE_ID]);
    assert.match(e.text, /Automatic reply/);
  });

  test('bounce: a note that may not open a ticket, for the failed recipient, threaded by the quoted Message-ID', async () => {
    const e = await eventOf('bounce');
    assert.equal(e.kind, 'system_note');
    if (e.kind !== 'system_note') return;
    assert.equal(e.may_open_ticket, false);
    assert.equal(e.contact.address, 'jean.dupont@client.fr');
    assert.deepEqual(e.thread?.replyToExternalIds, [FIXTURE_OUR_MESSAGE_ID]);
  });

  test('our own From: ignored (loop)', async () => {
    assert.equal((await eventOf('own-from')).kind, 'ignored');
  });

  test('no Message-ID: a stable sha256 external id', async () => {
    const a = await message('no-message-id');
    const b = await message('no-message-id');
    assert.match(a.external_id, /^sha256:[0-9a-f]{64}$/);
    assert.equal(a.external_id, b.external_id);
  });
});
