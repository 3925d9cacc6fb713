// Refusals are logged with the URL the signature was checked against (the usual culprit is PUBLIC_BASE_URL).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { messagingRoutes } from '../../adapters/twilio/routes.js';
import type { ChannelContext } from '../../src/domain/channel.js';
import { capturingLogger } from '../helpers/logger.js';
import { FIXTURE_AUTH_TOKEN, loadFixture, signedRequest } from './fixtures.js';

function context() {
  const logger = capturingLogger();
  const ingested: unknown[] = [];
  const ctx = {
    logger,
    now: () => new Date('2026-11-24T22:00:00Z'),
    ingest: (event: unknown) => {
      ingested.push(event);
      return Promise.resolve({ kind: 'ignored', reason: 'test' } as const);
    },
  } as unknown as ChannelContext;
  return { ctx, logger, ingested };
}

test('a signature made for another URL is refused, logged with the URL tried, and nothing is ingested', async () => {
  const [inbound] = messagingRoutes({ authToken: FIXTURE_AUTH_TOKEN });
  const { params } = loadFixture('messaging', 'sms-basic');
  const signedForProxyHost = signedRequest('http://internal:8000/webhooks/twilio/messaging', params);
  const req = { ...signedForProxyHost, publicUrl: 'https://support.example.com/webhooks/twilio/messaging' };
  const { ctx, logger, ingested } = context();
  const res = await inbound.handle(req, ctx);
  assert.equal(res.status, 403);
  assert.equal(ingested.length, 0);
  const warning = logger.lines.find((l) => l.level === 'warn');
  assert.ok(warning);
  assert.match(warning.msg ?? '', /https:\/\/support\.example\.com\/webhooks\/twilio\/messaging/);
  assert.match(warning.msg ?? '', /PUBLIC_BASE_URL/);
  assert.deepEqual((warning.obj as { url_tried: string[] }).url_tried, [
    'https://support.example.com/webhooks/twilio/messaging',
    'https://support.example.com:443/webhooks/twilio/messaging',
  ]);
});

test('no auth token configured: refused with a log line that says so', async () => {
  const [inbound] = messagingRoutes({});
  const { ctx, logger, ingested } = context();
  const res = await inbound.handle(
    signedRequest('https://support.example.com/webhooks/twilio/messaging', loadFixture('messaging', 'sms-basic').params),
    ctx,
  );
  assert.equal(res.status, 403);
  assert.equal(ingested.length, 0);
  assert.match(logger.lines.find((l) => l.level === 'warn')?.msg ?? '', /TWILIO_AUTH_TOKEN is not set/);
});

test('a valid webhook is ingested before the TwiML answer is returned', async () => {
  const [inbound, status] = messagingRoutes({ authToken: FIXTURE_AUTH_TOKEN });
  const { ctx, ingested } = context();
  const res = await inbound.handle(
    signedRequest('https://support.example.com/webhooks/twilio/messaging', loadFixture('messaging', 'sms-basic').params),
    ctx,
  );
  assert.equal(res.status, 200);
  assert.equal(ingested.length, 1);
  assert.equal((ingested[0] as { kind: string }).kind, 'message');
  const statusRes = await status.handle(
    signedRequest('https://support.example.com/webhooks/twilio/status', loadFixture('status', 'status-sent').params),
    ctx,
  );
  assert.equal(statusRes.status, 200);
  assert.equal((ingested[1] as { kind: string }).kind, 'delivery_status');
});
