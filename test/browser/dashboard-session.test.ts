// The dashboard's session outlives its access tokens (ACCESS_TOKEN_TTL_SECONDS=60, the smallest allowed): the page
// refreshes before expiry through the cookie, the server closes the old-token WebSocket (4401) once that token
// expires, the page reopens it with the renewed token and live events keep coming. Real time: about 105 s.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { chromium as playwright, type Browser } from 'playwright-core';
import { createWebchatModule } from '../../adapters/webchat/index.js';
import { addAgent, PASSWORD } from '../auth/helpers.js';
import { startApp, type TestApp } from '../helpers/app.js';

describe('dashboard session renewal in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  before(async () => {
    t = await startApp({
      modules: [createWebchatModule()],
      env: {
        ENABLE_CHATBOT: 'false',
        ENABLE_AUTO_ANALYTICS: 'false',
        WEBCHAT_SECRET: 'session-test-secret',
        ACCESS_TOKEN_TTL_SECONDS: '60',
      },
    });
    const chromium = (await import('@sparticuz/chromium')).default;
    browser = await playwright.launch({
      executablePath: await chromium.executablePath(),
      headless: true,
      args: [...chromium.args, '--no-sandbox', '--disable-background-networking', '--no-first-run'],
    });
  });
  after(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('refreshes before expiry and reconnects the WebSocket with the new token', { timeout: 180_000 }, async () => {
    await addAgent(t, 'camille@example.fr', 'Camille Durand', 'agent');
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const refreshes: number[] = [];
    const sockets: string[] = [];
    page.on('response', (response) => {
      if (response.url().endsWith('/auth/refresh')) refreshes.push(response.status());
    });
    page.on('websocket', (ws) => sockets.push(ws.url()));
    await page.goto(`${t.url}/agent`);
    await page.locator('#signin-form').getByLabel('E-mail').fill('camille@example.fr');
    await page.locator('#signin-form').getByLabel('Mot de passe').fill(PASSWORD);
    await page.locator('#signin-form').getByRole('button', { name: 'Se connecter' }).click();
    await page.locator('#live[data-state="online"]').waitFor();
    const firstSocket = sockets.length;

    // Past the first token's expiry (60 s + the 30 s clock tolerance) and the server's 5 s re-check.
    await page.waitForTimeout(100_000);
    assert.ok(refreshes.filter((s) => s === 200).length >= 1, `refreshes: ${JSON.stringify(refreshes)}`);
    await page.locator('#live[data-state="online"]').waitFor();
    assert.ok(sockets.length > firstSocket, 'the WebSocket was reopened with the renewed token');
    assert.notEqual(sockets.at(-1), sockets[firstSocket - 1]);

    // Live events still arrive, and REST calls carry a valid token.
    const visitor = await (await browser.newContext()).newPage();
    await visitor.goto(`${t.url}/chat`);
    await visitor.locator('#connection[data-state="online"]').waitFor();
    await visitor.getByLabel('Votre message').fill('Toujours là ?');
    await visitor.getByLabel('Votre message').press('Enter');
    await page.locator('.ticket-item').first().waitFor();
    await page.locator('.ticket-item button').first().click();
    await page.locator('#conv-messages .msg-customer', { hasText: 'Toujours là ?' }).waitFor();
    assert.equal(await page.locator('#signin-form').isVisible(), false);
    assert.deepEqual(errors, []);
  });
});
