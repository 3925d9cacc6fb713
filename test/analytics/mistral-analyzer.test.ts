import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { AnalysisInput } from '../../src/domain/intelligence.js';
import { analyzeOffline, createAnalyzer } from '../../src/pipeline/analytics/index.js';
import { parseAiAnswer } from '../../src/pipeline/analytics/mistral.js';
import { captureLogger, chatRequestOf, completion, startFakeMistral, type FakeMistral } from './fake-mistral.js';

const MODEL = 'mistral-small-latest';
const FIXED_NOW = () => new Date('2026-01-02T03:04:05.000Z');
const ticket: AnalysisInput = {
  id: 'T1',
  channel: 'sms',
  messages: [{ author: 'customer', text: 'bjr ma box clignote orange depuis ce matin, vous pouvez regarder ?' }],
};
const validAnswer = JSON.stringify({ sentiment: 'negatif', category: 'commercial', urgency: 'haute', summary: '  Box en panne.  ' });

const servers: FakeMistral[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});
async function fake(opts: Parameters<typeof startFakeMistral>[0]) {
  const server = await startFakeMistral(opts);
  servers.push(server);
  return server;
}
function analyzerFor(url: string, timeoutMs = 3000, extra: { maxConcurrency?: number } = {}) {
  const log = captureLogger();
  const analyzer = createAnalyzer({
    apiKey: 'test-key',
    model: MODEL,
    serverUrl: url,
    timeoutMs,
    logger: log.logger,
    now: FIXED_NOW,
    retryInitialIntervalMs: 10,
    ...extra,
  });
  return { analyzer, log };
}
const warnReasons = (log: ReturnType<typeof captureLogger>) =>
  log.lines.filter((l) => l.level === 'warn').map((l) => (l.obj as { reason?: string }).reason);

