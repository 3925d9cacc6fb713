// Replay checks every line against its schema: a line replaced by `{}` or with a wrong shape anywhere but a torn tail
// stops the start naming file, line and reason; `freeda store:check` reports the same without starting a server.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { checkDataDir } from '../../src/storage/json/check.js';
import { CorruptStoreError, createJsonStore } from '../../src/storage/json/store.js';
import { kill, spawnServer } from '../helpers/child.js';
import { capturingLogger } from '../helpers/logger.js';
import { tempDir } from '../helpers/tmp.js';
import { inbound, outbound } from './contract.js';

const run = promisify(execFile);

/** `freeda store:check` as a real process: exit code and stdout. */
async function storeCheck(dataDir: string): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/main.ts', 'store:check', '--data-dir', dataDir]);
    return { code: 0, out: stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, out: failed.stdout };
  }
}

/** A DATA_DIR with one journal of `count` lines (a ticket per line, then its reply); returns the journal's path. */
async function journalWith(dataDir: string, compact = false): Promise<string> {
  const store = createJsonStore({ dataDir, logger: capturingLogger() });
  await store.open();
  for (let i = 0; i < 3; i++) {
    const r = await store.ingest(inbound('sms', `+3360000010${i}`, `SM-valid-${i}`, `message ${i}`));
    assert.ok(r.kind === 'stored');
    await store.appendMessage(r.ticket.ticket_id, outbound('agent', `réponse ${i}`));
  }
  if (compact) {
    await store.compact();
    await store.ingest(inbound('sms', '+33600000199', 'SM-valid-late', 'après'));
  }
  await store.close();
  const names = await readdir(dataDir);
  return join(
    dataDir,
    names.find((n) => n.startsWith(compact ? 'snapshot-' : 'journal-'))!,
  );
}

async function replaceLine(path: string, lineNo: number, replacement: (line: string) => string): Promise<void> {
  const lines = (await readFile(path, 'utf8')).split('\n');
  lines[lineNo - 1] = replacement(lines[lineNo - 1]);
  await writeFile(path, lines.join('\n'));
}

async function refusedAt(dataDir: string, file: string, line: number, reason: RegExp): Promise<void> {
  const before = await readFile(file);
  const store = createJsonStore({ dataDir, logger: capturingLogger() });
  await assert.rejects(store.open(), (error: Error) => {
    assert.ok(error instanceof CorruptStoreError, error.message);
    assert.equal(error.problem.file, file);
    assert.equal(error.problem.line, line);
    assert.match(error.message, reason);
    assert.match(error.message, new RegExp(`${file}:${line}: `));
    return true;
  });
  assert.deepEqual(await readFile(file), before, 'nothing was changed');
}

