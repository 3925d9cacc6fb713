// After `npm run build` (.ci/run runs this; it is not a *.test.ts because it needs dist/): the production entry
// `node dist/main.js` runs without any TypeScript loader — --version, then `serve` on port 0 from another working
// directory: the pages and their assets are served, a web-chat visitor's message is stored, the CSV has its row.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { startMain } from '../helpers/main-process.js';
import { tempDir } from '../helpers/tmp.js';
import { connectWs } from '../helpers/ws-client.js';

const DIST_MAIN = resolve('dist/main.js');
const env = { PATH: process.env.PATH, API_TOKENS: 'dist-token', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

test('node dist/main.js: --version and serve, without tsx', async () => {
  const version = spawnSync(process.execPath, [DIST_MAIN, '--version'], { env, encoding: 'utf8' });
  assert.equal(version.status, 0, version.stderr);
  assert.match(version.stdout, /^freeda \d+\.\d+\.\d+/);

  const dir = await tempDir('freeda-dist-');
  // No --import, no NODE_OPTIONS: plain node on the compiled files.
  const server = await startMain({ env: { ...env, DATA_DIR: dir.path }, command: [process.execPath, DIST_MAIN, 'serve'], cwd: dir.path });
  try {
    for (const path of ['/chat', '/agent', '/static/chat.js', '/healthz']) {
      assert.equal((await fetch(server.url + path)).status, 200, path);
    }
    const ws = await connectWs(server.url.replace(/^http/, 'ws') + '/ws');
    ws.send({ type: 'hello' });
    await ws.next((f) => f.type === 'welcome');
    ws.send({ type: 'message', client_id: 'dist-1', text: 'Bonjour, ma facture est fausse' });
    const ack = await ws.next((f) => f.type === 'message.ack');
    await ws.close();
    const csv = await (await fetch(`${server.url}/export/csv`, { headers: { authorization: 'Bearer dist-token' } })).text();
    assert.match(csv, /^ticket_id,created_at,/);
    assert.ok(csv.includes(ack.ticket_id!), csv);
  } finally {
    await server.stop();
    await dir.remove();
  }
});
