// The analytics step in the pipeline: debounced per ticket, re-run at close, rebuilt after a restart.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { chatRequestOf, completion, startFakeMistral, type FakeMistral, type RecordedRequest } from '../analytics/fake-mistral.js';
import { eventually, startApp, type TestApp } from '../helpers/app.js';
import { testChannelModule } from '../helpers/test-adapter.js';
import { tempDir } from '../helpers/tmp.js';

const LABELS = JSON.stringify({
  sentiment: 'negatif',
  category: 'technique',
  urgency: 'haute',
  summary: 'Panne totale de la box depuis ce matin.',
});
const isAnalytics = (req: RecordedRequest) => chatRequestOf(req)?.response_format?.type === 'json_object';

const post = (t: TestApp, id: string, from: string, text: string) =>
  fetch(t.url + '/webhooks/test/inbound', { method: 'POST', body: JSON.stringify({ id, from, text }) }).then(
    (r) => r.json() as Promise<{ ticket_id: string }>,
  );

describe('analytics in the pipeline', () => {
  let mistral: FakeMistral;
  before(async () => {
    mistral = await startFakeMistral({ reply: () => ({ status: 200, json: completion(LABELS) }) });
  });
  after(async () => {
    await mistral.close();
  });
  const analyticsCalls = () => mistral.requests.filter(isAnalytics).length;
  const env = () => ({
    MISTRAL_API_KEY: 'test-key',
    MISTRAL_SERVER_URL: mistral.url,
    ENABLE_CHATBOT: 'false',
    ANALYTICS_DEBOUNCE_MS: '1500',
  });

  it('a burst of customer messages is analysed once, and closing analyses again', async () => {
    const t = await startApp({ modules: [testChannelModule()], env: env() });
    try {
      const start = analyticsCalls();
      const first = await post(t, 'burst-1', 'visitor-burst', 'Plus rien ne marche');
      for (let i = 2; i <= 5; i++) await post(t, `burst-${i}`, 'visitor-burst', `Toujours rien (${i})`);
      const ticket = await eventually(async () => {
        const d = (await (await t.api(`/tickets/${first.ticket_id}`)).json()) as {
          analytics: { source: string; sentiment: string; model: string } | null;
        };
        return d.analytics ? d : null;
      });
      await t.app.work.idle();
      assert.equal(analyticsCalls() - start, 1, 'one analysis for the burst');
      assert.deepEqual(
        [ticket.analytics!.source, ticket.analytics!.sentiment, ticket.analytics!.model],
        ['ai', 'negatif', 'mistral-small-latest'],
      );
      const request = mistral.requests.filter(isAnalytics).at(-1)!;
      const body = chatRequestOf(request);
      assert.equal(body?.model, 'mistral-small-latest');
      assert.equal(request.authorization, 'Bearer test-key');
      assert.match(JSON.stringify(body?.messages), /Toujours rien \(5\)/, 'the whole burst is analysed');

      await t.api(`/tickets/${first.ticket_id}/status`, { method: 'PATCH', body: JSON.stringify({ status: 'fermé' }) });
      await eventually(() => analyticsCalls() - start === 2);
      await t.app.work.idle();
      assert.equal(analyticsCalls() - start, 2, 'closing runs a final analysis');
    } finally {
      await t.stop();
    }
  });

  it('a ticket left without analytics (crash, or analytics off) is analysed at the next start', async () => {
    const dir = await tempDir();
    const off = await startApp({ modules: [testChannelModule()], env: { ...env(), ENABLE_AUTO_ANALYTICS: 'false' }, dataDir: dir.path });
    const r = await post(off, 'stale-1', 'visitor-stale', 'Ma box ne s’allume plus');
    await off.app.stop();
    const start = analyticsCalls();
    const on = await startApp({ modules: [testChannelModule()], env: env(), dataDir: dir.path });
    try {
      const d = await eventually(async () => {
        const x = (await (await on.api(`/tickets/${r.ticket_id}`)).json()) as { analytics: { source: string } | null };
        return x.analytics ? x : null;
      });
      assert.equal(d.analytics!.source, 'ai');
      await on.app.work.idle();
      assert.equal(analyticsCalls() - start, 1);
    } finally {
      await on.app.stop();
    }
    const again = await startApp({ modules: [testChannelModule()], env: env(), dataDir: dir.path });
    await again.app.work.idle();
    assert.equal(analyticsCalls() - start, 1, 'not analysed twice across restarts');
    await again.stop();
  });

  it('Mistral down: the fallback labels the ticket with source "fallback"', async () => {
    const t = await startApp({
      modules: [testChannelModule()],
      env: { ...env(), MISTRAL_SERVER_URL: 'http://127.0.0.1:9', MISTRAL_TIMEOUT_MS: '500' },
    });
    try {
      const r = await post(t, 'down-1', 'visitor-down', 'Je veux résilier mon abonnement');
      const d = await eventually(async () => {
        const x = (await (await t.api(`/tickets/${r.ticket_id}`)).json()) as {
          analytics: { source: string; category: string; model: string | null } | null;
        };
        return x.analytics ? x : null;
      });
      assert.equal(d.analytics!.source, 'fallback');
      assert.equal(d.analytics!.category, 'resiliation');
    } finally {
      await t.stop();
    }
  });
});
