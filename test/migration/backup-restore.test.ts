// backup → restore → backup across json → DynamoDB (dynalite) → json is byte-identical after the header, agents,
// tokens, sessions, audit, the JWT key, canned replies and contact profiles included (and usable: the agent logs in on
// the restored store, its tokens work, search answers); restore
// refuses a non-empty store, is a no-op when re-run after success, resumes after a SIGKILL mid-restore, and refuses a
// cut or altered file before writing anything.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { ensureTable } from '../../src/storage/dynamodb/table.js';
import { createJsonStore } from '../../src/storage/json/store.js';
import { dynamoStoreOn, startDynalite, type DynaliteHandle } from '../helpers/dynalite.js';
import { capturingLogger } from '../helpers/logger.js';
import { tempDir } from '../helpers/tmp.js';
import { body, freeda } from './cli-io.js';
import { seedJsonStore } from './seed.js';
import { type Carried, checkCarried } from './seed-workspace.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

describe('backup and restore', () => {
  let dyn: DynaliteHandle;
  const dirs: { remove(): Promise<void> }[] = [];
  before(async () => {
    dyn = await startDynalite({ table: 'freeda-restore' });
  });
  after(async () => {
    await dyn.stop();
    for (const d of dirs) await d.remove();
  });
  const dir = async () => {
    const d = await tempDir('freeda-backup-');
    dirs.push(d);
    return d.path;
  };
  const dynEnv = (table: string, dataDir: string) => ({
    STORAGE_TYPE: 'dynamodb',
    DYNAMODB_TABLE: table,
    DYNAMODB_ENDPOINT: dyn.endpoint,
    AWS_REGION: dyn.region,
    DATA_DIR: dataDir,
  });
  const newTable = async (name: string) => {
    const client = dyn.makeClient();
    await ensureTable(client, name, silent);
    client.destroy();
  };

  const checkJson = async (dataDir: string, carried: Carried) => {
    const store = createJsonStore({ dataDir, logger: capturingLogger() });
    await store.open();
    try {
      await checkCarried(store, carried);
    } finally {
      await store.close();
    }
  };

  it('json → backup → DynamoDB → backup → json → backup: the same bytes after the header', async () => {
    const source = await dir();
    const carried = await seedJsonStore(source);
    const work = await dir();
    const a = await freeda(['backup', '--out', join(work, 'a.jsonl')], { DATA_DIR: source });
    assert.equal(a.code, 0, a.err);
    assert.match(a.err, /backup: done: 12 tickets, \d+ messages/);
    const first = await readFile(join(work, 'a.jsonl'), 'utf8');
    const header = JSON.parse(first.split('\n')[0]) as Record<string, unknown>;
    assert.equal(header.format, 'freeda-backup');
    assert.equal(header.source, 'json');
    assert.match(String(header.high_water), /^journal-\d{8}\.jsonl:\d+$/);
    assert.equal(header.version, 2);
    const kinds = first
      .trimEnd()
      .split('\n')
      .slice(1, -1)
      .map((line) => {
        const r = JSON.parse(line) as { kind: string; record?: { kind: string } };
        return r.kind === 'record' ? `record ${r.record!.kind}` : r.kind;
      });
    // Canonical order: tickets with their messages and dedup keys, then each side kind in turn, blobs last.
    const order = [...new Set(kinds.map((k) => (['message', 'dedup'].includes(k) ? 'ticket' : k)))];
    assert.deepEqual(order, [
      'ticket',
      'contact',
      'provider_id',
      'canned_reply',
      'contact_profile',
      'record agent',
      'record agent_email',
      'record api_token',
      'record audit',
      'record key',
      'record refresh_token',
      'record session',
      'blob',
    ]);
    assert.equal(kinds.filter((k) => k === 'canned_reply').length, 2, 'the deleted canned reply is not in the backup');
    assert.equal(kinds.filter((k) => k === 'record agent').length, 3);
    assert.match(a.err, /2 canned replies, 2 contact profiles, records: 3 agent, 3 agent_email, 1 api_token, \d+ audit, 1 key/);

    const dynDir = await dir();
    const restored = await freeda(['restore', join(work, 'a.jsonl')], dynEnv('freeda-restore', dynDir));
    assert.equal(restored.code, 0, restored.err);
    const b = await freeda(['backup', '--out', join(work, 'b.jsonl')], dynEnv('freeda-restore', dynDir));
    assert.equal(b.code, 0, b.err);
    const second = await readFile(join(work, 'b.jsonl'), 'utf8');
    assert.equal((JSON.parse(second.split('\n')[0]) as { source: string }).source, 'dynamodb');
    assert.equal(body(second), body(first));

    const back = await dir();
    assert.equal((await freeda(['restore', join(work, 'b.jsonl')], { DATA_DIR: back })).code, 0);
    assert.equal((await freeda(['backup', '--out', join(work, 'c.jsonl')], { DATA_DIR: back })).code, 0);
    assert.equal(body(await readFile(join(work, 'c.jsonl'), 'utf8')), body(first));

    // Usable, not only present: on the DynamoDB copy and on the json copy (after their backups: this writes).
    const client = dyn.makeClient();
    const dynStore = dynamoStoreOn(dyn, client);
    await dynStore.open();
    try {
      await checkCarried(dynStore, carried);
    } finally {
      await dynStore.close();
      client.destroy();
    }
    await checkJson(back, carried);

    // Re-run after success: nothing to do. Another backup into the now non-empty store: refused, nothing written.
    const again = await freeda(['restore', join(work, 'b.jsonl')], { DATA_DIR: back });
    assert.equal(again.code, 0);
    assert.match(again.err, /already restored/);
    const other = await dir();
    await seedJsonStore(other, 2);
    assert.equal((await freeda(['backup', '--out', join(work, 'other.jsonl')], { DATA_DIR: other })).code, 0);
    const refused = await freeda(['restore', join(work, 'other.jsonl')], { DATA_DIR: back });
    assert.equal(refused.code, 1);
    assert.match(refused.err, /refused: the json store in .* is not empty/);
    assert.equal(body(await readFile(join(work, 'c.jsonl'), 'utf8')), body(first));
  });

  it('a cut or altered backup is refused before anything is written', async () => {
    const source = await dir();
    await seedJsonStore(source, 3);
    const work = await dir();
    assert.equal((await freeda(['backup', '--out', join(work, 'a.jsonl')], { DATA_DIR: source })).code, 0);
    const text = await readFile(join(work, 'a.jsonl'), 'utf8');
    const lines = text.trimEnd().split('\n');
    await writeFile(join(work, 'cut.jsonl'), lines.slice(0, -3).join('\n') + '\n');
    await writeFile(join(work, 'altered.jsonl'), text.replace('Réponse 1', 'Réponse 9'));
    for (const name of ['cut.jsonl', 'altered.jsonl']) {
      const target = await dir();
      const r = await freeda(['restore', join(work, name)], { DATA_DIR: target });
      assert.equal(r.code, 1, name);
      assert.match(r.err, name === 'cut.jsonl' ? /end line is missing/ : /do not match the end line/);
      assert.match(r.err, /nothing was written/);
    }
  });

  for (const kind of ['dynamodb', 'json'] as const)
    it(`restore into ${kind} killed with SIGKILL midway, run again: finishes, same backup`, async () => {
      const source = await dir();
      await seedJsonStore(source, kind === 'dynamodb' ? 80 : 150);
      const work = await dir();
      assert.equal((await freeda(['backup', '--out', join(work, 'a.jsonl')], { DATA_DIR: source })).code, 0);
      const table = `freeda-crash-${kind}`;
      if (kind === 'dynamodb') await newTable(table);
      const targetDir = await dir();
      const env = kind === 'dynamodb' ? dynEnv(table, targetDir) : { STORAGE_TYPE: 'json', DATA_DIR: targetDir };
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'restore', join(work, 'a.jsonl')], {
        env: { ...process.env, ...env, LOG_LEVEL: 'silent', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const exited = once(child, 'exit');
      // Kill once some tickets are in the target, well before the end.
      const client = dyn.makeClient();
      for (;;) {
        await new Promise((r) => setTimeout(r, 20));
        const written =
          kind === 'dynamodb'
            ? ((await client.send(new ScanCommand({ TableName: table, Select: 'COUNT' }))).Count ?? 0)
            : (await readFile(join(targetDir, 'journal-00000001.jsonl'), 'utf8').catch(() => '')).split('\n').length - 1;
        if (written >= (kind === 'dynamodb' ? 60 : 20)) break;
        if (child.exitCode !== null) break;
      }
      client.destroy();
      child.kill('SIGKILL');
      await exited;
      assert.equal(child.signalCode, 'SIGKILL', `killed before finishing (stderr: ${err})`);

      const rerun = await freeda(['restore', join(work, 'a.jsonl')], env);
      assert.equal(rerun.code, 0, rerun.err);
      assert.match(rerun.err, /resuming an interrupted restore/);
      assert.match(rerun.err, /already there/);
      assert.equal((await freeda(['backup', '--out', join(work, 'b.jsonl')], env)).code, 0);
      assert.equal(body(await readFile(join(work, 'b.jsonl'), 'utf8')), body(await readFile(join(work, 'a.jsonl'), 'utf8')));
    });
});
