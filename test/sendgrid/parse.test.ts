import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildMultipart } from '../../adapters/sendgrid/multipart.js';
import { normalizeInboundEmail, ticketTokenFromAddress } from '../../adapters/sendgrid/normalize.js';
import {
  decodeBody,
  InvalidMultipartError,
  messageIdList,
  normalizeMessageId,
  parseInboundForm,
  readEmail,
} from '../../adapters/sendgrid/parse.js';
import { extractNewText } from '../../adapters/sendgrid/quotes.js';

const LIMITS = { maxAttachmentBytes: 1024, maxFieldBytes: 1024 * 1024 };
const parse = (body: Buffer, contentType: string | undefined, limits = LIMITS) => parseInboundForm(body, contentType, limits);

test('not multipart, no boundary, truncated or empty bodies are InvalidMultipartError (→ 400)', async () => {
  const { body, contentType } = buildMultipart(
    [
      ['from', 'a@b.c'],
      ['text', 'hi'],
    ],
    'BOUNDARY',
  );
  const cases: Array<[Buffer, string | undefined]> = [
    [Buffer.from('{"from":"a@b.c"}'), 'application/json'],
    [body, undefined],
    [body, 'multipart/form-data'],
    [body.subarray(0, body.length - 30), contentType],
    [Buffer.from('garbage garbage garbage'), 'multipart/form-data; boundary=BOUNDARY'],
    [Buffer.alloc(0), contentType],
  ];
  for (const [b, ct] of cases) {
    await assert.rejects(
      parse(b, ct),
      (err: unknown) => err instanceof InvalidMultipartError && err.status === 400 && err.code === 'invalid_multipart',
      `${ct}`,
    );
  }
});

test('a field bigger than the field limit is refused, not silently truncated', async () => {
  const { body, contentType } = buildMultipart([['email', 'x'.repeat(2000)]], 'B');
  await assert.rejects(parse(body, contentType, { maxAttachmentBytes: 10, maxFieldBytes: 1000 }), InvalidMultipartError);
});

test('field bytes come back untouched (latin1 bytes are not UTF-8-decoded by busboy)', async () => {
  const bytes = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x80]);
  const { body, contentType } = buildMultipart([['text', bytes]], 'B');
  const form = await parse(body, contentType);
  assert.ok(form.fields.get('text')!.equals(bytes));
});

test('decodeBody: charsets from SendGrid, including iso-2022-jp and unknown labels', () => {
  assert.equal(decodeBody(Buffer.from([0x63, 0x61, 0x66, 0xe9]), 'ISO-8859-1'), 'café');
  assert.equal(decodeBody(Buffer.from([0x80, 0x92]), 'windows-1252'), '€’');
  // Mislabelled latin1 that is really windows-1252 (as browsers decode it).
  assert.equal(decodeBody(Buffer.from([0x80]), 'iso-8859-1'), '€');
  assert.equal(decodeBody(Buffer.from('1b2442467c4b5c386c1b2842', 'hex'), 'iso-2022-jp'), '日本語');
  assert.equal(decodeBody(Buffer.from('é', 'utf8'), 'x-made-up'), 'é');
  assert.equal(decodeBody(Buffer.from('é', 'utf8'), undefined), 'é');
});

test('Message-ID forms are normalised the same way everywhere (brackets off, case kept)', () => {
  assert.equal(normalizeMessageId(' <AbC.1@Host.example> '), 'AbC.1@Host.example');
  assert.equal(normalizeMessageId('AbC.1@Host.example'), 'AbC.1@Host.example');
  assert.equal(normalizeMessageId(''), null);
  assert.deepEqual(messageIdList('<a@x> <b@y>\r\n <c@z>'), ['a@x', 'b@y', 'c@z']);
  assert.deepEqual(messageIdList(['<a@x>', '<a@x>', '<b@y>']), ['a@x', 'b@y']);
});

test('reply token: only our support local part and domain; ULID upper-cased', () => {
  const ulid = '01JNQ8Z5K2M3N4P5Q6R7S8T9VW';
  assert.equal(ticketTokenFromAddress(`support+${ulid.toLowerCase()}@freeda.example`, 'support@freeda.example'), ulid);
  assert.equal(ticketTokenFromAddress(`SUPPORT+${ulid}@Freeda.Example`, 'support@freeda.example'), ulid);
  assert.equal(ticketTokenFromAddress(`support+${ulid}@other.example`, 'support@freeda.example'), null);
  assert.equal(ticketTokenFromAddress(`sales+${ulid}@freeda.example`, 'support@freeda.example'), null);
  assert.equal(ticketTokenFromAddress(`support+${ulid}@freeda.example`, null), null);
});

test('a mail with no sender at all is unreadable (acked as unsupported by the route), not a crash', async () => {
  const { body, contentType } = buildMultipart(
    [
      ['text', 'hello'],
      ['headers', 'Subject: x\n'],
    ],
    'B',
  );
  const read = await readEmail(await parse(body, contentType), LIMITS);
  assert.deepEqual(read, { ok: false, reason: 'no_sender' });
});

test('auto-reply markers: Auto-Submitted other than "no", Precedence bulk/list, List-Id', async () => {
  const make = async (header: string) => {
    const { body, contentType } = buildMultipart(
      [
        ['headers', `From: a@client.fr\nMessage-ID: <m@x>\n${header}\n`],
        ['text', 'hi'],
        ['from', 'a@client.fr'],
      ],
      'B',
    );
    const read = await readEmail(await parse(body, contentType), LIMITS);
    assert.ok(read.ok);
    return normalizeInboundEmail(read.email, { supportAddress: 'support@freeda.example', receivedAt: '2025-01-01T00:00:00.000Z' }).kind;
  };
  assert.equal(await make('Auto-Submitted: auto-generated'), 'system_note');
  assert.equal(await make('Auto-Submitted: no'), 'message');
  assert.equal(await make('Precedence: bulk'), 'system_note');
  assert.equal(await make('Precedence: list'), 'system_note');
  assert.equal(await make('List-Id: <news.client.fr>'), 'system_note');
  assert.equal(await make('X-Autorespond: yes'), 'system_note');
  assert.equal(await make('X-Mailer: Thunderbird'), 'message');
});

