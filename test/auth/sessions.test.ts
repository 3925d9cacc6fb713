// Sign-in through the real server: refresh rotation and family revocation, the key surviving a restart and shared by
// a second process (json DATA_DIR) and a second instance (DynamoDB table), throttling, no user enumeration, the audit.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startApp, type TestApp } from '../helpers/app.js';
import { kill, spawnServer } from '../helpers/child.js';
import { startDynalite, type DynaliteHandle } from '../helpers/dynalite.js';
import { addAgent, bearer, login, PASSWORD } from './helpers.js';

const quiet = { ENABLE_CHATBOT: 'false', ENABLE_AUTO_ANALYTICS: 'false' };

async function refresh(url: string, init: { cookie?: string; body?: unknown }) {
  const res = await fetch(`${url}/auth/refresh`, {
    method: 'POST',
    headers: { ...(init.cookie ? { cookie: init.cookie } : {}), ...(init.body ? { 'content-type': 'application/json' } : {}) },
    body: init.body ? JSON.stringify(init.body) : undefined,
  });
  const setCookie = res.headers.get('set-cookie');
  return {
    status: res.status,
    body: (await res.json()) as Record<string, string>,
    cookie: setCookie ? setCookie.split(';')[0] : null,
    setCookie,
  };
}

describe('sessions on the json store', () => {
  let t: TestApp;
  before(async () => {
    t = await startApp({ env: quiet });
    await addAgent(t, 'Ana.Martin@Example.com', 'Ana Martin', 'agent');
  });
  after(() => t?.stop());

  it('login answers the documented shape and an HttpOnly SameSite=Strict refresh cookie scoped to /auth', async () => {
    const res = await fetch(`${t.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ANA.martin@example.com ', password: PASSWORD }),
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ['access_token', 'agent', 'expires_in', 'token_type']);
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 900);
    assert.deepEqual(Object.keys(body.agent as object).sort(), ['agent_id', 'email', 'name', 'role']);
    assert.equal((body.agent as { email: string }).email, 'ana.martin@example.com', 'e-mail matched lower-cased');
    const cookie = res.headers.get('set-cookie') ?? '';
    assert.match(cookie, /^freeda_refresh=frr_/);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    assert.match(cookie, /Path=\/auth/);
    assert.doesNotMatch(cookie, /Secure/, 'plain http: no Secure flag (the browser would drop it)');
    const claims = JSON.parse(Buffer.from(String(body.access_token).split('.')[1], 'base64url').toString()) as Record<string, unknown>;
    for (const claim of ['sub', 'role', 'exp', 'iat', 'jti']) assert.ok(claims[claim] !== undefined, claim);
    assert.equal(claims.exp, (claims.iat as number) + 900);
  });

  it('refresh rotates; presenting a used refresh token revokes the whole family (and its access tokens)', async () => {
    const first = await login(t.url, 'ana.martin@example.com');
    const second = await refresh(t.url, { cookie: first.cookie! });
    assert.equal(second.status, 200);
    assert.notEqual(second.cookie, first.cookie, 'a new refresh token');
    const third = await refresh(t.url, { cookie: second.cookie! });
    assert.equal(third.status, 200);
    assert.equal((await fetch(`${t.url}/me`, { headers: bearer(third.body.access_token) })).status, 200);

    const replay = await refresh(t.url, { cookie: first.cookie! });
    assert.equal(replay.status, 401, 'the rotated token is refused');
    assert.match(replay.setCookie ?? '', /freeda_refresh=;/, 'and the cookie cleared');
    assert.equal((await refresh(t.url, { cookie: third.cookie! })).status, 401, 'the newest token of the family died with it');
    assert.equal((await fetch(`${t.url}/me`, { headers: bearer(third.body.access_token) })).status, 401, 'so did its access tokens');
    const other = await login(t.url, 'ana.martin@example.com');
    assert.equal((await fetch(`${t.url}/me`, { headers: bearer(other.access_token) })).status, 200, 'other sessions are untouched');
    assert.equal((await refresh(t.url, { body: { refresh_token: 'frr_bogus' } })).status, 401);
  });

  it('logout by cookie ends the session; refresh in the body for scripts', async () => {
    const res = await fetch(`${t.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ana.martin@example.com', password: PASSWORD, refresh_token_in_body: true }),
    });
    const body = (await res.json()) as { refresh_token: string; access_token: string };
    assert.match(body.refresh_token, /^frr_/);
    const next = await refresh(t.url, { body: { refresh_token: body.refresh_token } });
    assert.equal(next.status, 200);
    assert.match(next.body.refresh_token, /^frr_/);
    const out = await fetch(`${t.url}/auth/logout`, { method: 'POST', headers: { cookie: next.cookie! } });
    assert.equal(out.status, 204);
    assert.equal((await fetch(`${t.url}/me`, { headers: bearer(next.body.access_token) })).status, 401);
    assert.equal((await refresh(t.url, { body: { refresh_token: next.body.refresh_token } })).status, 401);
  });

  it('20 wrong passwords → 429 with Retry-After; unknown e-mail and wrong password get the same answer', async () => {
    const unknown = await login(t.url, 'nobody@example.com', 'wrong password 1');
    const wrong = await login(t.url, 'ana.martin@example.com', 'wrong password 1');
    assert.equal(unknown.status, 401);
    assert.deepEqual(unknown.body, wrong.body);
    assert.deepEqual(wrong.body, { error: { code: 'invalid_credentials', message: 'The e-mail or the password is wrong.' } });
    const statuses: number[] = [];
    let last = wrong;
    for (let i = 0; i < 20; i++) {
      last = await login(t.url, 'ana.martin@example.com', `wrong ${i}`);
      statuses.push(last.status);
    }
    assert.ok(statuses.includes(401) && statuses.at(-1) === 429, statuses.join(','));
    assert.equal(last.body.error && (last.body.error as { code: string }).code, 'too_many_attempts');
    assert.ok(Number(last.retryAfter) > 0, 'Retry-After');
    assert.equal((await login(t.url, 'ana.martin@example.com')).status, 429, 'even the right password waits');
    for (let i = 0; i < 12; i++) await login(t.url, 'nobody@example.com', `wrong ${i}`);
    assert.equal((await login(t.url, 'nobody@example.com', 'x')).status, 429, 'unknown e-mails are throttled the same way');
  });
});

