// dynamodb:estimate: DynamoDB's sizing rules, request units and the monthly arithmetic against figures computed by
// hand, and the command on a generated store (measured sizes) and on --tickets.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { attributeSize, estimate, itemSize, PRICES_EU_WEST_3, rru, wru } from '../../src/storage/dynamodb/estimate.js';
import { tempDir } from '../helpers/tmp.js';
import { freeda } from './cli-io.js';
import { seedJsonStore } from './seed.js';

describe('dynamodb:estimate', () => {
  it('sizes items with DynamoDB rules', () => {
    // "pk" (2) + "T#1" (3) + "n" (1) + 123 (3 digits → 2 + 1) = 9
    assert.equal(itemSize({ pk: 'T#1', n: 123 }), 9);
    // map: 3 + ("a" 1 + 1 + "xy" 2) = 7; list: 3 + (1 + 1) + (1 + 1) = 7; é is 2 bytes
    assert.equal(attributeSize({ a: 'xy' }), 7);
    assert.equal(attributeSize([true, null]), 7);
    assert.equal(attributeSize('é'), 2);
    assert.equal(wru(1024), 1);
    assert.equal(wru(1025), 2);
    assert.equal(rru(4097), 2);
    assert.equal(rru(100, false), 0.5);
  });

  it('monthly figures match the hand computation', () => {
    const e = estimate(
      { ticketBytes: 1000, inboundBytes: 400, replyBytes: 600 },
      { tickets: 10_000, messagesPerTicket: 4, dashboardLoads: 0, exports: 0 },
    );
    // Per ticket: opening 2 + 2 inbound × 7 + 2 replies × 8 + 2 analytics × 1 + close 4 = 38 WRU;
    // 1 + 2 × 3 + 2 × 4 + 2 × 1 + 2 = 19 RRU.
    assert.deepEqual(
      e.perOperation.slice(0, 5).map((op) => op.wru),
      [7, 2, 8, 1, 4],
    );
    assert.equal(e.monthly.wru, 380_000);
    assert.equal(e.monthly.rru, 190_000);
    assert.ok(Math.abs(e.onDemand.writes - 0.38 * PRICES_EU_WEST_3.wru_per_million) < 1e-9);
    assert.ok(Math.abs(e.onDemand.reads - 0.19 * PRICES_EU_WEST_3.rru_per_million) < 1e-9);
    // Stored per ticket: 1000 + 2000 message bytes + 5 items × 100 + 8 small items × 300 + 2 index entries × 190 = 6280 B.
    assert.ok(Math.abs(e.monthly.storage_gb - (6280 * 10_000) / 1024 ** 3) < 1e-12);
    assert.ok(Math.abs(e.onDemand.total - (e.onDemand.writes + e.onDemand.reads + e.onDemand.storage)) < 1e-12);
  });

  it('measures a generated store, and compares with the $0.28 claim for 10,000 tickets', async () => {
    const dir = await tempDir('freeda-estimate-');
    try {
      await seedJsonStore(dir.path, 12);
      const measured = await freeda(['dynamodb:estimate'], { DATA_DIR: dir.path });
      assert.equal(measured.code, 0, measured.err);
      assert.match(measured.out, /measured on the json store: 12 tickets, \d+ messages/);
      const line = /on-demand: writes \$([\d.]+) .* reads \$([\d.]+) .* storage \$([\d.]+) .* = \$([\d.]+)\/month/.exec(measured.out);
      assert.ok(line, measured.out);
      const [w, r, s, total] = line.slice(1).map(Number);
      assert.ok(Math.abs(w + r + s - total) < 0.0002, `${w} + ${r} + ${s} = ${total}`);
      const tenK = await freeda(['dynamodb:estimate', '--tickets', '10000', '--messages-per-ticket', '4'], {});
      assert.match(tenK.out, /\$0\.28\/month for 10,000 tickets": this estimate says \$[\d.]+ on-demand/);
      const bad = await freeda(['dynamodb:estimate', '--tickets', 'many'], {}).catch((e: Error) => e);
      assert.ok(bad instanceof Error && /non-negative/.test(bad.message));
    } finally {
      await dir.remove();
    }
  });
});
