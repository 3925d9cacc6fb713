// Bot replies run after the ack from a queue rebuilt from stored state: exactly once across restarts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventually, startApp, type TestApp } from '../helpers/app.js';
import { testChannelModule } from '../helpers/test-adapter.js';
import { tempDir } from '../helpers/tmp.js';

const post = (t: TestApp, id: string, from: string, text: string) =>
  fetch(t.url + '/webhooks/test/inbound', { method: 'POST', body: JSON.stringify({ id, from, text }) }).then(
    (r) => r.json() as Promise<{ ticket_id: string }>,
  );

interface Detail {
  handled_by: string;
  messages: { author: string; text: string; external_id: string | null; delivery: { status: string; attempts: number } | null }[];
}
const detail = async (t: TestApp, id: string) => (await (await t.api(`/tickets/${id}`)).json()) as Detail;

describe('chatbot work queue', () => {
  it('a customer message stored without a bot decision is answered once after restart, never twice', async () => {
    const dir = await tempDir();
    const sent: { ticket_id: string; text: string }[] = [];
    const modules = [testChannelModule({ sent })];
    const quiet = { ENABLE_AUTO_ANALYTICS: 'false' };
    const down = await startApp({ modules, env: { ...quiet, ENABLE_CHATBOT: 'false' }, dataDir: dir.path });
    const r = await post(down, 'q-1', 'visitor-q', 'Bonjour, quels sont vos horaires ?');
    await down.app.stop();
    assert.equal(sent.length, 0);

    const up = await startApp({ modules, env: quiet, dataDir: dir.path });
    const replied = await eventually(async () => {
      const d = await detail(up, r.ticket_id);
      return d.messages.find((m) => m.author === 'bot' && m.delivery?.status === 'sent') ? d : null;
    });
    const bot = replied.messages.filter((m) => m.author === 'bot');
    assert.equal(bot.length, 1);
    assert.match(bot[0].external_id ?? '', /^bot:/);
    await up.app.work.idle();
    await up.app.stop();

    const again = await startApp({ modules, env: quiet, dataDir: dir.path });
    await again.app.work.idle();
    assert.equal(
      (await detail(again, r.ticket_id)).messages.filter((m) => m.author === 'bot').length,
      1,
      'no second reply after another restart',
    );
    assert.equal(sent.filter((s) => s.ticket_id === r.ticket_id).length, 1, 'sent to the provider once');
    await again.stop();
  });

  it('a pending outbound retry is sent after a restart', async () => {
    const dir = await tempDir();
    const sent: { ticket_id: string; text: string }[] = [];
    let clock = Date.parse('2026-06-01T10:00:00.000Z');
    const now = () => new Date(clock);
    const env = { ENABLE_AUTO_ANALYTICS: 'false', ENABLE_CHATBOT: 'false', OUTBOUND_RETRY_BASE_MS: '60000' };
    const first = await startApp({
      modules: [
        testChannelModule({ sent, sendResults: [{ ok: false, retryable: true, error_code: '503', error_message: 'unavailable' }] }),
      ],
      env,
      dataDir: dir.path,
      now,
    });
    const r = await post(first, 'p-1', 'visitor-p', 'Allo');
    await first.api(`/tickets/${r.ticket_id}/messages`, { method: 'POST', body: JSON.stringify({ text: 'Réponse de l’agent' }) });
    await eventually(async () =>
      (await detail(first, r.ticket_id)).messages.find((m) => m.author === 'agent' && m.delivery?.attempts === 1),
    );
    await first.app.stop();
    assert.equal(sent.length, 1, 'first attempt failed transiently');

    clock += 5 * 60_000; // the retry is due
    const second = await startApp({ modules: [testChannelModule({ sent })], env, dataDir: dir.path, now });
    const agent = await eventually(async () =>
      (await detail(second, r.ticket_id)).messages.find((m) => m.author === 'agent' && m.delivery?.status === 'sent'),
    );
    assert.equal(agent.delivery!.attempts, 2);
    assert.equal(sent.length, 2);
    await second.stop();
  });

  it('the bot stays silent once an agent has taken the ticket', async () => {
    const sent: { ticket_id: string; text: string }[] = [];
    const t = await startApp({ modules: [testChannelModule({ sent })], env: { ENABLE_AUTO_ANALYTICS: 'false' } });
    try {
      const r = await post(t, 's-1', 'visitor-s', 'Bonjour');
      await eventually(async () => (await detail(t, r.ticket_id)).messages.find((m) => m.author === 'bot'));
      await t.api(`/tickets/${r.ticket_id}/messages`, { method: 'POST', body: JSON.stringify({ text: 'Je prends la main.' }) });
      await post(t, 's-2', 'visitor-s', 'Merci, et pour ma facture ?');
      await t.app.work.idle();
      const d = await detail(t, r.ticket_id);
      assert.equal(d.handled_by, 'agent');
      assert.equal(d.messages.filter((m) => m.author === 'bot').length, 1, 'no bot reply after the agent took over');
    } finally {
      await t.stop();
    }
  });
});
