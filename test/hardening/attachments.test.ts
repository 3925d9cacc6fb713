// Issue #12 item 8, through the real server: an email whose attachments carry a content type with CR/LF or non-Latin-1
// text and hostile file names is stored with header-safe metadata, and every attachment downloads (never a 500).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildMultipart } from '../../adapters/sendgrid/multipart.js';
import { sendgridModule } from '../../adapters/sendgrid/index.js';
import { safeContentType, safeFilename } from '../../src/domain/attachments.js';
import type { Message, Ticket } from '../../src/domain/types.js';
import { startApp } from '../helpers/app.js';

const SECRET = 'attachments-secret';

interface Hostile {
  filename: string;
  type: string;
  /** What the ticket must show after ingest. */
  stored: { content_type: string; filename: string | null };
  /** The Content-Disposition the download must answer. */
  disposition: RegExp;
}

const HOSTILE: Hostile[] = [
  {
    filename: 'rapport\r\nSet-Cookie: a=b.txt',
    type: 'text/plain\r\nX-Injected: yes',
    stored: { content_type: 'application/octet-stream', filename: 'rapportSet-Cookie: a=b.txt' },
    disposition: /^attachment; filename="rapportSet-Cookie: a=b.txt"$/,
  },
  {
    filename: 'relevé d’été €.pdf',
    type: 'application/pdf; name="relevé €"',
    stored: { content_type: 'application/octet-stream', filename: 'relevé d’été €.pdf' },
    disposition:
      /^attachment; filename="relev\? d\?\?t\? \?\.pdf"; filename\*=UTF-8''relev%C3%A9%20d%E2%80%99%C3%A9t%C3%A9%20%E2%82%AC\.pdf$/,
  },
  {
    filename: '..\\..\\facture\u202efdp.exe',
    type: 'Application/PDF',
    stored: { content_type: 'application/pdf', filename: 'facturefdp.exe' },
    disposition: /^attachment; filename=facturefdp\.exe$/,
  },
  {
    filename: 'quote"back\\slash.txt',
    type: 'text/plain; charset="utf-8"',
    stored: { content_type: 'text/plain; charset=utf-8', filename: 'slash.txt' },
    disposition: /^attachment; filename=slash\.txt$/,
  },
  {
    filename: '\u0007',
    type: 'not a media type',
    stored: { content_type: 'application/octet-stream', filename: null },
    disposition: /^attachment; filename=sha256-[0-9a-f]{64}$/,
  },
];

test('hostile attachment metadata is sanitised on ingest; every download answers 200 with safe headers', async (t) => {
  const app = await startApp({
    modules: [sendgridModule],
    env: {
      INBOUND_EMAIL_SECRET: SECRET,
      SUPPORT_EMAIL_FROM: 'support@freeda.example',
      ENABLE_AUTO_ANALYTICS: 'false',
      ENABLE_CHATBOT: 'false',
    },
  });
  t.after(() => app.stop());
  const info = Object.fromEntries(HOSTILE.map((h, i) => [`attachment${i + 1}`, { filename: h.filename, type: h.type }]));
  const mail = buildMultipart(
    [
      [
        'headers',
        'From: Jean Dupont <jean.dupont@client.fr>\nTo: support@freeda.example\nSubject: Pièces\nMessage-ID: <hostile.1@client.fr>\n',
      ],
      ['from', 'Jean Dupont <jean.dupont@client.fr>'],
      ['to', 'support@freeda.example'],
      ['subject', 'Pièces'],
      ['text', 'Voici les pièces jointes.'],
      ['attachments', String(HOSTILE.length)],
      ['attachment-info', JSON.stringify(info)],
      ...HOSTILE.map((h, i): [string, { filename: string; contentType: string; content: Buffer }] => [
        `attachment${i + 1}`,
        { filename: `file${i + 1}.bin`, contentType: 'application/octet-stream', content: Buffer.from(`contenu ${i + 1}`) },
      ]),
    ],
    'hostile-boundary',
  );
  const res = await fetch(`${app.url}/webhooks/sendgrid/inbound?token=${SECRET}`, {
    method: 'POST',
    headers: { 'content-type': mail.contentType },
    body: new Uint8Array(mail.body),
  });
  assert.equal(res.status, 200);
  const ticketId = res.headers.get('x-freeda-ticket-id')!;
  const view = (await (await app.api(`/tickets/${ticketId}`)).json()) as Ticket & { messages: Message[] };
  const attachments = view.messages[0].attachments;
  assert.equal(attachments.length, HOSTILE.length);
  for (const [i, expected] of HOSTILE.entries()) {
    const stored = attachments[i];
    assert.deepEqual({ content_type: stored.content_type, filename: stored.filename ?? null }, expected.stored, `attachment ${i + 1}`);
    const download = await app.api(`/tickets/${ticketId}/attachments/${stored.stored_key}`);
    assert.equal(download.status, 200, `attachment ${i + 1}`);
    assert.equal(download.headers.get('content-type'), expected.stored.content_type, `attachment ${i + 1}`);
    assert.match(download.headers.get('content-disposition') ?? '', expected.disposition, `attachment ${i + 1}`);
    assert.equal(download.headers.get('x-injected'), null);
    assert.equal(download.headers.get('set-cookie'), null);
    assert.equal(await download.text(), `contenu ${i + 1}`);
  }
});

test('metadata stored before sanitising existed is made safe again at download time', () => {
  for (const bad of ['text/html\r\nX-A: 1', 'image/png; name="ü€"', 'text/plain\u0000', '', 'a/b/c', 'text/ html']) {
    assert.equal(safeContentType(bad), 'application/octet-stream', JSON.stringify(bad));
  }
  assert.equal(safeContentType('TEXT/Plain; Charset=UTF-8'), 'text/plain; charset=UTF-8');
  assert.equal(safeFilename('a\ud800b.txt'), 'a\ufffdb.txt', 'lone surrogates (encodeURIComponent throws on them) are replaced');
  assert.equal(safeFilename('../../etc/passwd'), 'passwd');
  assert.equal(safeFilename('...'), null);
});
