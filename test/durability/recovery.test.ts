// After the store recovers from failed writes, the follow-up work of what was refused meanwhile runs without a
// restart: the bot reply and analytics of a message whose webhook got 503 (its batch was rewritten by the recovery),
// and an outbound retry whose attempt came due while the store refused writes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFreeda, type FreedaApp } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createJsonStore } from '../../src/storage/json/store.js';
import { eventually, TEST_TOKEN } from '../helpers/app.js';
import { testChannelModule, type TestAdapterOptions } from '../helpers/test-adapter.js';
import { tempDir } from '../helpers/tmp.js';
import { faultyFs, type FaultyFs } from '../storage/faulty-fs.js';

async function appOnFaultyDisk(
  env: Record<string, string>,
  adapter: TestAdapterOptions,
  body: (app: FreedaApp, fs: FaultyFs) => Promise<void>,
) {
  const dir = await tempDir();
  const fs = faultyFs();
  const config = parseConfig({
    PORT: '0',
    LOG_LEVEL: 'silent',
    API_TOKENS: TEST_TOKEN,
    ANALYTICS_DEBOUNCE_MS: '20',
    ...env,
    DATA_DIR: dir.path,
  });
  const logger = createLogger({ level: config.LOG_LEVEL });
  const store = createJsonStore({ dataDir: dir.path, logger, open: fs.open, probeMs: { min: 20, max: 50 } });
  const app = await createFreeda(config, { logger, store, modules: [testChannelModule(adapter)], print: () => undefined });
  await app.start();
  try {
    await body(app, fs);
  } finally {
    fs.heal();
    await app.stop();
    await dir.remove();
  }
}

const post = (app: FreedaApp, event: { id: string; from: string; text: string }) =>
  fetch(app.url + '/webhooks/test/inbound', { method: 'POST', body: JSON.stringify(event) });
const api = (app: FreedaApp, path: string, init: RequestInit = {}) =>
  fetch(app.url + path, { ...init, headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' } });

describe('recovery without restart', () => {
  it('a message refused with 503 gets its bot reply and analytics once writes work again; its retry is a duplicate', async () => {
    const sent: { ticket_id: string; text: string }[] = [];
    await appOnFaultyDisk({ ENABLE_CHATBOT: 'true', ENABLE_AUTO_ANALYTICS: 'true' }, { sent }, async (app, fs) => {
      fs.faults.writeError = 'ENOSPC';
      const event = { id: 'evt-refused', from: 'visitor-1', text: 'Bonjour, ma facture est trop élevée ce mois-ci.' };
      const refused = await post(app, event);
      assert.equal(refused.status, 503);
      assert.ok(Number(refused.headers.get('retry-after')) >= 1);
      assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'storage_full');
      assert.equal((await fetch(app.url + '/readyz')).status, 503);
      assert.equal(sent.length, 0);

      fs.heal();
      // No retry from the provider yet: the recovery itself schedules the follow-up of the rewritten message.
      const reply = await eventually(() => sent[0]);
      const ticket = await eventually(async () => {
        const res = await api(app, `/tickets/${reply.ticket_id}`);
        const t = (await res.json()) as { analytics: { category: string } | null; messages: { external_id: string; author: string }[] };
        return t.analytics && t;
      });
      assert.equal(ticket.analytics?.category, 'facturation');
      assert.deepEqual(
        ticket.messages.map((m) => m.author),
        ['customer', 'bot'],
      );
      const retry = await post(app, event);
      assert.equal(retry.status, 200);
      assert.equal(((await retry.json()) as { duplicate: boolean }).duplicate, true);
      await app.work.idle();
      assert.equal(sent.length, 1, 'one bot reply');
    });
  });

  it('an outbound retry that came due while writes failed is sent after the recovery, once', async () => {
    const sent: { ticket_id: string; text: string }[] = [];
    const adapter = {
      sent,
      sendResults: [{ ok: false as const, retryable: true, error_code: 'http_503', error_message: 'provider down' }],
    };
    await appOnFaultyDisk(
      { ENABLE_CHATBOT: 'false', ENABLE_AUTO_ANALYTICS: 'false', OUTBOUND_RETRY_BASE_MS: '300' },
      adapter,
      async (app, fs) => {
        const stored = (await (await post(app, { id: 'evt-1', from: 'visitor-2', text: 'Bonjour' })).json()) as { ticket_id: string };
        const res = await api(app, `/tickets/${stored.ticket_id}/messages`, {
          method: 'POST',
          body: JSON.stringify({ text: 'Réponse agent' }),
        });
        assert.equal(res.status, 201);
        await eventually(() => sent.length === 1); // first attempt: the provider answered 503, a retry is stored for later
        fs.faults.writeError = 'EIO';
        // Any write trips the failure (the retry then finds the store refusing writes and stays pending).
        assert.equal((await post(app, { id: 'evt-2', from: 'visitor-2', text: 'Allô ?' })).status, 503);
        await new Promise((resolve) => setTimeout(resolve, 600));
        assert.equal(sent.length, 1, 'nothing sent while the store refuses writes');
        fs.heal();
        await eventually(() => sent.length === 2);
        const agent = await eventually(async () => {
          const t = (await (await api(app, `/tickets/${stored.ticket_id}`)).json()) as {
            messages: { author: string; delivery: { status: string } | null }[];
          };
          const m = t.messages.find((x) => x.author === 'agent');
          return m?.delivery?.status === 'sent' && m;
        });
        assert.equal(agent.delivery?.status, 'sent');
        await new Promise((resolve) => setTimeout(resolve, 400));
        assert.deepEqual(
          sent.map((s) => s.text),
          ['Réponse agent', 'Réponse agent'],
          'sent once after the failed attempt',
        );
      },
    );
  });

  it('when the journal cannot be written from this process any more, /healthz says so with 503 (restart needed)', async () => {
    await appOnFaultyDisk({ ENABLE_CHATBOT: 'false', ENABLE_AUTO_ANALYTICS: 'false' }, {}, async (app, fs) => {
      assert.equal((await fetch(app.url + '/healthz')).status, 200);
      fs.faults.writeError = 'EIO';
      fs.faults.truncateError = 'EBADF';
      assert.equal((await post(app, { id: 'evt-1', from: 'visitor-3', text: 'x' })).status, 503);
      const health = await eventually(async () => {
        const res = await fetch(app.url + '/healthz');
        return res.status === 503 && ((await res.json()) as { status: string; storage: { code: string; action: string } });
      });
      assert.equal(health.status, 'failed');
      assert.equal(health.storage.code, 'storage_failed');
      assert.match(health.storage.action, /restart the process/);
      assert.equal((await fetch(app.url + '/readyz')).status, 503);
    });
  });
});
