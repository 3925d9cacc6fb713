// The route × role matrix, generated from the routes the server registers: every API route must have a rule, and every
// rule is tried with every role and with every kind of bad credential. A route added without a rule fails here.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { JWT_AUDIENCE, JWT_ISSUER } from '../../src/auth/jwt.js';
import { PUBLIC_ROUTES, ROUTE_RULES, ruleFor } from '../../src/http/access.js';
import { startApp, type TestApp } from '../helpers/app.js';
import { testChannelModule } from '../helpers/test-adapter.js';
import { addAgent, bearer, login, registeredRoutes } from './helpers.js';

const JWT_SECRET = 'a-test-secret-of-at-least-32-characters!';
const ROLES = ['admin', 'agent', 'analyst'] as const;
const ULID = '01HZZZZZZZZZZZZZZZZZZZZZZZ';

/** A concrete request for a rule's path (params filled with ids that do not exist: the handler then answers 404/400). */
const concrete = (path: string) => path.replace(/:(\w+)/g, (_m, name: string) => (name === 'key' ? 'nokey' : ULID));
const bodyFor = (method: string) => (method === 'GET' || method === 'DELETE' ? undefined : '{}');

describe('route × role matrix', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  const ids: Record<string, string> = {};
  before(async () => {
    t = await startApp({ env: { JWT_SECRET, ENABLE_CHATBOT: 'false', ENABLE_AUTO_ANALYTICS: 'false' }, modules: [testChannelModule()] });
    for (const role of ROLES) {
      ids[role] = await addAgent(t, `${role}@example.com`, `The ${role}`, role);
      tokens[role] = (await login(t.url, `${role}@example.com`)).access_token;
    }
  });
  after(() => t.stop());

  const call = (method: string, path: string, headers: Record<string, string> = {}) =>
    fetch(t.url + concrete(path), { method, headers: { 'content-type': 'application/json', ...headers }, body: bodyFor(method) });
  const codeOf = async (res: Response) => ((await res.json().catch(() => ({}))) as { error?: { code?: string } }).error?.code;

  it('every registered route is public or has exactly one rule; every rule names a registered route', () => {
    const routes = registeredRoutes(t.app);
    assert.ok(routes.length > 10, 'the walk found the routes');
    const isPublic = (r: { method: string; path: string }) =>
      PUBLIC_ROUTES.some((p) => p.method === r.method && p.path === r.path) || r.path.startsWith('/webhooks/');
    for (const route of routes) {
      if (isPublic(route)) continue;
      const rule = ruleFor(route.method, concrete(route.path));
      assert.ok(rule, `${route.method} ${route.path} has no rule in src/http/access.ts ROUTE_RULES`);
      assert.equal(rule.path, route.path, `${route.method} ${route.path} is matched by the rule of ${rule.path}`);
    }
    for (const rule of ROUTE_RULES)
      assert.ok(
        routes.some((r) => r.method === rule.method && r.path === rule.path),
        `rule ${rule.method} ${rule.path} has no route`,
      );
  });

  for (const rule of ROUTE_RULES) {
    it(`${rule.method} ${rule.path}: ${ROLES.map((r) => `${r} ${rule.roles.includes(r) ? 'allowed' : '403'}`).join(', ')}`, async () => {
      for (const role of ROLES) {
        const res = await call(rule.method, rule.path, bearer(tokens[role]));
        const code = await codeOf(res);
        if (rule.roles.includes(role)) {
          assert.ok(![401, 403].includes(res.status), `${role}: got ${res.status} ${code}`);
          assert.notEqual(code, 'route_not_found', role);
        } else {
          assert.equal(res.status, 403, role);
          assert.equal(code, 'forbidden', role);
        }
      }
      const service = await call(rule.method, rule.path, bearer(t.token));
      assert.ok(![401, 403].includes(service.status), `API_TOKENS is admin-equivalent: got ${service.status}`);
    });
  }

  it('every protected route refuses no token, expired, tampered, alg none, wrong key, garbage with 401', async () => {
    const key = new TextEncoder().encode(JWT_SECRET);
    const now = Math.floor(Date.now() / 1000);
    const sid = (JSON.parse(Buffer.from(tokens.admin.split('.')[1], 'base64url').toString()) as { sid: string }).sid;
    const sign = (claims: Record<string, unknown>, signKey = key, iat = now, exp = now + 600) =>
      new SignJWT({ role: 'admin', sid, ...claims })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(ids.admin)
        .setJti('j1')
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .setIssuer(JWT_ISSUER)
        .setAudience(JWT_AUDIENCE)
        .sign(signKey);
    const valid = await sign({});
    const [h, p, s] = tokens.analyst.split('.');
    const promoted = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), role: 'admin' })).toString(
      'base64url',
    );
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${valid.split('.')[1]}.`;
    const bad: Record<string, Record<string, string>> = {
      'no token': {},
      expired: bearer(await sign({}, key, now - 3600, now - 1800)),
      tampered: bearer(`${h}.${promoted}.${s}`),
      'alg none': bearer(none),
      'wrong key': bearer(await sign({}, new TextEncoder().encode('another-secret-of-at-least-32-chars!!'))),
      garbage: bearer('not-a-token'),
      'basic scheme': { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` },
    };
    // The forged-but-valid token works: the refusals below are about the defect named, not the shape of the test token.
    assert.equal((await fetch(`${t.url}/me`, { headers: bearer(valid) })).status, 200);
    for (const rule of ROUTE_RULES)
      for (const [what, headers] of Object.entries(bad)) {
        const res = await call(rule.method, rule.path, headers);
        assert.equal(res.status, 401, `${what}: ${rule.method} ${rule.path}`);
        assert.equal(await codeOf(res), 'unauthorized');
      }
  });

  it('a revoked session and a disabled agent: their tokens stop working at once on every route', async () => {
    const revokedToken = (await login(t.url, 'agent@example.com')).access_token;
    assert.equal((await fetch(`${t.url}/me`, { headers: bearer(revokedToken) })).status, 200);
    assert.equal((await fetch(`${t.url}/auth/logout`, { method: 'POST', headers: bearer(revokedToken) })).status, 204);

    await addAgent(t, 'leaver@example.com', 'Leaver', 'agent');
    const leaver = (await login(t.url, 'leaver@example.com')).access_token;
    const personal = (await (
      await fetch(`${t.url}/tokens`, {
        method: 'POST',
        headers: { ...bearer(leaver), 'content-type': 'application/json' },
        body: '{"name":"script"}',
      })
    ).json()) as { token: string };
    assert.equal((await fetch(`${t.url}/tickets`, { headers: bearer(personal.token) })).status, 200, 'personal token works');
    const leaverId = ((await (await fetch(`${t.url}/me`, { headers: bearer(leaver) })).json()) as { agent: { agent_id: string } }).agent
      .agent_id;
    const disabled = await t.api(`/agents/${leaverId}`, { method: 'PATCH', body: '{"status":"disabled"}' });
    assert.equal(disabled.status, 200);

    for (const rule of ROUTE_RULES)
      for (const [what, token] of Object.entries({ revoked: revokedToken, disabled: leaver, 'disabled personal token': personal.token })) {
        const res = await call(rule.method, rule.path, bearer(token));
        assert.equal(res.status, 401, `${what}: ${rule.method} ${rule.path}`);
      }
    assert.equal((await login(t.url, 'leaver@example.com')).status, 401, 'a disabled agent cannot sign in');
  });

  it('a path with no rule is refused (404) with or without a token; a valid role never reaches an unruled route', async () => {
    for (const headers of [{}, bearer(tokens.admin), bearer(t.token)]) {
      const res = await fetch(`${t.url}/agents/${ULID}/secret`, { headers });
      assert.equal(res.status, 404);
      assert.equal(await codeOf(res), 'route_not_found');
    }
  });
});