describe('json store: lines checked on replay', () => {
  it('a line replaced by {} in the middle stops the start with file:line and reason', async () => {
    const dir = await tempDir();
    const journal = await journalWith(dir.path);
    await replaceLine(journal, 3, () => '{}');
    await refusedAt(dir.path, journal, 3, /empty record/);
    await dir.remove();
  });

  it('{} as the last line is not a torn write: refused too', async () => {
    const dir = await tempDir();
    const journal = await journalWith(dir.path);
    await writeFile(journal, (await readFile(journal, 'utf8')) + '{}\n');
    await refusedAt(dir.path, journal, 7, /empty record/);
    await dir.remove();
  });

  it('wrong shapes are named: a bad status, a missing id, a message of an unknown ticket, a snapshot ticket', async () => {
    const dir = await tempDir();
    const journal = await journalWith(dir.path);
    const original = await readFile(journal, 'utf8');
    await replaceLine(journal, 1, (line) => line.replace('"status":"en cours"', '"status":"ouvert"'));
    await refusedAt(dir.path, journal, 1, /tickets\[0\]\.status: Invalid option/);
    await writeFile(journal, original);
    await replaceLine(journal, 2, (line) => line.replace(/"message_id":"[^"]+"/, '"message_id":null'));
    await refusedAt(dir.path, journal, 2, /messages\[0\]\.message_id/);
    await writeFile(journal, original);
    await replaceLine(journal, 1, (line) => JSON.stringify({ messages: (JSON.parse(line) as { messages: unknown[] }).messages }));
    await refusedAt(dir.path, journal, 1, /belongs to ticket .* which no earlier line creates/);
    await dir.remove();
  });

  it('a snapshot is checked by its seal at start; store:check (and an unsealed, older snapshot) names the line', async () => {
    const dir = await tempDir();
    const snapshot = await journalWith(dir.path, true);
    const lines = (await readFile(snapshot, 'utf8')).split('\n');
    assert.match(lines[lines.length - 2], /^\{"snapshot_end":\{"sha256":"[0-9a-f]{64}","lines":8\}\}$/);
    await replaceLine(snapshot, 3, (line) => line.replace('"channel":"sms"', '"channel":7'));
    await refusedAt(dir.path, snapshot, 9, /sha256 mismatch/);
    const report = await checkDataDir(dir.path);
    assert.deepEqual(
      report.problems.map((p) => [p.line, p.reason]),
      [
        [3, 'tickets[0].channel: expected a channel name'],
        [9, report.problems[1]?.reason],
      ],
    );
    assert.match(report.problems[1].reason, /sha256 mismatch/);
    // Without its seal (a snapshot written before seals existed), start-up checks each line.
    await writeFile(snapshot, lines.slice(0, -2).join('\n') + '\n');
    await replaceLine(snapshot, 3, (line) => line.replace('"channel":"sms"', '"channel":7'));
    await refusedAt(dir.path, snapshot, 3, /tickets\[0\]\.channel: expected a channel name/);
    await dir.remove();
  });

  it('a torn last line is still repaired at start, and store:check only notes it', async () => {
    const dir = await tempDir();
    const journal = await journalWith(dir.path);
    await writeFile(journal, (await readFile(journal, 'utf8')) + '{"tickets":[{"ticket_id":"half');
    const report = await checkDataDir(dir.path);
    assert.deepEqual(report.problems, []);
    assert.ok(report.notes.some((n) => n.includes(`${journal}:7: torn last line`)));
    const store = createJsonStore({ dataDir: dir.path, logger: capturingLogger() });
    await store.open();
    assert.ok(await store.findMessageByExternalId('sms', 'SM-valid-2'));
    await store.close();
    await dir.remove();
  });

  it('real processes: the server refuses to start on {} naming file:line; store:check exits 1 with it, 0 beside a running server', async () => {
    const dir = await tempDir();
    const journal = await journalWith(dir.path);
    const healthy = await readFile(journal, 'utf8');
    await replaceLine(journal, 4, () => '{}');
    await assert.rejects(spawnServer({ DATA_DIR: dir.path }), (error: Error & { stderr?: string; code?: number }) => {
      assert.notEqual(error.code, 0);
      assert.match(error.stderr ?? '', new RegExp(`${journal}:4: empty record`));
      return true;
    });
    const failed = await storeCheck(dir.path);
    assert.equal(failed.code, 1);
    assert.match(failed.out, new RegExp(`^${journal}:4: empty record`, 'm'));
    assert.match(failed.out, /^store:check .*: FAILED, 1 problem: 3 tickets, 5 messages in journal-00000001\.jsonl \(6 lines\)$/m);

    await writeFile(journal, healthy);
    const server = await spawnServer({ DATA_DIR: dir.path, ENABLE_CHATBOT: 'false', ENABLE_AUTO_ANALYTICS: 'false' });
    try {
      const ok = await storeCheck(dir.path);
      assert.equal(ok.code, 0, ok.out);
      assert.match(ok.out, /note: held by a running process \(pid \d+\): checked read-only beside it/);
      assert.match(ok.out, /^store:check .*: OK: 3 tickets, 6 messages in journal-00000001\.jsonl \(\d+ lines\)$/m);
      assert.equal((await fetch(server.url + '/readyz')).status, 200, 'the server is unaffected');
    } finally {
      await kill(server, 'SIGTERM');
      await dir.remove();
    }
  });
});
