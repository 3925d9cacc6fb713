// The reports view (/agent/reports) in headless Chromium on a generated store: non-empty charts, a filter change
// changes them, "Télécharger le CSV" downloads exactly that filter. No CSP violation or page error. Screenshots are
// written to $FREEDA_SHOTS_DIR (default: a temp dir removed after the run) to look at.
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium as playwright, type Browser, type Page } from 'playwright-core';
import { startApp, TEST_TOKEN, type TestApp } from '../helpers/app.js';
import { tempDir } from '../helpers/tmp.js';
import { csvRecords, withStore } from '../export/fixtures.js';
import { generateStore } from '../stats/generate.js';

async function launch(): Promise<Browser> {
  const chromium = (await import('@sparticuz/chromium')).default;
  return playwright.launch({
    executablePath: await chromium.executablePath(),
    headless: true,
    args: [...chromium.args, '--no-sandbox', '--no-first-run'],
  });
}

/** Canvas pixels that are not transparent: a drawn chart has many. */
const paintedPixels = (page: Page, id: string) =>
  page.evaluate((canvasId) => {
    const canvas = document.getElementById(canvasId) as HTMLCanvasElement;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
    return painted;
  }, id);

describe('reports view in Chromium', () => {
  let app: TestApp;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let shots: string;
  let shotsDir: Awaited<ReturnType<typeof tempDir>> | null = null;
  let browser: Browser;
  before(async () => {
    dir = await tempDir();
    await withStore(dir.path, (store) => generateStore(store, 120));
    app = await startApp({ dataDir: dir.path, env: { ENABLE_CHATBOT: 'false', ENABLE_AUTO_ANALYTICS: 'false' } });
    if (process.env.FREEDA_SHOTS_DIR) shots = process.env.FREEDA_SHOTS_DIR;
    else shots = (shotsDir = await tempDir('freeda-shots-')).path;
    await mkdir(shots, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
    await dir?.remove();
    await shotsDir?.remove();
  });

  for (const viewport of [
    { name: 'desktop', width: 1280, height: 1000 },
    { name: 'phone', width: 390, height: 844 },
  ]) {
    it(`renders the charts, follows the filter, downloads that filter's CSV (${viewport.name})`, async () => {
      // One browser per viewport: this Chromium runs single-process and does not outlive a closed context.
      await browser?.close();
      browser = await launch();
      const context = await browser.newContext({ viewport, acceptDownloads: true });
      await context.addInitScript((token) => sessionStorage.setItem('freeda.agent.token', token), TEST_TOKEN);
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(error.message));
      page.on('console', (message) => void (message.type() === 'error' && problems.push(message.text())));
      await page.goto(`${app.url}/agent/reports`);
      await page
        .waitForFunction(() => document.body.dataset.total !== undefined, null, { timeout: 15_000 })
        .catch((error: Error) => {
          throw new Error(`${error.message}; page problems: ${problems.join(' | ')}`);
        });
      assert.equal(await page.locator('body').getAttribute('data-total'), '120');
      for (const id of ['chart-series', 'chart-category', 'chart-urgency', 'chart-first'])
        assert.ok((await paintedPixels(page, id)) > 500, `${id} is blank`);
      await page.screenshot({ path: join(shots, `reports-${viewport.name}-all.png`), fullPage: true });

      // Filter: SMS only, closed tickets.
      await page.locator('#channels input[value="sms"]').check();
      await page.waitForFunction(() => document.body.dataset.total !== '120');
      await page.selectOption('#status', 'fermé');
      const expected = (await (await app.api('/stats?channel=sms&status=ferm%C3%A9')).json()) as { totals: { tickets: number } };
      await page.waitForFunction((n) => document.body.dataset.total === String(n), expected.totals.tickets);
      assert.ok(expected.totals.tickets > 0 && expected.totals.tickets < 120);
      assert.equal(await page.locator('#kpi-tickets').textContent(), String(expected.totals.tickets));
      await page.screenshot({ path: join(shots, `reports-${viewport.name}-sms-ferme.png`), fullPage: true });

      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#csv')]);
      assert.match(download.suggestedFilename(), /^freeda-tickets_status-ferme_channel-sms_\d{4}-\d{2}-\d{2}\.csv$/);
      const rows = csvRecords(await readFile(await download.path(), 'utf8')).records;
      assert.equal(rows.length, expected.totals.tickets);
      assert.ok(rows.every((r) => r.channel === 'sms' && r.status === 'fermé'));
      assert.deepEqual(problems, []);
      await context.close();
    });
  }
});
