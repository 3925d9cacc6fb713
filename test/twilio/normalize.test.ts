// Every fixture, signed with the real algorithm, verified and normalised, against its golden output.
// Regenerate goldens after an intended change: UPDATE_GOLDEN=1 node --import tsx --test test/twilio/normalize.test.ts (then review the diff).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { normalizeInboundMessage, normalizeStatusCallback, detectKeyword, mapMessageStatus } from '../../adapters/twilio/normalize.js';
import { checkTwilioWebhook } from '../../adapters/twilio/verify.js';
import { FIXTURES_DIR, FIXTURE_AUTH_TOKEN, FIXTURE_SMS_FROM, FIXTURE_WHATSAPP_FROM, loadFixtures, signedRequest } from './fixtures.js';

const RECEIVED_AT = '2026-11-24T22:15:00.000Z';
const PUBLIC = 'https://support.example.com';
const update = process.env.UPDATE_GOLDEN === '1';

function golden(dir: string, name: string, actual: unknown): void {
  const path = join(FIXTURES_DIR, 'expected', dir, `${name}.json`);
  if (update) {
    mkdirSync(join(FIXTURES_DIR, 'expected', dir), { recursive: true });
    writeFileSync(path, JSON.stringify(actual, null, 2) + '\n');
    return;
  }
  assert.ok(existsSync(path), `golden file missing: ${path}`);
  assert.deepEqual(actual, JSON.parse(readFileSync(path, 'utf8')));
}

for (const fixture of loadFixtures('messaging')) {
  test(`messaging fixture ${fixture.name}: ${fixture.description}`, () => {
    const check = checkTwilioWebhook(signedRequest(`${PUBLIC}/webhooks/twilio/messaging`, fixture.params), FIXTURE_AUTH_TOKEN);
    assert.equal(check.ok, true, 'signature must verify');
    if (!check.ok) return;
    assert.deepEqual(check.params, fixture.params, 'parsed params equal what was sent');
    const event = normalizeInboundMessage(check.params, { ownNumbers: [FIXTURE_SMS_FROM, FIXTURE_WHATSAPP_FROM], receivedAt: RECEIVED_AT });
    // The raw params ride along in meta.twilio (every field, unknown ones too); the golden file leaves them out.
    if (event.kind === 'message') {
      assert.deepEqual(event.meta?.twilio, fixture.params);
      const { twilio: _raw, ...meta } = event.meta ?? {};
      golden('messaging', fixture.name, { ...event, meta });
    } else {
      if (event.kind === 'unsupported') assert.deepEqual(event.raw, fixture.params);
      golden('messaging', fixture.name, event.kind === 'unsupported' ? { ...event, raw: '(params)' } : event);
    }
  });
}

for (const fixture of loadFixtures('status')) {
  test(`status fixture ${fixture.name}: ${fixture.description}`, () => {
    const check = checkTwilioWebhook(signedRequest(`${PUBLIC}/webhooks/twilio/status`, fixture.params), FIXTURE_AUTH_TOKEN);
    assert.equal(check.ok, true);
    if (!check.ok) return;
    const event = normalizeStatusCallback(check.params, RECEIVED_AT);
    golden('status', fixture.name, event.kind === 'unsupported' ? { ...event, raw: '(params)' } : event);
  });
}

test('a fixture with its Body tampered after signing is refused', () => {
  const [fixture] = loadFixtures('messaging');
  const req = signedRequest(`${PUBLIC}/webhooks/twilio/messaging`, fixture.params);
  const tampered = { ...req, rawBody: Buffer.from(req.rawBody.toString().replace('Body=', 'Body=X')) };
  assert.equal(checkTwilioWebhook(tampered, FIXTURE_AUTH_TOKEN).ok, false);
});

test('keywords are whole-message only', () => {
  assert.equal(detectKeyword('Stop!')?.kind, 'opt_out');
  assert.equal(detectKeyword('  quit  ')?.kind, 'opt_out');
  assert.equal(detectKeyword('stop please'), null);
  assert.equal(detectKeyword('unstop')?.kind, 'opt_in');
  assert.equal(detectKeyword('info')?.kind, 'help');
  assert.equal(detectKeyword('bonjour'), null);
  assert.equal(detectKeyword("n'importe", 'STOP')?.kind, 'opt_out');
});

test('MessageStatus mapping covers the twilio enum', () => {
  const expected: Record<string, string | null> = {
    queued: 'queued',
    sending: 'queued',
    accepted: 'queued',
    scheduled: 'queued',
    sent: 'sent',
    delivered: 'delivered',
    partially_delivered: 'delivered',
    read: 'read',
    failed: 'failed',
    undelivered: 'failed',
    canceled: 'failed',
    receiving: 'inbound',
    received: 'inbound',
    bogus: null,
  };
  for (const [status, mapped] of Object.entries(expected)) assert.equal(mapMessageStatus(status), mapped, status);
});
