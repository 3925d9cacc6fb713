// `freeda migrate --to dynamodb|json [--follow] [--verify]`: copy the configured store (STORAGE_TYPE, the source, which
// keeps serving) into the other type, then optionally follow its changes until told to stop, then optionally compare
// both item by item. Stop following with SIGINT (Ctrl-C) or SIGTERM, or by creating the --stop-file: the follower
// applies what the source holds at that moment, then exits (or verifies). Cut-over: docs/migration-dynamodb.md.
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { LoggerLike } from '../domain/channel.js';
import { createFileBlobStore } from '../storage/blobs.js';
import { applyRecords, describeCounts } from '../storage/portable/backup.js';
import type { BackupRecord } from '../storage/portable/format.js';
import { dynamoFollower, jsonFollower, type Follower, type FollowStatus } from '../storage/portable/follow.js';
import { type JsonReadPoint } from '../storage/portable/json-source.js';
import { openDynamoSource } from '../storage/portable/dynamo-source.js';
import { describeLocation, openSource, openTarget, type StoreKind, type StoreLocation } from '../storage/portable/open.js';
import { canonicalRecords, type ExportSource } from '../storage/portable/source.js';
import type { ImportTarget } from '../storage/portable/target.js';
import { verifyStores } from '../storage/portable/verify.js';
import { createDynamoClient } from '../storage/dynamodb/client.js';
import type { TransferIo } from './backup.js';

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

/** Passes the records through, remembering each ticket's channel and updated_at (for the follower). */
async function* tap(
  records: AsyncIterable<BackupRecord>,
  channels: Map<string, string>,
  seen: Map<string, string>,
): AsyncGenerator<BackupRecord> {
  for await (const record of records) {
    if (record.kind === 'ticket') {
      channels.set(record.ticket.ticket_id, record.ticket.channel);
      seen.set(record.ticket.ticket_id, record.ticket.updated_at);
    }
    yield record;
  }
}

export function statusLine(s: FollowStatus, now: number): string {
  const lag = s.last_change_at
    ? `${Math.max(0, (now - Date.parse(s.last_change_at)) / 1000).toFixed(1)} s since the last change applied`
    : 'no change yet';
  return `migrate: following: ${s.batches} changes applied (${s.tickets} tickets, ${s.messages} messages), ${s.behind} ${s.behind === 1 ? 'unit' : 'units'} behind, ${lag}`;
}

