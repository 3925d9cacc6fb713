// `freeda dynamodb:create-table` end to end (real CLI entry, real config parsing, dynalite), and the start-up
// error of a server pointed at a table that does not exist.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../src/cli.js';
import { parseConfig } from '../../src/config.js';
import { startApp } from '../helpers/app.js';
import { startDynalite, type DynaliteHandle } from '../helpers/dynalite.js';

function captureIo() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (c: Buffer) => out.push(c.toString()));
  stderr.on('data', (c: Buffer) => err.push(c.toString()));
  return { io: { stdin: new PassThrough(), stdout, stderr }, out: () => out.join(''), err: () => err.join('') };
}

describe('dynamodb: create-table command and start-up check', () => {
  let dyn: DynaliteHandle;
  before(async () => {
    dyn = await startDynalite({ table: 'freeda-cli', createTable: false });
  });
  after(async () => {
    await dyn.stop();
  });

  const env = () => ({
    STORAGE_TYPE: 'dynamodb',
    DYNAMODB_TABLE: 'freeda-cli',
    DYNAMODB_ENDPOINT: dyn.endpoint,
    AWS_REGION: dyn.region,
    LOG_LEVEL: 'silent',
  });

  it('a server on a missing table refuses to start and names the command; the command creates it once', async () => {
    await assert.rejects(startApp({ env: env() }), /freeda-cli" does not exist.*dynamodb:create-table/);

    const first = captureIo();
    assert.equal(await runCli(['dynamodb:create-table'], first.io, () => parseConfig(env())), 0);
    assert.match(first.out(), /freeda-cli: created/);
    const second = captureIo();
    assert.equal(await runCli(['dynamodb:create-table'], second.io, () => parseConfig(env())), 0);
    assert.match(second.out(), /freeda-cli: already exists/);

    const app = await startApp({ env: env() });
    const ready = await fetch(app.url + '/readyz');
    assert.equal(ready.status, 200);
    await app.stop();
  });
});