describe('the signing key outlives the process and is shared', () => {
  it('json: a token issued before a restart is accepted by a new server process on the same DATA_DIR', async () => {
    const t = await startApp({ env: quiet });
    await addAgent(t, 'restart@example.com', 'Re Start', 'analyst');
    const before = await login(t.url, 'restart@example.com');
    await t.app.stop(); // keep the directory
    const child = await spawnServer({ DATA_DIR: t.dataDir, ...quiet });
    try {
      const me = await fetch(`${child.url}/me`, { headers: bearer(before.access_token) });
      assert.equal(me.status, 200, child.stderr());
      assert.equal(((await me.json()) as { agent: { email: string } }).agent.email, 'restart@example.com');
      assert.equal((await refresh(child.url, { cookie: before.cookie! })).status, 200, 'and its refresh token');
    } finally {
      await kill(child, 'SIGTERM');
      await t.stop().catch(() => undefined);
    }
  });

  describe('dynamodb: two instances on one table', () => {
    let dyn: DynaliteHandle;
    const apps: TestApp[] = [];
    before(async () => {
      dyn = await startDynalite();
    });
    after(async () => {
      for (const a of apps) await a.stop();
      await dyn.stop();
    });

    it('a token from one instance works on the other; an e-mail is unique across both', async () => {
      const env = {
        STORAGE_TYPE: 'dynamodb',
        DYNAMODB_TABLE: dyn.table,
        DYNAMODB_ENDPOINT: dyn.endpoint,
        AWS_REGION: dyn.region,
        ...quiet,
      };
      const [one, two] = await Promise.all([startApp({ env }), startApp({ env })]);
      apps.push(one, two);
      await addAgent(one, 'shared@example.com', 'Sha Red', 'agent');
      const dup = await two.api('/agents', {
        method: 'POST',
        body: JSON.stringify({ email: 'SHARED@example.com', name: 'x', role: 'agent', password: PASSWORD }),
      });
      assert.equal(dup.status, 409);
      const session = await login(two.url, 'shared@example.com');
      assert.equal(session.status, 200);
      assert.equal((await fetch(`${one.url}/me`, { headers: bearer(session.access_token) })).status, 200);
      const rotated = await refresh(one.url, { cookie: session.cookie! });
      assert.equal(rotated.status, 200);
      assert.equal((await refresh(two.url, { cookie: session.cookie! })).status, 401, 'reuse seen by the other instance');
      assert.equal((await fetch(`${two.url}/me`, { headers: bearer(rotated.body.access_token) })).status, 401);
    });
  });
});
