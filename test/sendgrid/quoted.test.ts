// Quoted history, Outlook blocks, mobile footers and sign-offs in many languages (fixtures/sendgrid/quoted) go to
// `full_text` only; the customer's question always stays in `text`. Each case goes through a real multipart body.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { InboundEvent } from '../../src/domain/events.js';
import { buildMultipart, normalizeFixture } from './fixture-kit.js';

interface QuotedCase {
  name: string;
  language: string;
  text: string;
  expected_text: string;
}
const CASES = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../fixtures/sendgrid/quoted/cases.json', import.meta.url)), 'utf8'),
) as QuotedCase[];

describe('quoted history and signatures', () => {
  test('cover every language the issue lists', () => {
    const languages = new Set(CASES.map((c) => c.language));
    for (const lang of ['fr', 'en', 'de', 'es', 'it', 'pt', 'nl', 'ru', 'pl', 'ja', 'zh']) assert.ok(languages.has(lang), lang);
  });
  for (const c of CASES) {
    test(`${c.language} ${c.name}`, async () => {
      const mail = buildMultipart(
        [
          [
            'headers',
            `From: client@example.org\nTo: support@freeda.example\nSubject: Re: Votre demande\nMessage-ID: <${c.name}@example.org>\n`,
          ],
          ['from', 'client@example.org'],
          ['to', 'support@freeda.example'],
          ['subject', 'Re: Votre demande'],
          ['text', c.text],
          ['charsets', JSON.stringify({ text: 'UTF-8', subject: 'UTF-8', from: 'UTF-8', to: 'UTF-8' })],
        ],
        `quoted-${c.name}`,
      );
      const e = (await normalizeFixture(mail.body, mail.contentType)) as InboundEvent;
      assert.equal(e.kind, 'message');
      if (e.kind !== 'message') return;
      assert.equal(e.text, c.expected_text);
      assert.equal(e.full_text ?? e.text, c.text.trim());
    });
  }
});
