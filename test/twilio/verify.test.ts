import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import {
  checkTwilioWebhook,
  signTwilioRequest,
  signatureCandidateUrls,
  verifyTwilioSignature,
  verifyTwilioWebhook,
} from '../../adapters/twilio/verify.js';
import { parseFormParams } from '../../adapters/twilio/parse.js';
import { normalizePhone } from '../../adapters/twilio/phone.js';
import type { WebhookRequest } from '../../src/domain/channel.js';

const TOKEN = 'test_auth_token_0123456789abcdef';
const URL_ = 'https://support.example.com/webhooks/twilio/messaging';
const PARAMS = { MessageSid: 'SM0123', From: '+33612345678', Body: 'Bonjour é 🚀' };

/** Independent HMAC (the documented algorithm), so the test does not only check twilio against itself. */
function referenceSignature(token: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, key) => acc + key + params[key], url);
  return createHmac('sha1', token).update(Buffer.from(data, 'utf8')).digest('base64');
}

function request(publicUrl: string, body: string, signature?: string): WebhookRequest {
  const u = new URL(publicUrl);
  return {
    method: 'POST',
    path: u.pathname,
    rawQuery: u.search.slice(1),
    query: Object.fromEntries(u.searchParams),
    headers: signature === undefined ? {} : { 'x-twilio-signature': signature },
    rawBody: Buffer.from(body),
    publicUrl,
    requestId: 'req-1',
  };
}

test('signature made with the documented algorithm verifies; tampering does not', () => {
  const signature = referenceSignature(TOKEN, URL_, PARAMS);
  assert.equal(signTwilioRequest(TOKEN, URL_, PARAMS), signature);
  assert.equal(verifyTwilioSignature({ authToken: TOKEN, publicUrl: URL_, params: PARAMS, signature }), true);
  assert.equal(verifyTwilioSignature({ authToken: TOKEN, publicUrl: URL_, params: { ...PARAMS, Body: 'x' }, signature }), false);
  assert.equal(verifyTwilioSignature({ authToken: 'other', publicUrl: URL_, params: PARAMS, signature }), false);
  assert.equal(verifyTwilioSignature({ authToken: TOKEN, publicUrl: URL_ + '?x=1', params: PARAMS, signature }), false);
  assert.equal(verifyTwilioSignature({ authToken: TOKEN, publicUrl: URL_, params: PARAMS, signature: '' }), false);
  assert.equal(verifyTwilioSignature({ authToken: TOKEN, publicUrl: URL_, params: PARAMS, signature: null }), false);
});

test('URL signed with :443 verifies against the URL without port, and the reverse', () => {
  const withPort = 'https://support.example.com:443/webhooks/twilio/messaging?inbox=fr';
  const without = 'https://support.example.com/webhooks/twilio/messaging?inbox=fr';
  const sigWithPort = referenceSignature(TOKEN, withPort, PARAMS);
  const sigWithout = referenceSignature(TOKEN, without, PARAMS);
  assert.equal(verifyTwilioSignature({ authToken: TOKEN, publicUrl: without, params: PARAMS, signature: sigWithPort }), true);
  assert.equal(verifyTwilioSignature({ authToken: TOKEN, publicUrl: withPort, params: PARAMS, signature: sigWithout }), true);
  assert.deepEqual(signatureCandidateUrls(without), [without, withPort]);
  assert.deepEqual(signatureCandidateUrls('http://h:8080/p'), ['http://h:8080/p']);
  // A signature for another host is refused.
  const attacker = referenceSignature(TOKEN, 'https://evil.example/webhooks/twilio/messaging?inbox=fr', PARAMS);
  assert.equal(verifyTwilioSignature({ authToken: TOKEN, publicUrl: without, params: PARAMS, signature: attacker }), false);
});

test('checkTwilioWebhook: form body, missing header, no token, JSON body with bodySHA256', () => {
  const body = new URLSearchParams(PARAMS).toString();
  const good = checkTwilioWebhook(request(URL_, body, referenceSignature(TOKEN, URL_, PARAMS)), TOKEN);
  assert.equal(good.ok, true);
  assert.deepEqual(good.ok && good.params, PARAMS);

  const missing = checkTwilioWebhook(request(URL_, body), TOKEN);
  assert.equal(missing.ok, false);
  assert.equal(!missing.ok && missing.reason, 'missing_signature');
  const refusal = verifyTwilioWebhook(request(URL_, body), TOKEN);
  assert.equal(!refusal.ok && refusal.code, 'invalid_twilio_signature');
  assert.equal(!refusal.ok && refusal.message, 'The X-Twilio-Signature header is missing.');

  const noToken = checkTwilioWebhook(request(URL_, body, referenceSignature(TOKEN, URL_, PARAMS)), undefined);
  assert.equal(!noToken.ok && noToken.reason, 'no_auth_token');

  const forged = checkTwilioWebhook(request(URL_, body.replace('Bonjour', 'Bonsoir'), referenceSignature(TOKEN, URL_, PARAMS)), TOKEN);
  assert.equal(!forged.ok && forged.reason, 'bad_signature');
  assert.deepEqual(!forged.ok && forged.urlsTried, signatureCandidateUrls(URL_));

  const json = JSON.stringify({ MessageSid: 'SM1' });
  const hash = createHash256(json);
  const jsonUrl = `${URL_}?bodySHA256=${hash}`;
  const jsonSig = referenceSignature(TOKEN, jsonUrl, {});
  assert.equal(checkTwilioWebhook(request(jsonUrl, json, jsonSig), TOKEN).ok, true);
  assert.equal(checkTwilioWebhook(request(jsonUrl, json + ' ', jsonSig), TOKEN).ok, false);
});

function createHash256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

test('parseFormParams keeps repeated keys and decodes + and %2B', () => {
  assert.deepEqual(parseFormParams('From=%2B33612345678&Body=a+b&K=1&K=2'), { From: '+33612345678', Body: 'a b', K: ['1', '2'] });
});

test('normalizePhone', () => {
  assert.deepEqual(normalizePhone('+33612345678'), { address: '+33612345678', channel: 'sms' });
  assert.deepEqual(normalizePhone('whatsapp:+33612345678'), { address: 'whatsapp:+33612345678', channel: 'whatsapp' });
  assert.deepEqual(normalizePhone(' +33 6 12 34 56 78 '), { address: '+33612345678', channel: 'sms' });
  assert.deepEqual(normalizePhone('06 12 34 56 78', 'FR'), { address: '+33612345678', channel: 'sms' });
  assert.deepEqual(normalizePhone('+15005550006'), { address: '+15005550006', channel: 'sms' });
  assert.equal(normalizePhone('MyBrand'), null);
  assert.equal(normalizePhone('whatsapp:'), null);
  assert.equal(normalizePhone('+1234'), null);
});
