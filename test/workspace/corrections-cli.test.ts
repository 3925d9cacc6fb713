// `freeda analytics:corrections`: corrected tickets as JSON lines (labels as the agent set them, the analyzer's
// before), uncorrected tickets left out, notes never in the conversation; a locked json store is a clear error.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { it } from 'node:test';
import { runCli } from '../../src/cli.js';
import { parseConfig } from '../../src/config.js';
import { startApp } from '../helpers/app.js';
import { testChannelModule } from '../helpers/test-adapter.js';
import { tempDir } from '../helpers/tmp.js';

async function cli(dataDir: string) {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const stdout = new PassThrough().on('data', (c: Buffer) => out.push(c));
  const stderr = new PassThrough().on('data', (c: Buffer) => err.push(c));
  const code = await runCli(['analytics:corrections'], { stdin: new PassThrough(), stdout, stderr }, () =>
    parseConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', PORT: '1' }),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

it('exports each corrected ticket once as a labelled JSON line', async () => {
  const dir = await tempDir();
  const t = await startApp({
    modules: [testChannelModule()],
    dataDir: dir.path,
    env: { ENABLE_CHATBOT: 'false', ANALYTICS_DEBOUNCE_MS: '10' },
  });
  const post = async (id: string, from: string, text: string) =>
    (
      (await (await fetch(t.url + '/webhooks/test/inbound', { method: 'POST', body: JSON.stringify({ id, from, text }) })).json()) as {
        ticket_id: string;
      }
    ).ticket_id;
  const corrected = await post('c-1', 'visitor-a', 'Je veux résilier, ça suffit');
  const untouched = await post('c-2', 'visitor-b', 'Bonjour');
  await t.app.work.idle();
  const machine = ((await (await t.api(`/tickets/${corrected}`)).json()) as { analytics: { category: string } }).analytics;
  await t.api(`/tickets/${corrected}/notes`, { method: 'POST', body: JSON.stringify({ text: 'NOTE interne' }) });
  const patch = await t.api(`/tickets/${corrected}/analytics`, { method: 'PATCH', body: JSON.stringify({ urgency: 'haute' }) });
  assert.equal(patch.status, 200);

  const locked = await cli(dir.path);
  assert.equal(locked.code, 1, 'the running server holds the json store');
  assert.match(locked.stderr, /stop the server first/);
  await t.app.stop();

  const { code, stdout, stderr } = await cli(dir.path);
  assert.equal(code, 0, stderr);
  const lines = stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(lines.length, 1);
  const [record] = lines as [
    {
      id: string;
      labels: { urgency: string; category: string };
      corrected: string[];
      machine: { category: string };
      messages: { text: string }[];
    },
  ];
  assert.equal(record.id, corrected);
  assert.notEqual(record.id, untouched);
  assert.equal(record.labels.urgency, 'haute');
  assert.deepEqual(record.corrected, ['urgency']);
  assert.equal(record.machine.category, machine.category);
  assert.deepEqual(
    record.messages.map((m) => m.text),
    ['Je veux résilier, ça suffit'],
  );
  assert.match(stderr, /1 corrected ticket/);
  await dir.remove();
});
