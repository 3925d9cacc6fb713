// Issue #14 item 3 in Chromium: the server restarts with another web-chat key, so it cannot verify the visitor token the
// page kept; the page says the conversation could not be resumed and starts clean (no old messages shown, new token kept).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { after, before, test } from 'node:test';
import { chromium as playwright, type Browser } from 'playwright-core';
import { createWebchatModule } from '../../adapters/webchat/index.js';
import { startApp, type TestApp } from '../helpers/app.js';
import { tempDir } from '../helpers/tmp.js';

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  server.close();
  await once(server, 'close');
  return port;
}

let browser: Browser;
before(async () => {
  const chromium = (await import('@sparticuz/chromium')).default;
  browser = await playwright.launch({
    executablePath: await chromium.executablePath(),
    headless: true,
    args: [...chromium.args, '--no-sandbox'],
  });
});
after(() => browser?.close());

test('a visitor token refused after a restart: the chat page says so and starts clean', async () => {
  const dir = await tempDir('freeda-chat-refused-');
  const port = await freePort();
  const start = (secret: string) =>
    startApp({
      dataDir: dir.path,
      modules: [createWebchatModule()],
      env: { PORT: String(port), WEBCHAT_SECRET: secret, ENABLE_CHATBOT: 'false' },
    });
  let t: TestApp = await start('first-key');
  const page = await browser.newPage();
  try {
    await page.goto(`${t.url}/chat`);
    await page.locator('#connection[data-state="online"]').waitFor();
    await page.getByLabel('Votre message').fill('Bonjour, ma box ne marche plus');
    await page.getByLabel('Votre message').press('Enter');
    await page.locator('.msg-customer:not(:has(.state))').waitFor(); // acknowledged
    const oldToken = await page.evaluate(() => localStorage.getItem('freeda.chat.visitor_token'));
    assert.ok(oldToken);
    assert.equal(await page.locator('#notice').isHidden(), true);

    await t.stop();
    t = await start('another-key'); // same port: the page reconnects by itself
    await page.locator('#notice').getByText("n'a pas pu être reprise").waitFor();
    await page.locator('#connection[data-state="online"]').waitFor();
    assert.equal(await page.locator('.msg-customer').count(), 0, 'the old conversation is no longer shown');
    const newToken = await page.evaluate(() => localStorage.getItem('freeda.chat.visitor_token'));
    assert.ok(newToken && newToken !== oldToken, 'the page keeps the new identity');
    assert.equal(await page.evaluate(() => localStorage.getItem('freeda.chat.ticket_id')), null);

    // The next message opens a new conversation that is shown normally.
    await page.getByLabel('Votre message').fill('Je recommence');
    await page.getByLabel('Votre message').press('Enter');
    await page.locator('.msg-customer:not(:has(.state))').waitFor();
    assert.equal(await page.locator('.msg-customer').count(), 1);
  } finally {
    await page.close();
    await t.stop();
    await dir.remove();
  }
});
