// The streamed export on a store larger than one chunk: complete when read to the end, harmless when the client leaves.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startApp, type TestApp } from '../helpers/app.js';
import { tempDir } from '../helpers/tmp.js';
import { at, customer, settle, withStore } from './fixtures.js';

const TICKETS = 3000;

describe('CSV export streaming', () => {
  let t: TestApp;
  let dir: { path: string; remove(): Promise<void> };

  before(async () => {
    dir = await tempDir();
    await withStore(dir.path, async (store) => {
      const pending: Promise<void>[] = [];
      for (let i = 0; i < TICKETS; i++) {
        pending.push(
          customer(
            store,
            'sms',
            `+3361${String(i).padStart(7, '0')}`,
            `SM-${i}`,
            `Message ${i}, avec une virgule et des "guillemets"`,
            at('2026-05-01T00:00:00.000Z', i * 60),
          ).then((ticket) => settle(store, ticket.ticket_id)),
        );
      }
      await Promise.all(pending);
    });
    t = await startApp({ dataDir: dir.path, env: { ENABLE_CHATBOT: 'false', ENABLE_AUTO_ANALYTICS: 'false' } });
  });
  after(async () => {
    await t.stop();
    await dir.remove();
  });

  it('sends every row across many chunks, in order', async () => {
    const res = await t.api('/export/csv');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-length'), null, 'streamed, not buffered into one body');
    const lines = (await res.text()).split('\r\n').filter(Boolean);
    assert.equal(lines.length, TICKETS + 1);
    const createdAt = lines.slice(1).map((line) => line.split(',')[1]);
    assert.deepEqual(createdAt, [...createdAt].sort(), 'oldest first');
    assert.equal(createdAt[0], '2026-05-01T00:00:00.000Z');
  });

  it('survives a client that disconnects mid-download', async () => {
    const url = new URL('/export/csv', t.url);
    await new Promise<void>((resolve, reject) => {
      const req = request(url, { headers: { authorization: `Bearer ${t.token}` } }, (res) => {
        assert.equal(res.statusCode, 200);
        res.once('data', () => {
          req.destroy(); // leave after the first chunk
          resolve();
        });
      });
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code !== 'ECONNRESET') reject(error);
      });
      req.end();
    });
    const health = await fetch(`${t.url}/healthz`);
    assert.equal(health.status, 200);
    const again = await t.api('/export/csv?date_from=2026-05-01&date_to=2026-05-01');
    assert.equal(again.status, 200);
    const rows = (await again.text()).split('\r\n').filter(Boolean).length - 1;
    assert.equal(rows, 24 * 60, 'one ticket a minute over the first day');
  });
});
