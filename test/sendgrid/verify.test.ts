import assert from 'node:assert/strict';
import { test } from 'node:test';
import { basicAuthPassword, verifyInboundSecret } from '../../adapters/sendgrid/verify.js';

const SECRET = 's3cret-inbound';
const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

test('?token= with the secret is accepted', () => {
  assert.deepEqual(verifyInboundSecret({ query: { token: SECRET }, headers: {} }, SECRET), { ok: true, method: 'token' });
});

test('HTTP Basic with the secret as password is accepted, whatever the user name', () => {
  for (const user of ['sendgrid', '', 'anything']) {
    assert.deepEqual(verifyInboundSecret({ query: {}, headers: { authorization: basic(user, SECRET) } }, SECRET), {
      ok: true,
      method: 'basic',
    });
  }
});

test('wrong token, wrong password, a prefix of the secret: refused', () => {
  assert.deepEqual(verifyInboundSecret({ query: { token: 'nope' }, headers: {} }, SECRET), { ok: false, reason: 'wrong_secret' });
  assert.deepEqual(verifyInboundSecret({ query: { token: SECRET.slice(0, -1) }, headers: {} }, SECRET), {
    ok: false,
    reason: 'wrong_secret',
  });
  assert.deepEqual(verifyInboundSecret({ query: {}, headers: { authorization: basic(SECRET, 'x') } }, SECRET), {
    ok: false,
    reason: 'wrong_secret',
  });
  // A right token does not excuse a wrong Basic password.
  assert.deepEqual(verifyInboundSecret({ query: { token: SECRET }, headers: { authorization: basic('u', 'x') } }, SECRET), {
    ok: false,
    reason: 'wrong_secret',
  });
});

test('no credentials, or a Bearer header: refused as missing', () => {
  assert.deepEqual(verifyInboundSecret({ query: {}, headers: {} }, SECRET), { ok: false, reason: 'missing_credentials' });
  assert.deepEqual(verifyInboundSecret({ query: {}, headers: { authorization: `Bearer ${SECRET}` } }, SECRET), {
    ok: false,
    reason: 'missing_credentials',
  });
});

test('no INBOUND_EMAIL_SECRET configured: everything is refused, even an empty token', () => {
  assert.deepEqual(verifyInboundSecret({ query: { token: '' }, headers: {} }, undefined), { ok: false, reason: 'secret_not_configured' });
  assert.deepEqual(verifyInboundSecret({ query: {}, headers: { authorization: basic('u', '') } }, ''), {
    ok: false,
    reason: 'secret_not_configured',
  });
});

test('basicAuthPassword reads the part after the first colon (passwords may contain colons)', () => {
  assert.equal(basicAuthPassword(basic('u', 'a:b:c')), 'a:b:c');
  assert.equal(basicAuthPassword('Digest abc'), null);
  assert.equal(basicAuthPassword(undefined), null);
});