test('extractNewText keeps interleaved answers, drops > lines, and never returns empty for a non-empty body', () => {
  assert.equal(extractNewText('> question 1\nanswer 1\n> question 2\nanswer 2'), 'answer 1\nanswer 2');
  assert.equal(extractNewText('> only a quote'), '> only a quote');
  assert.equal(extractNewText('Hello\n\n-----Original Message-----\nFrom: x\nold'), 'Hello');
  assert.equal(extractNewText("Salut\n\n-----Message d'origine-----\nDe : x\nvieux"), 'Salut');
  assert.equal(extractNewText('My text\n-- \nJohn Doe\nACME'), 'My text');
});

test('a long body without any quote marker is kept whole (the marker scan looks at the head only)', () => {
  const long = Array.from({ length: 2000 }, (_, i) => `ligne ${i} du message du client`).join('\n');
  assert.equal(extractNewText(long), long);
});

test('hostile attachment-info, envelope and charsets JSON do not break the mail (declared values are only hints)', async () => {
  for (const [info, envelope, charsets] of [
    ['{"attachment1": 5}', 'not json', '[]'],
    ['{"attachment1": {"filename": 7, "type": null, "content-id": {"x": 1}}}', '{"to": "x@y.z"}', '{"text": 42}'],
    ['{"__proto__": {"filename": "evil"}}', '{"to": [1, null, "Support@Freeda.example"]}', 'null'],
  ]) {
    const { body, contentType } = buildMultipart(
      [
        ['headers', 'From: a@client.fr\nMessage-ID: <m@x>\n'],
        ['from', 'a@client.fr'],
        ['text', 'voir pièce jointe'],
        ['attachment-info', info],
        ['envelope', envelope],
        ['charsets', charsets],
        ['attachment1', { filename: 'doc.pdf', contentType: 'application/pdf', content: Buffer.from('%PDF-1.4') }],
      ],
      'B',
    );
    const read = await readEmail(await parse(body, contentType), LIMITS);
    assert.ok(read.ok, info);
    assert.equal(read.email.text, 'voir pièce jointe');
    assert.deepEqual(
      read.email.attachments.map((a) => [a.filename, a.content_type, a.content_id]),
      [['doc.pdf', 'application/pdf', null]],
    );
  }
});

test('raw-mode bounce (multipart/report): note for the Final-Recipient, threaded by the returned Message-ID', async () => {
  const mime = [
    'From: MAILER-DAEMON@mx.example.net',
    'To: support@freeda.example',
    'Subject: Delivery Status Notification (Failure)',
    'Message-ID: <dsn.1@mx.example.net>',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="R"',
    '',
    '--R',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Your message to Someone could not be delivered.',
    '--R',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.example.net',
    '',
    'Final-Recipient: rfc822; Lost.Customer@client.fr',
    'Action: failed',
    'Status: 5.1.1',
    '--R',
    'Content-Type: text/rfc822-headers',
    '',
    'From: support@freeda.example',
    'To: Someone Else <someone@else.example>',
    'Message-ID: <M9.01JNQ8Z5K2M3N4P5Q6R7S8T9VW@freeda.example>',
    '--R--',
    '',
  ].join('\r\n');
  const { body, contentType } = buildMultipart(
    [
      ['email', mime],
      ['envelope', '{"to":["support@freeda.example"],"from":""}'],
    ],
    'B',
  );
  const read = await readEmail(await parse(body, contentType), LIMITS);
  assert.ok(read.ok);
  const event = normalizeInboundEmail(read.email, { supportAddress: 'support@freeda.example', receivedAt: '2025-01-01T00:00:00.000Z' });
  assert.equal(event.kind, 'system_note');
  if (event.kind !== 'system_note') return;
  assert.equal(event.may_open_ticket, false);
  assert.equal(event.contact.address, 'lost.customer@client.fr');
  assert.deepEqual(event.thread?.replyToExternalIds, ['M9.01JNQ8Z5K2M3N4P5Q6R7S8T9VW@freeda.example']);
});

test('our own Message-ID carries the ticket id: a fallback token when the store has not indexed it', async () => {
  const { ticketIdFromOurMessageId } = await import('../../adapters/sendgrid/normalize.js');
  const ulid = '01JNQ8Z5K2M3N4P5Q6R7S8T9VW';
  assert.equal(ticketIdFromOurMessageId(`01JNQ9A0B1C2D3E4F5G6H7J8K9.${ulid}@freeda.example`, 'support@freeda.example'), ulid);
  assert.equal(ticketIdFromOurMessageId(`01jnq9a0b1c2d3e4f5g6h7j8k9.${ulid.toLowerCase()}@Freeda.Example`, 'support@freeda.example'), ulid);
  assert.equal(ticketIdFromOurMessageId(`x.${ulid}@client.fr`, 'support@freeda.example'), null, 'only ids on our domain');
  assert.equal(ticketIdFromOurMessageId(`noid@freeda.example`, 'support@freeda.example'), null);
  assert.equal(ticketIdFromOurMessageId(`x.${ulid}@freeda.example`, null), null);
});
