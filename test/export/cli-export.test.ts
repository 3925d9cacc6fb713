import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../src/cli.js';
import { parseConfig } from '../../src/config.js';
import { startApp, TEST_TOKEN } from '../helpers/app.js';
import { tempDir } from '../helpers/tmp.js';
import { csvRecords, customer, reply, settle, withStore } from './fixtures.js';

function capture() {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

async function cli(dataDir: string, args: string[], env: Record<string, string> = {}) {
  const stdout = capture();
  const stderr = capture();
  const code = await runCli(['export', ...args], { stdin: new PassThrough(), stdout: stdout.stream, stderr: stderr.stream }, () =>
    parseConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', PORT: '1', ...env }),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

describe('freeda export', () => {
  let dir: { path: string; remove(): Promise<void> };
  const ids: Record<string, string> = {};

  before(async () => {
    dir = await tempDir();
    await withStore(dir.path, async (store) => {
      const sms = await customer(store, 'sms', '+33612345678', 'SM1', 'Panne', '2026-05-04T09:00:00.000Z');
      await reply(store, sms.ticket_id, 'agent', 'On regarde', '2026-05-04T09:02:00.000Z');
      await settle(store, sms.ticket_id);
      await store.setStatus(sms.ticket_id, 'fermé', '2026-05-04T10:00:00.000Z');
      const email = await customer(store, 'email', 'a@example.com', '<e1@example.com>', 'Facture', '2026-05-05T08:00:00.000Z');
      await settle(store, email.ticket_id);
      const chat = await customer(store, 'chat', 'visitor-1', 'c1', 'Salut', '2026-05-06T08:00:00.000Z');
      await settle(store, chat.ticket_id);
      Object.assign(ids, { sms: sms.ticket_id, email: email.ticket_id, chat: chat.ticket_id });
    });
  });
  after(async () => {
    await dir.remove();
  });

  it('reads the store directly when no server holds DATA_DIR, with the same filters as the API', async () => {
    const all = await cli(dir.path, []);
    assert.equal(all.code, 0, all.stderr);
    const { header, records } = csvRecords(all.stdout);
    assert.equal(header.slice(0, 3).join(','), 'ticket_id,created_at,closed_at');
    assert.deepEqual(
      records.map((r) => r.ticket_id),
      [ids.sms, ids.email, ids.chat],
    );
    assert.equal(records[0].first_response_time_seconds, '120');
    assert.equal(records[0].resolution_duration_seconds, '3600');

    const filtered = await cli(dir.path, [
      '--channel',
      'sms,chat',
      '--status',
      'en cours',
      '--date-from',
      '2026-05-05',
      '--date-to',
      '2026-05-06',
    ]);
    assert.equal(filtered.code, 0, filtered.stderr);
    assert.deepEqual(
      csvRecords(filtered.stdout).records.map((r) => r.ticket_id),
      [ids.chat],
    );

    const bom = await cli(dir.path, ['--bom', '--status', 'fermé']);
    assert.ok(bom.stdout.startsWith('\uFEFFticket_id,'));
  });

  it('refuses a bad filter with exit code 2 and names the option', async () => {
    const bad = await cli(dir.path, ['--channel', 'fax']);
    assert.equal(bad.code, 2);
    assert.equal(bad.stdout, '');
    assert.match(bad.stderr, /--channel/);
    const badDate = await cli(dir.path, ['--date-to', '31/05/2026']);
    assert.equal(badDate.code, 2);
    assert.match(badDate.stderr, /--date-to/);
  });

  it('asks the running server when it holds the DATA_DIR lock', async () => {
    const t = await startApp({ dataDir: dir.path, env: { ENABLE_CHATBOT: 'false', ENABLE_AUTO_ANALYTICS: 'false' } });
    try {
      const viaServer = await cli(dir.path, ['--channel', 'email', '--url', t.url], { API_TOKENS: TEST_TOKEN });
      assert.equal(viaServer.code, 0, viaServer.stderr);
      assert.deepEqual(
        csvRecords(viaServer.stdout).records.map((r) => r.ticket_id),
        [ids.email],
      );

      const wrongToken = await cli(dir.path, ['--url', t.url], { API_TOKENS: 'not-the-token' });
      assert.equal(wrongToken.code, 1);
      assert.match(wrongToken.stderr, /401/);
    } finally {
      await t.app.stop();
    }
  });
});
