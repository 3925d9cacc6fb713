import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { parseConfig } from '../../src/config.js';
import { analyzerForCli, runAnalyze } from '../../src/cli/analyze.js';
import type { Analyzer } from '../../src/domain/intelligence.js';
import { createAnalyzer } from '../../src/pipeline/analytics/index.js';
import { captureLogger, completion, startFakeMistral, type FakeMistral } from './fake-mistral.js';
import { BUILT_IN_CHANNELS } from '../helpers/channels.js';

/** One line `freeda analyze` writes: the labels of a ticket, or the error of a bad input line. */
interface OutLine {
  id: string | null;
  error?: string;
  sentiment?: string;
  category?: string;
  urgency?: string;
  summary?: string;
  source?: string;
}

async function run(lines: string[], analyzer: Analyzer = createAnalyzer({ model: 'm', timeoutMs: 1000, logger: captureLogger().logger })) {
  const output = new PassThrough();
  const chunks: string[] = [];
  output.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
  const log = captureLogger();
  const code = await runAnalyze({
    input: Readable.from(lines.map((l) => `${l}\n`)),
    output,
    analyzer,
    logger: log.logger,
    channels: BUILT_IN_CHANNELS,
  });
  output.end();
  const outLines = chunks
    .join('')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as OutLine);
  return { code, outLines, log };
}

describe('freeda analyze', () => {
  it('writes one label line per ticket, in input order, exit 0', async () => {
    const tickets = Array.from({ length: 40 }, (_, i) =>
      JSON.stringify({
        id: `t${i}`,
        channel: 'sms',
        messages: [{ author: 'customer', text: i % 2 ? "plus d'internet du tout" : 'Quels sont vos horaires ?' }],
      }),
    );
    const { code, outLines } = await run(['', ...tickets, '']);
    assert.equal(code, 0);
    assert.equal(outLines.length, 40);
    assert.deepEqual(
      outLines.map((l) => l.id),
      tickets.map((_, i) => `t${i}`),
    );
    assert.deepEqual(Object.keys(outLines[0]), ['id', 'sentiment', 'category', 'urgency', 'summary', 'source']);
    assert.deepEqual(
      { category: outLines[0].category, urgency: outLines[0].urgency, source: outLines[0].source },
      { category: 'autre', urgency: 'basse', source: 'fallback' },
    );
    assert.equal(outLines[1].urgency, 'haute');
  });

  it('reports bad lines and goes on, exit 1', async () => {
    const good = JSON.stringify({
      id: 'ok1',
      channel: 'email',
      subject: 'Facture',
      messages: [{ author: 'customer', text: 'copie de ma facture svp' }],
    });
    const { code, outLines, log } = await run([
      '{not json',
      JSON.stringify({ id: 'bad-channel', channel: 'fax', messages: [{ author: 'customer', text: 'x' }] }),
      JSON.stringify({ id: 7, channel: 'chat', messages: [] }),
      good,
    ]);
    assert.equal(code, 1);
    assert.equal(outLines.length, 4);
    assert.equal(outLines[0].id, null);
    assert.match(outLines[0].error ?? '', /invalid JSON/);
    assert.equal(outLines[1].id, 'bad-channel');
    assert.match(outLines[1].error ?? '', /^channel/);
    assert.equal(outLines[2].id, '7');
    assert.match(outLines[2].error ?? '', /messages/);
    assert.equal(outLines[3].category, 'facturation');
    assert.equal(log.lines.filter((l) => l.level === 'warn').length, 1);
  });

  describe('analyzer choice', () => {
    let server: FakeMistral;
    after(async () => server?.close());
    it('uses Mistral when a key is set, and the fallback with --offline', async () => {
      server = await startFakeMistral({
        reply: () => ({
          status: 200,
          json: completion(JSON.stringify({ sentiment: 'positif', category: 'autre', urgency: 'basse', summary: 'Merci.' })),
        }),
      });
      const config = parseConfig({ MISTRAL_API_KEY: 'k', MISTRAL_SERVER_URL: server.url, MISTRAL_TIMEOUT_MS: '2000' });
      const line = JSON.stringify({ id: 'a', channel: 'chat', messages: [{ author: 'customer', text: 'merci beaucoup !' }] });
      const online = await run([line], analyzerForCli(config, { offline: false, logger: captureLogger().logger }));
      assert.equal(online.outLines[0].source, 'ai');
      const offline = await run([line], analyzerForCli(config, { offline: true, logger: captureLogger().logger }));
      assert.equal(offline.outLines[0].source, 'fallback');
      assert.equal(server.requests.length, 1);
    });
  });
});
