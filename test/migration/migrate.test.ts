// A json server under continuous signed SMS traffic (bot replies and analytics on, so delivery states and labels
// change) is migrated to DynamoDB (dynalite) with `migrate --follow` alongside; the first migrate is SIGKILLed
// midway and started again. Cut-over: writes paused (webhooks answer 503 store_read_only + Retry-After), the stop file
// ends the follower, --verify passes. A server on DynamoDB then holds every acked message exactly once and exports the
// same CSV; the refused webhook is accepted there. A tampered item makes --verify-only fail naming it.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio.js';
import { kill } from '../helpers/child.js';
import { storedExternalIdCounts } from '../helpers/counts.js';
import { startDynalite, type DynaliteHandle } from '../helpers/dynalite.js';
import { tempDir } from '../helpers/tmp.js';
import { PROCESS_API_TOKEN, startFreeda, type FreedaProcess } from '../durability/freeda-process.js';
import { newMessageSid, sendSms, twilioEnv } from '../durability/twilio-sms.js';
import { freeda } from './cli-io.js';

const auth = { authorization: `Bearer ${PROCESS_API_TOKEN}` };

function startMigrate(env: Record<string, string>, args: string[]): { proc: ChildProcess; err: () => string; exit: Promise<unknown> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'migrate', ...args], {
    env: { ...process.env, ...env, LOG_LEVEL: 'warn', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return { proc, err: () => err, exit: once(proc, 'exit') };
}

async function until(check: () => boolean, what: string, detail: () => string = () => '', timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${detail()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const csvRows = async (url: string) => (await (await fetch(url + '/export/csv', { headers: auth })).text()).trim().split('\n').sort();

describe('migrate json → DynamoDB under traffic', () => {
  let dyn: DynaliteHandle;
  let twilio: FakeTwilio;
  const cleanup: (() => Promise<unknown>)[] = [];
  before(async () => {
    dyn = await startDynalite({ table: 'freeda-migrate' });
    twilio = await startFakeTwilio();
  });
  after(async () => {
    for (const c of cleanup.reverse()) await c().catch(() => undefined);
    await twilio.close();
    await dyn.stop();
  });

  it('copies, follows, cuts over with 503s, verifies; the DynamoDB server has every acked message once', async () => {
    const data = await tempDir('freeda-migrate-');
    cleanup.push(() => data.remove());
    const dynamoEnv = {
      DYNAMODB_TABLE: 'freeda-migrate',
      DYNAMODB_ENDPOINT: dyn.endpoint,
      AWS_REGION: dyn.region,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    // Small journals: the follower crosses compactions (journal rotations) while traffic flows.
    const jsonEnv = { ...twilioEnv(twilio.url), ...dynamoEnv, DATA_DIR: data.path, STORAGE_TYPE: 'json', JOURNAL_COMPACT_BYTES: '1500000' };
    const old: FreedaProcess = await startFreeda(jsonEnv);
    cleanup.push(() => kill(old, 'SIGTERM'));

    const acked = new Set<string>();
    let sent = 0;
    const send = async (i: number) => {
      const sid = newMessageSid();
      const res = await sendSms(old, {
        sid,
        from: `+3361200${String(i % 25).padStart(4, '0')}`,
        body: `Bonjour, ma facture ${i} est fausse`,
      });
      if (res.status === 200) acked.add(sid);
      return { sid, res };
    };
    for (; sent < 30; sent++) await send(sent);

    let traffic = true;
    const flow = (async () => {
      while (traffic) {
        await send(sent++);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();

    const stopFile = join(data.path, 'cutover.now');
    const args = ['--to', 'dynamodb', '--follow', '--verify', '--stop-file', stopFile, '--interval-ms', '100'];
    const first = startMigrate(jsonEnv, args);
    await until(() => /migrate: following/.test(first.err()), 'the first migrate to follow', first.err);
    await until(() => /changes applied \([1-9]/.test(first.err()), 'the first migrate to apply a change', first.err);
    first.proc.kill('SIGKILL');
    await first.exit;

    const second = startMigrate(jsonEnv, args);
    cleanup.push(() => Promise.resolve(second.proc.kill('SIGKILL')));
    await until(() => /resuming a migration/.test(second.err()), 'the second migrate to resume', second.err);
    await until(() => /migrate: following/.test(second.err()), 'the second migrate to follow', second.err);
    const before = sent;
    await until(() => sent > before + 40, 'more traffic during the follow');
    traffic = false;
    await flow;

    // Cut-over: pause writes on the old instance; a webhook now is refused with 503 and Retry-After.
    const paused = await fetch(old.url + '/admin/read-only', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ read_only: true }),
    });
    assert.equal(paused.status, 200);
    assert.deepEqual(((await paused.json()) as { read_only: boolean; drained: boolean }).drained, true);
    const refused = await send(10_000);
    assert.equal(refused.res.status, 503);
    assert.equal(refused.res.retryAfter, '5');
    assert.match(refused.res.body, /store_read_only/);
    const unauth = await fetch(old.url + '/admin/read-only', { method: 'POST', body: '{"read_only":false}' });
    assert.equal(unauth.status, 401);

    await writeFile(stopFile, 'now\n');
    await second.exit;
    assert.equal(second.proc.exitCode, 0, second.err());
    assert.match(second.err(), /stop requested/);
    assert.match(second.err(), /verify: OK: \d+ tickets/);
    assert.match(second.err(), /journal.*compacted away|following: [1-9]\d* changes/); // it did follow

    // The new instance on DynamoDB: every acked message exactly once, the same CSV row for row.
    const fresh = await startFreeda({
      ...twilioEnv(twilio.url),
      ...dynamoEnv,
      DATA_DIR: data.path,
      STORAGE_TYPE: 'dynamodb',
      ENABLE_CHATBOT: 'false',
      ENABLE_AUTO_ANALYTICS: 'false',
    });
    cleanup.push(() => kill(fresh, 'SIGTERM'));
    const counts = await storedExternalIdCounts(fresh.url);
    for (const sid of acked) assert.equal(counts.get(sid), 1, `acked ${sid} stored once`);
    assert.ok(acked.size >= 70, `traffic was acked (${acked.size})`);
    assert.deepEqual(await csvRows(fresh.url), await csvRows(old.url));
    // The provider retries the refused webhook: the new instance takes it.
    const retried = await sendSms(
      { url: fresh.url, publicUrl: fresh.publicUrl },
      { sid: refused.sid, from: '+33612000001', body: 'retry' },
    );
    assert.equal(retried.status, 200);

    // A deliberately altered item: verify fails and names it.
    const client = dyn.makeClient();
    cleanup.push(() => Promise.resolve(client.destroy()));
    const doc = DynamoDBDocumentClient.from(client);
    const someTicket = (await (await fetch(old.url + '/tickets?limit=1', { headers: auth })).json()) as { items: { ticket_id: string }[] };
    const ticketId = someTicket.items[0].ticket_id;
    const items = await client.send(
      new QueryCommand({
        TableName: 'freeda-migrate',
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :m)',
        ExpressionAttributeValues: { ':pk': { S: `T#${ticketId}` }, ':m': { S: 'M#' } },
      }),
    );
    const messageSk = items.Items![0].sk.S!;
    await doc.send(
      new UpdateCommand({
        TableName: 'freeda-migrate',
        Key: { pk: `T#${ticketId}`, sk: messageSk },
        UpdateExpression: 'SET #m.#t = :t',
        ExpressionAttributeNames: { '#m': 'message', '#t': 'text' },
        ExpressionAttributeValues: { ':t': 'altered' },
      }),
    );
    const check = await freeda(['migrate', '--to', 'dynamodb', '--verify-only'], jsonEnv);
    assert.equal(check.code, 1, check.err);
    assert.ok(check.err.includes(`verify: DIFFERENT: message ${ticketId}/${messageSk.slice(2)}: differs`), check.err);
  });
});
