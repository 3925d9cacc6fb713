// Issue #14 item 1: a URL with raw UTF-8 bytes (the README's old `status=fermé`) gets a JSON 400 saying how to encode;
// `ferme` names `fermé` in every status filter and in PATCH; every 4xx the server can answer has a JSON error body.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import { startApp, type TestApp } from '../helpers/app.js';
import { testChannelModule } from '../helpers/test-adapter.js';
import { describeClientError } from '../../src/http/client-error.js';

let t: TestApp;
before(async () => {
  t = await startApp({ modules: [testChannelModule()], env: { ENABLE_CHATBOT: 'false', ENABLE_AUTO_ANALYTICS: 'false' } });
});
after(() => t.stop());

/** Writes raw bytes on a fresh connection and returns everything the server sent back before closing. */
function rawRequest(url: string, bytes: Buffer): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(bytes));
    let answer = '';
    socket.on('data', (d) => (answer += d.toString('utf8')));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

function parseRaw(answer: string): { status: number; headers: string; body: unknown } {
  const [head, body] = answer.split('\r\n\r\n');
  return { status: Number(head.split(' ')[1]), headers: head, body: JSON.parse(body) as unknown };
}

test('raw UTF-8 in the request line: JSON 400 that explains percent-encoding', async () => {
  const answer = await rawRequest(
    t.url,
    Buffer.from(`GET /export/csv?status=fermé HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${t.token}\r\n\r\n`, 'utf8'),
  );
  const { status, headers, body } = parseRaw(answer);
  assert.equal(status, 400);
  assert.match(headers, /content-type: application\/json/i);
  const error = (body as { error: { code: string; message: string } }).error;
  assert.equal(error.code, 'invalid_url');
  assert.match(error.message, /ferm%C3%A9/);
  assert.match(error.message, /--data-urlencode/);
  // The server is still up and answers the encoded form.
  const ok = await t.api('/export/csv?status=ferm%C3%A9');
  assert.equal(ok.status, 200);
});

test('headers too large: JSON 431; other parser refusals: JSON 400', async () => {
  const big = await rawRequest(t.url, Buffer.from(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`));
  assert.equal(parseRaw(big).status, 431);
  assert.equal((parseRaw(big).body as { error: { code: string } }).error.code, 'headers_too_large');
  const junk = await rawRequest(t.url, Buffer.from('NOT HTTP AT ALL\r\n\r\n'));
  assert.equal(parseRaw(junk).status, 400);
  assert.equal((parseRaw(junk).body as { error: { code: string } }).error.code, 'malformed_request');
  assert.equal(describeClientError({ name: 'Error', message: 'x', code: 'ERR_HTTP_REQUEST_TIMEOUT' }).status, 408);
});

test('ferme is fermé: PATCH, GET /tickets filter, CSV export filter', async () => {
  const inbound = await fetch(`${t.url}/webhooks/test/inbound`, {
    method: 'POST',
    body: JSON.stringify({ id: 'ferme-1', from: 'visitor-ferme', text: 'Bonjour' }),
  });
  const ticketId = inbound.headers.get('x-freeda-ticket-id');
  assert.ok(ticketId, await inbound.text());
  const patched = await t.api(`/tickets/${ticketId}/status`, { method: 'PATCH', body: JSON.stringify({ status: 'ferme' }) });
  assert.equal(patched.status, 200);
  assert.equal(((await patched.json()) as { status: string }).status, 'fermé');
  // A decomposed é (e + U+0301, as some keyboards send it) is the same status.
  const reopened = await t.api(`/tickets/${ticketId}/status`, { method: 'PATCH', body: JSON.stringify({ status: 'en cours' }) });
  assert.equal(reopened.status, 200);
  const decomposed = await t.api(`/tickets/${ticketId}/status`, { method: 'PATCH', body: JSON.stringify({ status: 'ferme\u0301' }) });
  assert.equal(((await decomposed.json()) as { status: string }).status, 'fermé');

  const listed = (await (await t.api('/tickets?status=ferme')).json()) as { items: { ticket_id: string }[] };
  assert.deepEqual(
    listed.items.map((i) => i.ticket_id),
    [ticketId],
  );
  const open = (await (await t.api('/tickets?status=en%20cours')).json()) as { items: unknown[] };
  assert.equal(open.items.length, 0);
  const csv = await (await t.api('/export/csv?status=ferme')).text();
  assert.equal(csv.trim().split(/\r?\n/).length, 2);
  assert.ok(csv.includes(ticketId));

  const wrong = await t.api(`/tickets/${ticketId}/status`, { method: 'PATCH', body: JSON.stringify({ status: 'closed' }) });
  assert.equal(wrong.status, 400);
  assert.equal(((await wrong.json()) as { error: { code: string } }).error.code, 'invalid_status');
});

test('every 4xx has a JSON error body', async () => {
  const cases: Array<[string, RequestInit & { path: string }, number]> = [
    ['unknown route', { path: '/nope' }, 404],
    ['a method the route does not take', { path: '/healthz', method: 'POST' }, 404],
    ['PUT on an API path', { path: '/tickets', method: 'PUT', body: '{}' }, 404],
    ['no token', { path: '/tickets', headers: { authorization: '' } }, 401],
    ['invalid JSON', { path: '/tickets/01JD3M4Q8V6K2Y7T1W9XZ0ABCD/status', method: 'PATCH', body: '{"status":' }, 400],
    [
      'body too large',
      { path: '/tickets/01JD3M4Q8V6K2Y7T1W9XZ0ABCD/messages', method: 'POST', body: JSON.stringify({ text: 'x'.repeat(1_100_000) }) },
      413,
    ],
    ['bad percent-encoding in a path', { path: '/tickets/%E0%A4%A' }, 400],
    ['bad filter', { path: '/export/csv?status=closed' }, 400],
    ['unknown ticket', { path: '/tickets/01JD3M4Q8V6K2Y7T1W9XZ0ABCD' }, 404],
    ['unknown static file', { path: '/static/nope.js' }, 404],
    ['webhook body that is not JSON', { path: '/webhooks/test/inbound', method: 'POST', body: 'nope' }, 400],
  ];
  for (const [what, { path, ...init }, status] of cases) {
    const res = await t.api(path, init);
    assert.equal(res.status, status, what);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/, what);
    const body = (await res.json()) as { error?: { code?: unknown; message?: unknown } };
    assert.equal(typeof body.error?.code, 'string', what);
    assert.equal(typeof body.error?.message, 'string', what);
  }
  // A WebSocket upgrade on a path that is not /ws.
  const upgrade = await rawRequest(
    t.url,
    Buffer.from(
      'GET /nope HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    ),
  );
  assert.ok(parseRaw(upgrade).status >= 400, upgrade);
  assert.equal(typeof (parseRaw(upgrade).body as { error: { code: string } }).error.code, 'string');
});
