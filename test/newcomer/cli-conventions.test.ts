// Issue #14 conventions: `freeda --version`, and `freeda <command> --help` for every command (exit 0, usage on stdout,
// nothing started: no configuration is even read).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { COMMAND_HELP, runCli } from '../../src/cli.js';
import type { Config } from '../../src/config.js';

async function run(argv: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const noConfig = (): Config => {
    throw new Error('the configuration must not be read for --help / --version');
  };
  const code = await runCli(argv, { stdin: new PassThrough(), stdout, stderr }, noConfig);
  return { code, out, err };
}

test('freeda --version prints the package version', async () => {
  const { version } = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
  for (const flag of ['--version', '-v']) {
    const { code, out } = await run([flag]);
    assert.equal(code, 0);
    assert.equal(out, `freeda ${version}\n`);
  }
});

test('every command of the usage has --help (and -h)', async () => {
  const usage = (await run(['--help'])).out;
  const commands = [...usage.matchAll(/^ {2}([a-z:-]+)/gm)].map((m) => m[1]);
  assert.deepEqual(commands.sort(), Object.keys(COMMAND_HELP).sort(), 'the usage lists exactly the commands that have a help text');
  for (const command of commands) {
    for (const flag of ['--help', '-h']) {
      const { code, out, err } = await run([command, flag]);
      assert.equal(code, 0, `${command} ${flag}: ${err}`);
      assert.match(out, new RegExp(`^usage: freeda ${command}\\b`), command);
    }
  }
  // Help after other arguments too.
  assert.equal((await run(['simulate', 'sms', '--help'])).code, 0);
});