describe('Mistral analyzer against a fake API', () => {
  it('valid JSON gives source ai with the model labels, and the request carries model and json_object format', async () => {
    const server = await fake({ reply: () => ({ status: 200, json: completion(validAnswer) }) });
    const { analyzer, log } = analyzerFor(server.url);
    const result = await analyzer.analyze(ticket);
    assert.deepEqual(result, {
      sentiment: 'negatif',
      category: 'commercial',
      urgency: 'haute',
      summary: 'Box en panne.',
      analyzed_at: '2026-01-02T03:04:05.000Z',
      source: 'ai',
      model: MODEL,
    });
    assert.equal(server.requests.length, 1);
    const req = server.requests[0];
    assert.equal(req.path, '/v1/chat/completions');
    assert.equal(req.authorization, 'Bearer test-key');
    const body = chatRequestOf(req);
    assert.ok(body, 'a chat completion request');
    assert.equal(body.model, MODEL);
    assert.deepEqual(body.response_format, { type: 'json_object' });
    assert.match(body.messages[0].content, /facturation \| technique/);
    assert.match(body.messages[1].content, /\[client\] bjr ma box clignote/);
    assert.deepEqual(warnReasons(log), []);
  });

  it('invalid JSON falls back to the offline analyzer with a warn line', async () => {
    const server = await fake({ reply: () => ({ status: 200, json: completion('Voici mon analyse : négatif') }) });
    const { analyzer, log } = analyzerFor(server.url);
    const result = await analyzer.analyze(ticket);
    const offline = analyzeOffline(ticket);
    assert.equal(result.source, 'fallback');
    assert.equal(result.model, null);
    assert.deepEqual({ sentiment: result.sentiment, category: result.category, urgency: result.urgency, summary: result.summary }, offline);
    assert.deepEqual(warnReasons(log), ['invalid_json']);
  });

  it('labels outside the allowed values fall back', async () => {
    const bad = JSON.stringify({ sentiment: 'négatif', category: 'technique', urgency: 'haute', summary: 'x' });
    const server = await fake({ reply: () => ({ status: 200, json: completion(bad) }) });
    const { analyzer, log } = analyzerFor(server.url);
    const result = await analyzer.analyze(ticket);
    assert.equal(result.source, 'fallback');
    assert.match(String(warnReasons(log)[0]), /^invalid_labels: sentiment/);
  });

  it('429 then OK is retried and ends with source ai', async () => {
    const server = await fake({
      reply: (_req, i) => (i === 0 ? { status: 429, json: { message: 'rate limited' } } : { status: 200, json: completion(validAnswer) }),
    });
    const { analyzer } = analyzerFor(server.url);
    const result = await analyzer.analyze(ticket);
    assert.equal(result.source, 'ai');
    assert.equal(server.requests.length, 2);
  });

  it('500 on every attempt is retried, then falls back', async () => {
    const server = await fake({ reply: () => ({ status: 500, json: { message: 'boom' } }) });
    const { analyzer, log } = analyzerFor(server.url, 400);
    const result = await analyzer.analyze(ticket);
    assert.equal(result.source, 'fallback');
    assert.ok(server.requests.length >= 2, `expected retries, got ${server.requests.length} request(s)`);
    assert.deepEqual(warnReasons(log), ['http_500']);
  });

  it('a server that never answers within timeoutMs gives the fallback', async () => {
    const server = await fake({ reply: () => 'hang' });
    const { analyzer, log } = analyzerFor(server.url, 250);
    const result = await analyzer.analyze(ticket);
    assert.equal(result.source, 'fallback');
    assert.deepEqual(warnReasons(log), ['timeout']);
  });

  it('an unreachable server gives the fallback', async () => {
    const server = await fake({ reply: () => ({ status: 200, json: completion(validAnswer) }) });
    const url = server.url;
    await server.close();
    const { analyzer, log } = analyzerFor(url, 300);
    const result = await analyzer.analyze(ticket);
    assert.equal(result.source, 'fallback');
    assert.equal(warnReasons(log).length, 1);
  });

  it('a burst of 50 analyses never has more than maxConcurrency requests in flight', async () => {
    const server = await fake({
      reply: () => ({ status: 200, json: completion(validAnswer) }),
      holdUntilInFlight: { count: 4, expectedTotal: 50 },
    });
    const { analyzer } = analyzerFor(server.url, 5000, { maxConcurrency: 4 });
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => analyzer.analyze({ ...ticket, id: `T${i}` })));
    assert.equal(server.requests.length, 50);
    assert.ok(results.every((r) => r.source === 'ai'));
    assert.equal(server.maxInFlight, 4);
  });

  it('without an API key it never calls the network and uses the fallback', async () => {
    const log = captureLogger();
    const analyzer = createAnalyzer({ model: MODEL, timeoutMs: 1000, logger: log.logger, now: FIXED_NOW });
    const result = await analyzer.analyze(ticket);
    assert.equal(result.source, 'fallback');
    assert.equal(result.model, null);
    assert.equal(result.analyzed_at, '2026-01-02T03:04:05.000Z');
  });
});

describe('parseAiAnswer', () => {
  it('trims and caps the summary at 200 characters', () => {
    const long = 'a'.repeat(500);
    const outcome = parseAiAnswer(JSON.stringify({ sentiment: 'neutre', category: 'autre', urgency: 'basse', summary: long }));
    assert.ok(outcome.ok);
    if (outcome.ok) assert.equal(outcome.labels.summary.length, 200);
  });
  it('rejects a missing field and an empty summary', () => {
    assert.equal(parseAiAnswer(JSON.stringify({ sentiment: 'neutre', category: 'autre', summary: 'x' })).ok, false);
    assert.equal(parseAiAnswer(JSON.stringify({ sentiment: 'neutre', category: 'autre', urgency: 'basse', summary: '  ' })).ok, false);
    assert.equal(parseAiAnswer('').ok, false);
  });
  it('accepts a fenced JSON object', () => {
    const outcome = parseAiAnswer('```json\n{"sentiment":"positif","category":"autre","urgency":"basse","summary":"Merci."}\n```');
    assert.ok(outcome.ok);
  });
});
