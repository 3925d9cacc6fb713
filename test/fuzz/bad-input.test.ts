// A few hundred random and malformed requests on every route: always a 4xx JSON error, never a crash, nothing stored.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { channelModules } from '../../src/registry.js';
import { startApp, type TestApp } from '../helpers/app.js';

/** Deterministic PRNG so a failure can be replayed. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SAMPLES = [
  '',
  '{',
  '}',
  '[]',
  'null',
  '"str"',
  '{"status":1}',
  '{"status":"fermé"',
  '{"text":null}',
  '\u0000\u0001\u0002',
  '%%%',
  'a=b&c',
  'Body=hi&From=%2B33612345678&MessageSid=SMx',
  '--x\r\nContent-Disposition: form-data; name="email"\r\n\r\nhi\r\n--x--',
  '<xml/>',
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"x":1}}}',
  'é'.repeat(300),
  '{"a":' + '['.repeat(500) + ']'.repeat(500) + '}',
];
const CONTENT_TYPES = [
  'application/json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'multipart/form-data',
  'text/plain',
  'application/json; charset=utf-16',
  'application/json; charset=bogus',
  '',
  'application/xml',
];

function send(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: Buffer,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url + path, { method, headers: { ...headers, 'content-length': String(body.length) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('bad input fuzz', () => {
  let t: TestApp;
  before(async () => {
    t = await startApp({
      modules: channelModules,
      env: { TWILIO_AUTH_TOKEN: 'fuzz-token', TWILIO_ACCOUNT_SID: 'AC' + '0'.repeat(32), INBOUND_EMAIL_SECRET: 'fuzz-secret' },
    });
  });
  after(async () => {
    await t.stop();
  });

  it('answers every malformed request with a 4xx and changes nothing', async () => {
    const before = await (await t.api('/tickets?limit=200')).text();
    const rand = prng(20261124);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)];
    const webhookPaths = t.app.adapters.flatMap((a) => a.routes.filter((r) => r.method === 'POST').map((r) => r.path));
    const routes: [string, string, boolean][] = [
      ['GET', '/tickets', true],
      ['GET', '/tickets/01ARZ3NDEKTSV4RRFFQ69G5FAV', true],
      ['PATCH', '/tickets/01ARZ3NDEKTSV4RRFFQ69G5FAV/status', true],
      ['POST', '/tickets/01ARZ3NDEKTSV4RRFFQ69G5FAV/messages', true],
      ['GET', '/export/csv', true],
      ['GET', '/export/csv/nope', true],
      ...webhookPaths.map((p): [string, string, boolean] => ['POST', p, false]),
    ];
    // Every query here is invalid, so even an authenticated GET must be refused.
    const queries = [
      '?status=%ZZ',
      '?date_from=' + 'x'.repeat(3000),
      '?limit=-1',
      '?channel=,,,',
      '?cursor=%00',
      '?status=fermé&status=x',
      '?date_to=2026-02-31',
      '?limit=1e3',
    ];
    for (let i = 0; i < 400; i++) {
      const [method, path, authed] = pick(routes);
      const headers: Record<string, string> = {};
      const ct = pick(CONTENT_TYPES);
      if (ct) headers['content-type'] = ct;
      const r = rand();
      if (authed && r < 0.6) headers.authorization = `Bearer ${t.token}`;
      else if (r < 0.7)
        headers.authorization = pick(['Bearer', 'Basic Og==', 'Bearer x y', 'Basic ' + Buffer.from('u:wrong').toString('base64')]);
      if (rand() < 0.3) headers['x-twilio-signature'] = pick(['', 'AAAA', 'not base64 !!', 'a'.repeat(200)]);
      const body =
        rand() < 0.2
          ? Buffer.from(Array.from({ length: Math.floor(rand() * 2000) }, () => Math.floor(rand() * 256)))
          : Buffer.from(pick(SAMPLES));
      const getQueries = path.startsWith('/export') ? queries.filter((q) => !/limit|cursor/.test(q)) : queries;
      const fullPath = method === 'GET' ? path + pick(getQueries) : path + (rand() < 0.2 ? pick(queries) : '');
      const res = await send(t.url, method, fullPath, headers, method === 'GET' ? Buffer.alloc(0) : body);
      assert.ok(
        res.status >= 400 && res.status < 500,
        `${method} ${fullPath.slice(0, 60)} [${ct}] → ${res.status} ${res.body.slice(0, 200)}`,
      );
      assert.doesNotMatch(res.body, /\n\s+at .+:\d+:\d+/, 'no stack trace to the client');
    }
    assert.equal((await fetch(t.url + '/healthz')).status, 200, 'process alive');
    assert.equal(await (await t.api('/tickets?limit=200')).text(), before, 'store unchanged');
    assert.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype pollution');
  });
});
