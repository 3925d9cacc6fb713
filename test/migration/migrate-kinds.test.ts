// `migrate --follow` carries changes to the accounts and the workspace, not only tickets, both ways: while it follows a
// json store (or a DynamoDB table), an agent is added, an agent signs in (session, audit, last_login_at), a canned reply is deleted and a contact
// profile edited. After the stop, --verify passes with the counts per kind, and the copy answers with the new state: the new agent signs in there, the deleted reply is gone, the profile has its new version.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createAuth } from '../../src/auth/service.js';
import { ensureTable } from '../../src/storage/dynamodb/table.js';
import { createJsonStore } from '../../src/storage/json/store.js';
import type { RecordStore } from '../../src/storage/records.js';
import type { TicketStore } from '../../src/storage/types.js';
import { dynamoStoreOn, startDynalite, type DynaliteHandle } from '../helpers/dynalite.js';
import { capturingLogger } from '../helpers/logger.js';
import { tempDir } from '../helpers/tmp.js';
import { freeda } from './cli-io.js';
import { seedJsonStore } from './seed.js';
import type { Carried } from './seed-workspace.js';

const authOn = (records: Parameters<typeof createAuth>[0]['records']) =>
  createAuth({ records, apiTokens: [], accessTtlSeconds: 3600, refreshTtlDays: 30, now: () => new Date() });

async function until(check: () => boolean, what: string, detail: () => string, timeoutMs = 120_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${detail()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('migrate --follow carries agents, sessions, audit and the workspace', () => {
  let dyn: DynaliteHandle;
  let proc: ChildProcess | null = null;
  const dirs: { remove(): Promise<void> }[] = [];
  before(async () => {
    dyn = await startDynalite({ table: 'freeda-kinds' });
  });
  after(async () => {
    proc?.kill('SIGKILL');
    await dyn.stop();
    for (const d of dirs) await d.remove();
  });

  const NEW_PASSWORD = 'nouvel-agent-mot-de-passe';

  /** What happens on the source while migrate follows it. */
  async function changeDuringFollow(store: TicketStore & RecordStore, carried: Carried): Promise<void> {
    const auth = authOn(store);
    await auth.agents.create({ email: 'nouveau@example.fr', name: 'Nouveau', role: 'agent', password: NEW_PASSWORD });
    await auth.login(carried.email, carried.password, '10.0.0.1');
    const facture = (await store.listCannedReplies()).find((r) => r.shortcut === 'facture')!;
    await store.putCannedReply({ ...facture, deleted: true, updated_at: new Date().toISOString() });
    await store.updateContactProfile(carried.contactId, (p) => ({ ...p, name: 'Client Zéro (VIP)' }), new Date().toISOString());
  }

  /** The copy holds the new state and it is usable (this writes to it). */
  async function checkFollowed(store: TicketStore & RecordStore, carried: Carried): Promise<void> {
    assert.deepEqual(
      (await store.listCannedReplies()).map((r) => r.shortcut),
      ['bonjour'],
    );
    assert.equal((await store.getContactProfile(carried.contactId))?.name, 'Client Zéro (VIP)');
    const auth = authOn(store);
    assert.equal((await auth.login('nouveau@example.fr', NEW_PASSWORD, '10.0.0.2')).agent.name, 'Nouveau');
    const agent = await auth.agents.byEmail(carried.email);
    assert.ok(agent?.last_login_at, 'the sign-in during the follow moved last_login_at in the copy');
    const audit = await auth.audit.list(100, null);
    assert.ok(
      audit.items.some((e) => e.action === 'login' && e.ip === '10.0.0.1'),
      'the audit entry of the followed sign-in',
    );
  }

  /** migrate --follow --verify in a child process; `during` runs once it follows; resolves with its stderr. */
  async function followWhile(env: Record<string, string>, args: string[], stopFile: string, during: () => Promise<void>): Promise<string> {
    proc = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/main.ts', 'migrate', ...args, '--follow', '--verify', '--stop-file', stopFile, '--interval-ms', '100'],
      {
        env: { ...process.env, ...env, LOG_LEVEL: 'warn', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let err = '';
    proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const exited = once(proc, 'exit');
    await until(
      () => /migrate: following/.test(err),
      'the follow',
      () => err,
    );
    await during();
    await until(
      () => /following: [1-9]\d* changes applied/.test(err),
      'the changes to be followed',
      () => err,
    );
    await writeFile(stopFile, 'now\n');
    await exited;
    assert.equal(proc.exitCode, 0, err);
    assert.ok(err.includes('verify: records agent: 4 in the source, 4 in the target'), err);
    assert.ok(err.includes('verify: records session: 2 in the source, 2 in the target'), err);
    assert.ok(err.includes('verify: canned replies: 1 in the source, 1 in the target'), err);
    return err;
  }

  it('json → DynamoDB: changes to records, canned replies and profiles during the follow arrive; verify passes', async () => {
    const data = await tempDir('freeda-kinds-');
    dirs.push(data);
    const carried = await seedJsonStore(data.path, 6);
    const env = {
      STORAGE_TYPE: 'json',
      DATA_DIR: data.path,
      DYNAMODB_TABLE: 'freeda-kinds',
      DYNAMODB_ENDPOINT: dyn.endpoint,
      AWS_REGION: dyn.region,
    };
    const err = await followWhile(env, ['--to', 'dynamodb'], join(data.path, 'cutover.now'), async () => {
      // The json store written meanwhile (migrate reads DATA_DIR without its lock, as beside a running server).
      const store = createJsonStore({ dataDir: data.path, logger: capturingLogger() });
      await store.open();
      try {
        await changeDuringFollow(store, carried);
      } finally {
        await store.close();
      }
    });
    assert.match(err, /verify: OK: 6 tickets/);
    const client = dyn.makeClient();
    const target = dynamoStoreOn(dyn, client);
    await target.open();
    try {
      await checkFollowed(target, carried);
    } finally {
      await target.close();
      client.destroy();
    }
  });

  it('DynamoDB → json: the same changes made on the table during the follow arrive; verify passes', async () => {
    const seed = await tempDir('freeda-kinds-');
    const back = await tempDir('freeda-kinds-');
    dirs.push(seed, back);
    const carried = await seedJsonStore(seed.path, 4);
    const file = join(seed.path, 'a.jsonl');
    assert.equal((await freeda(['backup', '--out', file], { DATA_DIR: seed.path })).code, 0);
    const table = 'freeda-kinds-source';
    const setup = dyn.makeClient();
    await ensureTable(setup, table, capturingLogger());
    setup.destroy();
    const env = {
      STORAGE_TYPE: 'dynamodb',
      DATA_DIR: seed.path,
      DYNAMODB_TABLE: table,
      DYNAMODB_ENDPOINT: dyn.endpoint,
      AWS_REGION: dyn.region,
    };
    const restored = await freeda(['restore', file], env);
    assert.equal(restored.code, 0, restored.err);
    const client = dyn.makeClient();
    const source = dynamoStoreOn(dyn, client, { table });
    await source.open();
    try {
      const err = await followWhile(env, ['--to', 'json', '--data-dir', back.path], join(back.path, 'cutover.now'), () =>
        changeDuringFollow(source, carried),
      );
      assert.match(err, /verify: OK: 4 tickets/);
    } finally {
      await source.close();
      client.destroy();
    }
    const target = createJsonStore({ dataDir: back.path, logger: capturingLogger() });
    await target.open();
    try {
      await checkFollowed(target, carried);
    } finally {
      await target.close();
    }
  });
});