export async function migrateCommand(source: StoreLocation, args: string[], io: TransferIo, logger: LoggerLike): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      to: { type: 'string' },
      follow: { type: 'boolean', default: false },
      verify: { type: 'boolean', default: false },
      'verify-only': { type: 'boolean', default: false },
      'stop-file': { type: 'string' },
      'interval-ms': { type: 'string', default: '1000' },
      'data-dir': { type: 'string' },
      table: { type: 'string' },
    },
  });
  const say = (line: string) => io.stderr.write(line + '\n');
  const to = values.to as StoreKind | undefined;
  if (to !== 'json' && to !== 'dynamodb') {
    say(
      'usage: freeda migrate --to dynamodb|json [--follow] [--verify] [--verify-only] [--stop-file FILE] [--data-dir DIR] [--table NAME]',
    );
    return 2;
  }
  if (to === source.kind) {
    say(`migrate: the source (STORAGE_TYPE) is already ${to}: migrate moves between store types (backup/restore copies within one)`);
    return 2;
  }
  const target: StoreLocation = { ...source, kind: to, dataDir: values['data-dir'] ?? source.dataDir, table: values.table ?? source.table };
  const sourceName = describeLocation(source);
  const targetName = describeLocation(target);
  const verify = async (): Promise<number> => {
    const [a, b] = await Promise.all([openSource(source), openSource(target)]);
    try {
      say(`migrate: verifying ${sourceName} against ${targetName}`);
      return (await verifyStores(a, b, say)) ? 0 : 1;
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  };
  if (values['verify-only']) return verify();

  const importTarget: ImportTarget = await openTarget(target, logger);
  let stopRequested = false;
  const stop = () => {
    if (!stopRequested) say('migrate: stop requested: applying what the source holds now, then finishing');
    stopRequested = true;
  };
  try {
    const marker = await importTarget.readMarker();
    const same = marker?.operation === 'migrate' && marker.id === sourceName;
    if (!same && !(await importTarget.isEmpty())) {
      say(`migrate: refused: the ${importTarget.description} is not empty and no migration from ${sourceName} was started into it`);
      return 1;
    }
    const started_at = same ? marker.started_at : new Date().toISOString();
    if (same) say('migrate: resuming a migration into this target: everything is copied again over what is there (idempotent)');
    await importTarget.writeMarker({
      operation: 'migrate',
      id: sourceName,
      state: 'running',
      started_at,
      updated_at: new Date().toISOString(),
    });

    const channels = new Map<string, string>();
    const seen = new Map<string, string>();
    /** What this run wrote (digests): a copy again after a compaction writes only what changed since. */
    const written = new Map<string, string>();
    /** One full copy (upserts); the json read point it stopped at. */
    const copy = async (): Promise<{ point: JsonReadPoint | null; reader: ExportSource }> => {
      const reader = await openSource(source, values.follow);
      const sameFiles = resolve(target.dataDir) === resolve(source.dataDir);
      const blobs = sameFiles ? null : createFileBlobStore(join(source.dataDir, 'attachments'));
      say(`migrate: copying ${sourceName} (high water ${reader.highWater}) into ${targetName}`);
      const { counts } = await applyRecords(tap(canonicalRecords(reader, { blobs }), channels, seen), importTarget, {
        mode: 'upsert',
        label: 'migrate',
        progress: say,
        written,
      });
      say(`migrate: copied ${describeCounts(counts)}`);
      return { point: 'point' in reader ? (reader as { point: JsonReadPoint }).point : null, reader };
    };
    const first = await copy();
    await first.reader.close();
    // Not following: the journal kept open for a follower is not needed.
    if (!values.follow) await first.point?.handle?.close();

    if (values.follow) {
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      const interval = Math.max(50, Number(values['interval-ms']) || 1000);
      let follower: Follower;
      if (source.kind === 'json') {
        follower = jsonFollower({
          dataDir: source.dataDir,
          from: first.point!,
          target: importTarget,
          channels,
          recopy: async () => {
            say('migrate: the journal being followed was compacted away: copying everything again');
            const again = await copy();
            await again.reader.close();
            return again.point!;
          },
        });
      } else {
        const reader = openDynamoSource(createDynamoClient(source), source.table, true);
        follower = dynamoFollower({ ops: reader.ops, target: importTarget, seen, written });
      }
      say(
        `migrate: following the source's changes; stop with Ctrl-C / SIGTERM${values['stop-file'] ? ` or by creating ${values['stop-file']}` : ''}`,
      );
      let last = '';
      let lastPrinted = 0;
      try {
        for (;;) {
          if (values['stop-file'] && (await exists(values['stop-file']))) stop();
          const finalRound = stopRequested;
          const status = await follower.poll();
          const line = statusLine(status, Date.now());
          const counts = line.replace(/, [\d.]+ s since.*/, '');
          if (counts !== last || Date.now() - lastPrinted > 10_000) {
            say(line);
            last = counts;
            lastPrinted = Date.now();
          }
          if (status.behind > 0 && source.kind === 'json') continue; // catching up: poll again at once
          if (finalRound) break;
          await new Promise((r) => setTimeout(r, interval));
        }
      } finally {
        await follower.close();
      }
      // A DynamoDB source: message-only changes (delivery updates) are caught by one last full copy.
      if (source.kind === 'dynamodb') (await copy()).reader.close().catch(() => undefined);
    }
    await importTarget.writeMarker({
      operation: 'migrate',
      id: sourceName,
      state: 'done',
      started_at,
      updated_at: new Date().toISOString(),
    });
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await importTarget.close();
  }
  say(`migrate: done: ${targetName} holds a copy of ${sourceName}`);
  return values.verify ? verify() : 0;
}
