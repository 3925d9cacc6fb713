// Issue #14 item 2: `.env` in the working directory is read at start; a variable set in the environment wins over it.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { loadDotEnv } from '../../src/config.js';
import { startMain } from '../helpers/main-process.js';
import { tempDir } from '../helpers/tmp.js';

test('loadDotEnv: file keys fill what the environment leaves unset; the environment wins; no file is fine', async () => {
  const dir = await tempDir('freeda-dotenv-');
  try {
    const path = join(dir.path, '.env');
    await writeFile(path, '# comment\nPORT=9100\nLOG_LEVEL=debug\nAPI_TOKENS="a,b"\nEMPTY=\n');
    const env: NodeJS.ProcessEnv = { PORT: '8123' };
    const taken = loadDotEnv(path, env);
    assert.deepEqual(taken?.sort(), ['API_TOKENS', 'EMPTY', 'LOG_LEVEL']);
    assert.equal(env.PORT, '8123');
    assert.equal(env.LOG_LEVEL, 'debug');
    assert.equal(env.API_TOKENS, 'a,b');
    assert.equal(loadDotEnv(join(dir.path, 'missing.env'), env), null);
  } finally {
    await dir.remove();
  }
});

test('the server started in a directory with a .env uses it (API token, DATA_DIR), environment first', async () => {
  const dir = await tempDir('freeda-dotenv-');
  const env: NodeJS.ProcessEnv = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  delete env.API_TOKENS;
  delete env.DATA_DIR;
  // LOG_LEVEL=silent in the file, info in the environment: the listening line shows the environment won.
  await writeFile(join(dir.path, '.env'), 'API_TOKENS=from-dotenv\nDATA_DIR=./dotenv-data\nLOG_LEVEL=silent\nPORT=1\n');
  const server = await startMain({ env, cwd: dir.path, command: [process.execPath, resolve('src/bin.js'), 'serve'] });
  try {
    const res = await fetch(`${server.url}/tickets`, { headers: { authorization: 'Bearer from-dotenv' } });
    assert.equal(res.status, 200);
    assert.ok((await stat(join(dir.path, 'dotenv-data'))).isDirectory());
  } finally {
    await server.stop();
    await dir.remove();
  }
});
