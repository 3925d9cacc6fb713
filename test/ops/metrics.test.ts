// GET /metrics: Prometheus text parsed by a Prometheus text parser; counters move as signed Twilio webhooks arrive and
// are refused; bearer token on the API port, or METRICS_PORT only.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { twilioModule } from '../../adapters/twilio/index.js';
import { signTwilioRequest } from '../../adapters/twilio/verify.js';
import { startApp, type TestApp } from '../helpers/app.js';
import { FIXTURE_AUTH_TOKEN, loadFixture } from '../twilio/fixtures.js';

interface Sample {
  value?: string;
  count?: string;
  labels?: Record<string, string>;
}
interface Family {
  name: string;
  type: string;
  metrics: Sample[];
}
const parsePrometheusText = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => Family[];

const PUBLIC_BASE = 'https://support.example.com';
const PATH = '/webhooks/twilio/messaging';
const sid = () => 'SM' + randomBytes(16).toString('hex');

function sms(from: string, body: string): Record<string, string> {
  const id = sid();
  return { ...loadFixture('messaging', 'sms-basic').params, MessageSid: id, SmsMessageSid: id, SmsSid: id, From: from, Body: body };
}

async function deliver(app: TestApp, params: Record<string, string>, signature?: string): Promise<number> {
  const res = await fetch(app.url + PATH, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': signature ?? signTwilioRequest(FIXTURE_AUTH_TOKEN, PUBLIC_BASE + PATH, params),
    },
    body: new URLSearchParams(params).toString(),
  });
  await res.arrayBuffer();
  return res.status;
}

/** Sum of a family's samples whose labels include `where` (counters: value; histograms: count). */
function total(families: Family[], name: string, where: Record<string, string> = {}): number {
  const family = families.find((f) => f.name === name);
  if (!family) return 0;
  return family.metrics
    .filter((s) => Object.entries(where).every(([k, v]) => s.labels?.[k] === v))
    .reduce((sum, s) => sum + Number(s.value ?? s.count ?? 0), 0);
}

const env = {
  PUBLIC_BASE_URL: PUBLIC_BASE,
  TWILIO_AUTH_TOKEN: FIXTURE_AUTH_TOKEN,
  ENABLE_CHATBOT: 'false',
  ENABLE_AUTO_ANALYTICS: 'false',
};

describe('GET /metrics on the API port (bearer token)', () => {
  let app: TestApp;
  before(async () => {
    app = await startApp({ modules: [twilioModule], env });
  });
  after(() => app?.stop());

  const scrapeText = async () => {
    const res = await app.api('/metrics');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    return res.text();
  };
  const scrape = async () => parsePrometheusText(await scrapeText());

  it('refuses a scrape without the token', async () => {
    const res = await fetch(`${app.url}/metrics`);
    assert.equal(res.status, 401);
  });

  it('lists every family, with process metrics', async () => {
    const names = new Set((await scrape()).map((f) => f.name));
    for (const name of [
      'freeda_webhooks_received_total',
      'freeda_webhooks_refused_total',
      'freeda_ingest_duration_seconds',
      'freeda_store_commit_duration_seconds',
      'freeda_outbound_sends_total',
      'freeda_outbound_retry_queue_depth',
      'freeda_work_queue_depth',
      'freeda_websocket_agents',
      'freeda_websocket_visitors',
      'freeda_mistral_calls_total',
      'freeda_mistral_fallbacks_total',
      'freeda_mistral_duration_seconds',
      'freeda_process_cpu_user_seconds_total',
      'freeda_process_resident_memory_bytes',
      'freeda_nodejs_eventloop_lag_seconds',
    ])
      assert.ok(names.has(name), `${name} missing`);
  });

  it('counts webhooks received, duplicates and refusals, ingest and store commit times as they arrive', async () => {
    const beforeText = await scrapeText();
    const before = parsePrometheusText(beforeText);
    const first = sms('+33611111111', 'Bonjour');
    assert.equal(await deliver(app, first), 200);
    assert.equal(await deliver(app, sms('+33622222222', 'Salut')), 200);
    assert.equal(await deliver(app, first), 200); // Twilio retry: a duplicate
    assert.equal(await deliver(app, sms('+33633333333', 'Faux'), 'bad-signature'), 403);
    const afterText = await scrapeText();
    const afterScrape = parsePrometheusText(afterText);
    const delta = (name: string, where: Record<string, string> = {}) => total(afterScrape, name, where) - total(before, name, where);
    assert.equal(delta('freeda_webhooks_received_total', { adapter: 'twilio', channel: 'sms', outcome: 'stored' }), 2);
    assert.equal(delta('freeda_webhooks_received_total', { adapter: 'twilio', channel: 'sms', outcome: 'duplicate' }), 1);
    assert.equal(delta('freeda_webhooks_refused_total', { adapter: 'twilio' }), 1);
    // The parser keeps no labels on histogram samples (it flattens them): their counts are read from the _count lines.
    const types = new Map(afterScrape.map((f) => [f.name, f.type]));
    assert.equal(types.get('freeda_ingest_duration_seconds'), 'HISTOGRAM');
    assert.equal(types.get('freeda_store_commit_duration_seconds'), 'HISTOGRAM');
    const countLine = (text: string, series: string) => Number(new RegExp(`^${series} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
    const countDelta = (series: string) => countLine(afterText, series) - countLine(beforeText, series);
    assert.equal(countDelta('freeda_ingest_duration_seconds_count\\{adapter="twilio"\\}'), 3);
    assert.ok(countDelta('freeda_store_commit_duration_seconds_count\\{operation="ingest"\\}') >= 3);
  });
});

describe('GET /metrics with METRICS_PORT', () => {
  let app: TestApp;
  before(async () => {
    app = await startApp({ modules: [twilioModule], env: { ...env, METRICS_PORT: '0' } });
  });
  after(() => app?.stop());

  it('is served on that port only, without a token', async () => {
    assert.equal((await app.api('/metrics')).status, 404);
    const url = app.app.metricsUrl!;
    const res = await fetch(`${url}/metrics`);
    assert.equal(res.status, 200);
    assert.equal(await deliver(app, sms('+33644444444', 'Bonjour')), 200);
    const families = parsePrometheusText(await (await fetch(`${url}/metrics`)).text());
    assert.equal(total(families, 'freeda_webhooks_received_total', { outcome: 'stored' }), 1);
    assert.equal((await fetch(`${url}/tickets`)).status, 404);
  });
});
