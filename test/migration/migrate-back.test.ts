// The way back: a DynamoDB store migrated to a new json DATA_DIR (--verify passes, the json store then backs up to the
// same records); a non-empty target that no migration started is refused; a same-type move is refused.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startDynalite, type DynaliteHandle } from '../helpers/dynalite.js';
import { tempDir } from '../helpers/tmp.js';
import { body, freeda } from './cli-io.js';
import { seedJsonStore } from './seed.js';

describe('migrate DynamoDB → json', () => {
  let dyn: DynaliteHandle;
  const dirs: { remove(): Promise<void> }[] = [];
  before(async () => {
    dyn = await startDynalite({ table: 'freeda-back' });
  });
  after(async () => {
    await dyn.stop();
    for (const d of dirs) await d.remove();
  });
  const dir = async () => {
    const d = await tempDir('freeda-back-');
    dirs.push(d);
    return d.path;
  };

  it('copies and verifies; refuses a foreign non-empty target and a same-type move', async () => {
    const seed = await dir();
    await seedJsonStore(seed, 10);
    const work = await dir();
    assert.equal((await freeda(['backup', '--out', join(work, 'a.jsonl')], { DATA_DIR: seed })).code, 0);
    const dynamo = { STORAGE_TYPE: 'dynamodb', DYNAMODB_TABLE: 'freeda-back', DYNAMODB_ENDPOINT: dyn.endpoint, AWS_REGION: dyn.region };
    const blobsDir = await dir();
    assert.equal((await freeda(['restore', join(work, 'a.jsonl')], { ...dynamo, DATA_DIR: blobsDir })).code, 0);

    const back = await dir();
    const moved = await freeda(['migrate', '--to', 'json', '--data-dir', back, '--verify'], { ...dynamo, DATA_DIR: blobsDir });
    assert.equal(moved.code, 0, moved.err);
    assert.match(moved.err, /verify: OK: 10 tickets/);
    assert.equal((await freeda(['backup', '--out', join(work, 'b.jsonl')], { DATA_DIR: back })).code, 0);
    assert.equal(body(await readFile(join(work, 'b.jsonl'), 'utf8')), body(await readFile(join(work, 'a.jsonl'), 'utf8')));

    const foreign = await freeda(['migrate', '--to', 'json', '--data-dir', seed], { ...dynamo, DATA_DIR: blobsDir });
    assert.equal(foreign.code, 1);
    assert.match(foreign.err, /refused: the json store in .* is not empty/);
    const same = await freeda(['migrate', '--to', 'dynamodb'], { ...dynamo, DATA_DIR: blobsDir });
    assert.equal(same.code, 2);
  });
});
