// GET /stats equals the figures recomputed here from the CSV export of the same filter, on a generated store, for the
// json store and DynamoDB (dynalite, no Scan). The expected side reads only CSV cells: it shares no code with /stats.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startApp, type TestApp } from '../helpers/app.js';
import { dynamoStoreOn, startDynalite, type DynaliteHandle } from '../helpers/dynalite.js';
import { tempDir } from '../helpers/tmp.js';
import { csvRecords, withStore } from '../export/fixtures.js';
import type { Stats } from '../../src/export/stats.js';
import { generateStore } from './generate.js';

// DynamoDB fixtures are written one request at a time through dynalite: fewer tickets keep the test short.
const JSON_COUNT = 160;
const DYNAMO_COUNT = 60;

type Row = Record<string, string>;

function nearestRank(values: number[], q: number): number | null {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.ceil(q * sorted.length) - 1] : null;
}
function pcts(rows: Row[], column: string) {
  const values = rows
    .map((r) => r[column])
    .filter((v) => v !== '')
    .map(Number);
  return { p50: nearestRank(values, 0.5), p90: nearestRank(values, 0.9), count: values.length };
}
function countBy(rows: Row[], column: string, empty = 'non_analyse') {
  const out: Record<string, number> = {};
  for (const r of rows) out[r[column] || empty] = (out[r[column] || empty] ?? 0) + 1;
  return out;
}
const botOnly = (rows: Row[]) => rows.filter((r) => r.bot_first_response_time_seconds !== '' && r.first_human_response_time_seconds === '');
const ratio = (a: number, b: number) => (b ? Math.round((a / b) * 10000) / 10000 : null);
function weekOf(day: string): string {
  const d = new Date(day + 'T00:00:00Z');
  const back = (d.getUTCDay() + 6) % 7; // Monday = 0
  return new Date(d.getTime() - back * 86_400_000).toISOString().slice(0, 10);
}

async function expectedFromCsv(app: TestApp, query: string, groupBy: 'day' | 'week') {
  const res = await app.api(`/export/csv?${query}`);
  assert.equal(res.status, 200);
  const rows = csvRecords(await res.text()).records;
  const byPeriod = new Map<string, Row[]>();
  for (const r of rows) {
    const day = r.created_at.slice(0, 10);
    const period = groupBy === 'week' ? weekOf(day) : day;
    byPeriod.set(period, [...(byPeriod.get(period) ?? []), r]);
  }
  return {
    rows,
    totals: {
      tickets: rows.length,
      by_channel: countBy(rows, 'channel'),
      by_status: countBy(rows, 'status'),
      by_category: countBy(rows, 'category'),
      by_sentiment: countBy(rows, 'sentiment'),
      by_urgency: countBy(rows, 'urgency'),
    },
    first_response_seconds: pcts(rows, 'first_response_time_seconds'),
    resolution_seconds: pcts(rows, 'resolution_duration_seconds'),
    bot_only_share: ratio(botOnly(rows).length, rows.length),
    byPeriod,
  };
}

const QUERIES: Array<[string, 'day' | 'week']> = [
  ['', 'day'],
  ['', 'week'],
  ['status=ferm%C3%A9', 'week'],
  ['status=en%20cours&channel=sms,email', 'day'],
  ['channel=chat&date_from=2026-04-10&date_to=2026-04-20', 'day'],
  ['date_from=2026-04-12T12:00:00Z&date_to=2026-04-30', 'week'],
];

async function compare(app: TestApp, count: number) {
  for (const [query, groupBy] of QUERIES) {
    const expected = await expectedFromCsv(app, query, groupBy);
    const res = await app.api(`/stats?${query}&group_by=${groupBy}`);
    assert.equal(res.status, 200, query);
    const stats = (await res.json()) as Stats;
    const label = `${query} ${groupBy}`;
    assert.deepEqual(stats.totals, expected.totals, label);
    assert.deepEqual(stats.first_response_seconds, expected.first_response_seconds, label);
    assert.deepEqual(stats.resolution_seconds, expected.resolution_seconds, label);
    assert.equal(stats.bot_only_share, expected.bot_only_share, label);
    // Series: every non-empty period with its figures, gaps filled with empty periods, in order.
    const periods = stats.series.map((p) => p.period);
    assert.deepEqual([...periods].sort(), periods, label);
    for (const point of stats.series) {
      const rows = expected.byPeriod.get(point.period) ?? [];
      assert.equal(point.tickets, rows.length, `${label} ${point.period}`);
      assert.deepEqual(point.by_channel, countBy(rows, 'channel'));
      assert.deepEqual(point.first_response_seconds, pcts(rows, 'first_response_time_seconds'));
      assert.deepEqual(point.resolution_seconds, pcts(rows, 'resolution_duration_seconds'));
      assert.equal(point.bot_only_share, ratio(botOnly(rows).length, rows.length));
    }
    const covered = stats.series.reduce((n, p) => n + p.tickets, 0);
    assert.equal(covered, expected.rows.length, label);
  }
  const all = (await (await app.api('/stats')).json()) as Stats;
  assert.equal(all.totals.tickets, count);
  assert.ok(all.bot_only_share! > 0 && all.first_response_seconds.count > 0 && all.resolution_seconds.count > 0);
}

describe('GET /stats: json store', () => {
  let app: TestApp;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  before(async () => {
    dir = await tempDir();
    await withStore(dir.path, (store) => generateStore(store, JSON_COUNT));
    app = await startApp({ dataDir: dir.path, env: { ENABLE_CHATBOT: 'false', ENABLE_AUTO_ANALYTICS: 'false' } });
  });
  after(async () => {
    await app?.stop();
    await dir?.remove();
  });

  it('equals the figures computed from the CSV of the same filter', () => compare(app, JSON_COUNT));

  it('refuses bad filters with a 400 naming the parameter, and asks for the token', async () => {
    for (const [query, parameter] of [
      ['group_by=month', 'group_by'],
      ['status=ouvert', 'status'],
      ['channel=fax', 'channel'],
      ['date_from=2026-13-01', 'date_from'],
    ]) {
      const res = await app.api(`/stats?${query}`);
      assert.equal(res.status, 400, query);
      assert.equal(((await res.json()) as { error: { details: { parameter: string } } }).error.details.parameter, parameter);
    }
    assert.equal((await fetch(`${app.url}/stats`)).status, 401);
  });
});

describe('GET /stats: DynamoDB (dynalite)', () => {
  let dyn: DynaliteHandle;
  let app: TestApp;
  before(async () => {
    dyn = await startDynalite();
    const client = dyn.makeClient();
    const store = dynamoStoreOn(dyn, client);
    await store.open();
    await generateStore(store, DYNAMO_COUNT);
    await store.close();
    client.destroy();
    app = await startApp({
      env: {
        STORAGE_TYPE: 'dynamodb',
        DYNAMODB_TABLE: dyn.table,
        DYNAMODB_ENDPOINT: dyn.endpoint,
        AWS_REGION: dyn.region,
        ENABLE_CHATBOT: 'false',
        ENABLE_AUTO_ANALYTICS: 'false',
      },
    });
  });
  after(async () => {
    await app?.stop();
    await dyn?.stop();
  });

  it('equals the figures computed from the CSV of the same filter, without a Scan', async () => {
    dyn.targets.length = 0;
    await compare(app, DYNAMO_COUNT);
    assert.ok(dyn.targets.some((t) => t.endsWith('.Query')));
    assert.deepEqual(
      dyn.targets.filter((t) => t.endsWith('.Scan')),
      [],
    );
  });
});
