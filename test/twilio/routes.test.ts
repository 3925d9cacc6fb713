// The core verifies Twilio webhooks before the adapter sees them: a refusal is one 403 shape and one log line naming the
// URLs the signature was checked against (the usual culprit is PUBLIC_BASE_URL). Route-level, through supertest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import express from 'express';
import request from 'supertest';
import { messagingRoutes } from '../../adapters/twilio/routes.js';
import type { ChannelContext, WebhookRequest } from '../../src/domain/channel.js';
import type { InboundEvent } from '../../src/domain/events.js';
import { webhooksRouter } from '../../src/http/webhooks.js';
import { capturingLogger } from '../helpers/logger.js';
import { FIXTURE_AUTH_TOKEN, loadFixture, signedRequest } from './fixtures.js';

const PUBLIC_BASE = 'https://support.example.com';

function twilioApp(authToken: string | undefined) {
  const logger = capturingLogger();
  const ingested: InboundEvent[] = [];
  const context = {
    logger,
    now: () => new Date('2026-11-24T22:00:00Z'),
    ingest: (event: InboundEvent) => {
      ingested.push(event);
      return Promise.resolve({ kind: 'ignored', reason: 'test' } as const);
    },
  } as unknown as ChannelContext;
  const app = express();
  app.use(
    webhooksRouter({
      adapters: [{ name: 'twilio', routes: messagingRoutes({ authToken }), sender: null }],
      context,
      publicBaseUrl: () => PUBLIC_BASE,
      logger,
    }),
  );
  return { app, logger, ingested };
}

/** POST a signed request as Twilio would send it. */
const post = (app: express.Express, signed: WebhookRequest) =>
  request(app)
    .post(signed.path)
    .set('content-type', 'application/x-www-form-urlencoded')
    .set('x-twilio-signature', signed.headers['x-twilio-signature'] ?? '')
    .send(signed.rawBody.toString());

test('a signature made for another URL is refused, logged with the URLs tried, and nothing is ingested', async () => {
  const { app, logger, ingested } = twilioApp(FIXTURE_AUTH_TOKEN);
  const { params } = loadFixture('messaging', 'sms-basic');
  const res = await post(app, signedRequest('http://internal:8000/webhooks/twilio/messaging', params));
  assert.equal(res.status, 403);
  assert.deepEqual(res.body, {
    error: { code: 'invalid_twilio_signature', message: 'The X-Twilio-Signature header does not match this request.' },
  });
  assert.equal(ingested.length, 0);
  const warnings = logger.lines.filter((l) => l.level === 'warn');
  assert.equal(warnings.length, 1, 'one log line per refusal');
  assert.match(warnings[0].msg ?? '', /https:\/\/support\.example\.com\/webhooks\/twilio\/messaging/);
  assert.match(warnings[0].msg ?? '', /PUBLIC_BASE_URL/);
  assert.deepEqual((warnings[0].obj as { urls_tried: string[] }).urls_tried, [
    'https://support.example.com/webhooks/twilio/messaging',
    'https://support.example.com:443/webhooks/twilio/messaging',
  ]);
});

test('no auth token configured: refused with a log line that says so', async () => {
  const { app, logger, ingested } = twilioApp(undefined);
  const res = await post(app, signedRequest(`${PUBLIC_BASE}/webhooks/twilio/messaging`, loadFixture('messaging', 'sms-basic').params));
  assert.equal(res.status, 403);
  assert.equal((res.body as { error: { code: string } }).error.code, 'invalid_twilio_signature');
  assert.equal(ingested.length, 0);
  assert.match(logger.lines.find((l) => l.level === 'warn')?.msg ?? '', /TWILIO_AUTH_TOKEN is not set/);
});

test('a valid webhook is ingested before the TwiML answer is returned', async () => {
  const { app, ingested } = twilioApp(FIXTURE_AUTH_TOKEN);
  const res = await post(app, signedRequest(`${PUBLIC_BASE}/webhooks/twilio/messaging`, loadFixture('messaging', 'sms-basic').params));
  assert.equal(res.status, 200);
  assert.match(res.headers['content-type'], /^text\/xml/);
  assert.equal(ingested.length, 1);
  assert.equal(ingested[0].kind, 'message');
  const statusRes = await post(app, signedRequest(`${PUBLIC_BASE}/webhooks/twilio/status`, loadFixture('status', 'status-sent').params));
  assert.equal(statusRes.status, 200);
  assert.equal(ingested[1].kind, 'delivery_status');
});
