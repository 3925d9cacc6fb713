// The way back: a DynamoDB store migrated to a new json DATA_DIR (--verify passes, the json store then backs up to the
// same records, agents, tokens, audit, canned replies and profiles included, and the agent signs in there); verify counts
// every kind and fails naming a generic record that differs; a non-empty target that no migration started is
// refused; a same-type move is refused.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createJsonStore } from '../../src/storage/json/store.js';
import { startDynalite, type DynaliteHandle } from '../helpers/dynalite.js';
import { capturingLogger } from '../helpers/logger.js';
import { tempDir } from '../helpers/tmp.js';
import { body, freeda } from './cli-io.js';
import { seedJsonStore } from './seed.js';
import { checkCarried } from './seed-workspace.js';

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
    const carried = await seedJsonStore(seed, 10);
    const work = await dir();
    assert.equal((await freeda(['backup', '--out', join(work, 'a.jsonl')], { DATA_DIR: seed })).code, 0);
    const dynamo = { STORAGE_TYPE: 'dynamodb', DYNAMODB_TABLE: 'freeda-back', DYNAMODB_ENDPOINT: dyn.endpoint, AWS_REGION: dyn.region };
    const blobsDir = await dir();
    assert.equal((await freeda(['restore', join(work, 'a.jsonl')], { ...dynamo, DATA_DIR: blobsDir })).code, 0);

    const back = await dir();
    const moved = await freeda(['migrate', '--to', 'json', '--data-dir', back, '--verify'], { ...dynamo, DATA_DIR: blobsDir });
    assert.equal(moved.code, 0, moved.err);
    assert.match(moved.err, /verify: OK: 10 tickets/);
    for (const line of [
      'verify: canned replies: 2 in the source, 2 in the target',
      'verify: contact profiles: 2 in the source, 2 in the target',
      'verify: records agent: 3 in the source, 3 in the target',
      'verify: records agent_email: 3 in the source, 3 in the target',
      'verify: records api_token: 1 in the source, 1 in the target',
      'verify: records key: 1 in the source, 1 in the target',
      'verify: records session: 1 in the source, 1 in the target',
    ])
      assert.ok(moved.err.includes(line), `${line}\n${moved.err}`);
    assert.match(moved.err, /verify: records audit: (\d+) in the source, \1 in the target/);
    const a = await readFile(join(work, 'a.jsonl'), 'utf8');
    assert.equal((await freeda(['backup', '--out', join(work, 'b.jsonl')], { DATA_DIR: back })).code, 0);
    assert.equal(body(await readFile(join(work, 'b.jsonl'), 'utf8')), body(a));

    // One generic record altered in the source (an agent's role): verify fails and names it.
    const agentLine = a.split('\n').find((l) => l.includes('"kind":"agent"') && l.includes(carried.email))!;
    const agent = (JSON.parse(agentLine) as { record: { key: string; data: Record<string, unknown> } }).record;
    const client = dyn.makeClient();
    try {
      await DynamoDBDocumentClient.from(client).send(
        new UpdateCommand({
          TableName: 'freeda-back',
          Key: { pk: 'R#agent', sk: agent.key },
          UpdateExpression: 'SET #d = :d',
          ExpressionAttributeNames: { '#d': 'data' },
          ExpressionAttributeValues: { ':d': JSON.stringify({ ...agent.data, role: 'admin' }) },
        }),
      );
    } finally {
      client.destroy();
    }
    const check = await freeda(['migrate', '--to', 'json', '--data-dir', back, '--verify-only'], { ...dynamo, DATA_DIR: blobsDir });
    assert.equal(check.code, 1, check.err);
    assert.ok(check.err.includes(`verify: DIFFERENT: record agent/${agent.key}: differs`), check.err);

    // The json copy is usable: the agent signs in, its tokens and session work, canned replies and profiles are there.
    const store = createJsonStore({ dataDir: back, logger: capturingLogger() });
    await store.open();
    try {
      await checkCarried(store, carried);
    } finally {
      await store.close();
    }

    const foreign = await freeda(['migrate', '--to', 'json', '--data-dir', seed], { ...dynamo, DATA_DIR: blobsDir });
    assert.equal(foreign.code, 1);
    assert.match(foreign.err, /refused: the json store in .* is not empty/);
    const same = await freeda(['migrate', '--to', 'dynamodb'], { ...dynamo, DATA_DIR: blobsDir });
    assert.equal(same.code, 2);
  });
});
