// Issue #14 "must show": the README's quick-start and CSV commands, read from README.md itself (the sh blocks after
// <!-- readme-test:quick-start --> and <!-- readme-test:csv -->), run by bash against a server started with `npm start`.
// Only the address (localhost:8000 → the test's port) and the data directory (data/ → a temp DATA_DIR) are replaced;
// the `npm start &` line is the server this test started.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { startMain } from '../helpers/main-process.js';
import { tempDir } from '../helpers/tmp.js';

/** The first ```sh block after `<!-- readme-test:<name> -->`. */
export function readmeBlock(readme: string, name: string): string {
  const marker = readme.indexOf(`<!-- readme-test:${name} -->`);
  assert.ok(marker >= 0, `README.md has no <!-- readme-test:${name} --> marker`);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(marker));
  assert.ok(block, `no sh block after the ${name} marker`);
  return block[1];
}

test("the README's quick-start and CSV commands work as written", async () => {
  const readme = await readFile('README.md', 'utf8');
  const quickStart = readmeBlock(readme, 'quick-start');
  const csv = readmeBlock(readme, 'csv');
  assert.match(quickStart, /^npm start &/m, 'the quick start starts the server with npm start');
  assert.match(csv, /--data-urlencode/, 'the CSV example encodes its query');

  const dataDir = await tempDir('freeda-readme-data-');
  const work = await tempDir('freeda-readme-work-');
  const env: NodeJS.ProcessEnv = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', DATA_DIR: dataDir.path };
  delete env.API_TOKENS; // as a newcomer: the token is generated and read from the data directory
  const server = await startMain({ env, command: ['npm', 'start'] });
  try {
    const adapt = (commands: string) =>
      commands
        .split('\n')
        .filter((line) => !/^npm start &/.test(line))
        .join('\n')
        .replaceAll('localhost:8000', `127.0.0.1:${server.port}`)
        .replaceAll('data/', `${dataDir.path}/`);
    const script = ['set -euo pipefail', adapt(quickStart), `cd ${JSON.stringify(work.path)}`, adapt(csv)].join('\n');
    const bash = spawn('bash', ['-c', script], { env: { ...env, PORT: String(server.port) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    bash.stdout.on('data', (d) => (out += d));
    bash.stderr.on('data', (d) => (out += d));
    const [code] = (await once(bash, 'exit')) as [number | null];
    assert.equal(code, 0, `the README commands failed:\n${script}\n---\n${out}`);
    assert.match(out, /"items":\[\{"ticket_id"/, 'GET /tickets lists the simulated chat ticket');
    const file = await readFile(join(work.path, 'tickets.csv'), 'utf8');
    const [header, ...rows] = file.trim().split(/\r?\n/);
    assert.match(header, /^ticket_id,created_at,closed_at,status,channel,sentiment,category,urgency,summary,messages_count,/);
    assert.ok(rows.length >= 1, `tickets.csv has no row:\n${file}`);
    assert.match(rows[0], /,en cours,chat,/);
    assert.ok(out.includes(header), '`head -3 tickets.csv` printed the header');
  } finally {
    await server.stop();
    await dataDir.remove();
    await work.remove();
  }
});
