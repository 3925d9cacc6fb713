// Customer on /chat and agent on /agent in a real headless Chromium (the one @sparticuz/chromium ships),
// against the real server: message → live on the dashboard → reply → seen by the customer → close → input disabled.
import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium as playwright, type Browser, type Page } from 'playwright-core';
import { sendgridModule } from '../../adapters/sendgrid/index.js';
import { buildMultipart } from '../../adapters/sendgrid/multipart.js';
import { createWebchatModule } from '../../adapters/webchat/index.js';
import { startApp, type TestApp } from '../helpers/app.js';
import { tempDir } from '../helpers/tmp.js';

async function launch(): Promise<Browser> {
  const chromium = (await import('@sparticuz/chromium')).default;
  const executablePath = await chromium.executablePath();
  return playwright.launch({
    executablePath,
    headless: true,
    args: [
      ...chromium.args,
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Console errors, page errors and CSP violations are failures. */
function watch(page: Page, problems: string[], name: string): void {
  page.on('pageerror', (error) => problems.push(`${name} page error: ${error.message}`));
  page.on('console', (message) => {
    // The deliberate wrong-token login logs its 401 as a failed resource load.
    if (message.type() === 'error' && !/status of 401/.test(message.text())) problems.push(`${name} console error: ${message.text()}`);
  });
}

describe('web chat and agent dashboard in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let shots: Awaited<ReturnType<typeof tempDir>>;

  before(async () => {
    t = await startApp({
      modules: [createWebchatModule(), sendgridModule],
      env: { ENABLE_CHATBOT: 'false', WEBCHAT_SECRET: 'browser-test-secret', INBOUND_EMAIL_SECRET: 'browser-inbound' },
    });
    shots = await tempDir('freeda-shots-');
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await t?.stop();
    await shots?.remove();
  });

  it('serves both pages with a Content-Security-Policy that forbids inline script', async () => {
    for (const path of ['/chat', '/agent']) {
      const response = await fetch(t.url + path);
      assert.equal(response.status, 200);
      const csp = response.headers.get('content-security-policy') ?? '';
      assert.match(csp, /script-src 'self'(;|$)/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      const html = await response.text();
      assert.doesNotMatch(html, /<script>(?!<\/script>)|on(click|load|submit)=/i, `${path} has inline code`);
    }
    assert.match((await fetch(t.url + '/agent')).headers.get('content-security-policy')!, /frame-ancestors 'none'/);
    const host = new URL(t.url).host;
    assert.match(
      (await fetch(t.url + '/chat')).headers.get('content-security-policy')!,
      new RegExp(`connect-src 'self' ws://${host} wss://${host};`),
    );
    const injected = await new Promise<string>((resolve, reject) => {
      const url = new URL(t.url);
      request({ host: url.hostname, port: url.port, path: '/chat', headers: { host: 'evil.example;script-src *' } }, (res) => {
        res.resume();
        resolve(String(res.headers['content-security-policy']));
      })
        .on('error', reject)
        .end();
    });
    assert.match(injected, /^default-src 'none'/);
    assert.doesNotMatch(injected, /evil/);
    const other = await new Promise<string>((resolve, reject) => {
      const url = new URL(t.url);
      request({ host: url.hostname, port: url.port, path: '/chat', headers: { host: 'support.example.com' } }, (res) => {
        res.resume();
        resolve(String(res.headers['content-security-policy']));
      })
        .on('error', reject)
        .end();
    });
    assert.match(other, /connect-src 'self' ws:\/\/support\.example\.com wss:\/\/support\.example\.com;/);
    assert.equal((await fetch(t.url + '/static/nope.js')).status, 404);
  });

  it('customer writes, agent sees it live, replies, customer sees the reply, agent closes, customer input is disabled', async () => {
    const problems: string[] = [];
    const agentContext = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    const customerContext = await browser.newContext({ viewport: { width: 390, height: 780 }, isMobile: true, hasTouch: true });
    try {
      const agent = await agentContext.newPage();
      const customer = await customerContext.newPage();
      watch(agent, problems, 'agent');
      watch(customer, problems, 'customer');

      // Agent logs in (wrong token first) and goes live.
      await agent.goto(t.url + '/agent');
      await agent.getByLabel("Jeton d'API").fill('wrong-token');
      await agent.getByRole('button', { name: 'Utiliser le jeton' }).click();
      await agent.getByText('Jeton invalide.').waitFor();
      await agent.getByLabel("Jeton d'API").fill(t.token);
      await agent.keyboard.press('Enter');
      await agent.locator('#live[data-state="online"]').waitFor();
      // The channel filter lists what the server's modules declare (GET /channels), not a list in the page.
      await agent.locator('#filter-channel option[value="email"]').waitFor({ state: 'attached' });
      assert.deepEqual(await agent.locator('#filter-channel option').allTextContents(), ['Tous', 'Chat', 'Email']);

      // Customer writes; the text contains markup that must stay text.
      await customer.goto(t.url + '/chat');
      await customer.locator('#connection[data-state="online"]').waitFor();
      const question = "Bonjour, mon colis n'est pas arrivé <img src=x onerror=alert(1)>";
      await customer.getByLabel('Votre message').fill(question);
      await customer.getByLabel('Votre message').press('Enter');
      await customer.locator('.msg-customer:not(:has(.state))').waitFor(); // acknowledged

      // It appears live on the dashboard (no reload), is opened, shows as text.
      const item = agent.locator('.ticket-item');
      await item.first().waitFor();
      assert.equal(await item.count(), 1);
      await item.first().getByRole('button').click();
      const customerMessage = agent.locator('#conv-messages .msg-customer .text');
      await customerMessage.waitFor();
      assert.equal(await customerMessage.textContent(), question);
      assert.equal(await agent.locator('#conv-messages img').count(), 0);
      assert.ok(await agent.locator('#conv-badges .badge-channel-chat').isVisible());
      // Analytics (offline fallback) arrive later as ticket.updated: the badges update live.
      await agent.locator('.ticket-item .badge-sentiment').waitFor();
      await agent.locator('#conv-badges .badge-urgency').waitFor();

      // Agent replies; the customer sees it live; the dashboard shows it delivered.
      await agent.getByLabel('Votre réponse').fill('Je vérifie votre colis tout de suite.');
      await agent.getByRole('button', { name: 'Envoyer' }).click();
      await customer.locator('.msg-agent .text', { hasText: 'Je vérifie votre colis tout de suite.' }).waitFor();
      await agent.locator('#conv-messages .msg-agent .delivery-delivered').waitFor();

      // Agent closes; the customer gets the badge and a disabled input.
      await agent.getByRole('button', { name: 'Fermer le ticket' }).click();
      await agent.getByRole('button', { name: 'Rouvrir le ticket' }).waitFor();
      await customer.locator('#closed-badge').waitFor({ state: 'visible' });
      assert.equal(await customer.locator('#closed-badge').textContent(), 'Ticket fermé');
      assert.equal(await customer.getByLabel('Votre message').isDisabled(), true);
      assert.equal(await customer.getByRole('button', { name: 'Envoyer' }).isDisabled(), true);

      await customer.screenshot({ path: join(shots.path, 'chat-closed.png'), fullPage: true });
      await agent.screenshot({ path: join(shots.path, 'agent-laptop.png'), fullPage: true });
      await agent.setViewportSize({ width: 390, height: 780 });
      await agent.screenshot({ path: join(shots.path, 'agent-phone.png'), fullPage: true });
      await agent.setViewportSize({ width: 1280, height: 800 });

      // A reload keeps the conversation (token in localStorage → history) and the closed state.
      await customer.reload();
      await customer.locator('.msg-agent .text', { hasText: 'Je vérifie votre colis' }).waitFor();
      await customer.locator('#closed-badge').waitFor({ state: 'visible' });

      // "Nouvelle conversation": the next message opens a second ticket, live on the dashboard.
      await customer.getByRole('button', { name: 'Nouvelle conversation' }).click();
      assert.equal(await customer.getByLabel('Votre message').isDisabled(), false);
      await customer.getByLabel('Votre message').fill('Autre question : la facture ?');
      await customer.getByRole('button', { name: 'Envoyer' }).click();
      await agent.locator('.ticket-item').nth(1).waitFor();
      await agent.locator('.ticket-item.unread').waitFor();

      // Filters: only the open ticket.
      await agent.getByLabel('Statut').selectOption('en cours');
      await agent.locator('.ticket-item').nth(1).waitFor({ state: 'detached' });
      assert.equal(await agent.locator('.ticket-item').count(), 1);
      await customer.screenshot({ path: join(shots.path, 'chat-new-conversation.png'), fullPage: true });

      // CSV export of the current filters (status=en cours), fetched with the token and saved as a download.
      const [download] = await Promise.all([agent.waitForEvent('download'), agent.getByRole('button', { name: 'Exporter CSV' }).click()]);
      assert.match(download.suggestedFilename(), /^freeda-tickets-\d{4}-\d{2}-\d{2}\.csv$/);
      const csvPath = join(shots.path, 'export.csv');
      await download.saveAs(csvPath);
      const rows = (await readFile(csvPath, 'utf8')).trim().split(/\r?\n/);
      assert.match(rows[0], /^\uFEFF?ticket_id,created_at,closed_at,status,channel,/);
      assert.equal(rows.length, 2, rows.join('\n'));
      assert.match(rows[1], /,en cours,chat,/);

      const copyTo = process.env.FREEDA_SCREENSHOTS_DIR;
      if (copyTo) {
        await mkdir(copyTo, { recursive: true });
        for (const name of ['chat-closed.png', 'agent-laptop.png', 'agent-phone.png', 'chat-new-conversation.png'])
          await copyFile(join(shots.path, name), join(copyTo, name));
      }
      assert.deepEqual(problems, []);
    } finally {
      await agentContext.close().catch(() => undefined);
      await customerContext.close().catch(() => undefined);
    }
  });
  it('an email attachment is listed on the conversation and downloads through the token', async () => {
    const pdf = Buffer.from('%PDF-1.4\n% facture de test\n%%EOF\n', 'latin1');
    const mail = buildMultipart(
      [
        [
          'headers',
          'From: Zoé Martin <zoe@client.fr>\nTo: support@freeda.example\nSubject: Facture jointe\nMessage-ID: <att.browser@client.fr>\n',
        ],
        ['from', 'Zoé Martin <zoe@client.fr>'],
        ['to', 'support@freeda.example'],
        ['subject', 'Facture jointe'],
        ['text', 'Bonjour, voici la facture en question.'],
        ['attachments', '1'],
        ['attachment-info', JSON.stringify({ attachment1: { filename: 'facture mars.pdf', type: 'application/pdf' } })],
        ['attachment1', { filename: 'facture mars.pdf', contentType: 'application/pdf', content: pdf }],
      ],
      'browser-attachment',
    );
    const posted = await fetch(`${t.url}/webhooks/sendgrid/inbound?token=browser-inbound`, {
      method: 'POST',
      body: new Uint8Array(mail.body),
      headers: { 'content-type': mail.contentType },
    });
    assert.equal(posted.status, 200);
    // The shipped Chromium runs single-process: closing the last context of a test can end it.
    if (!browser.isConnected()) browser = await launch();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    try {
      const problems: string[] = [];
      const agent = await context.newPage();
      watch(agent, problems, 'agent');
      await agent.goto(t.url + '/agent');
      await agent.getByLabel("Jeton d'API").fill(t.token);
      await agent.keyboard.press('Enter');
      await agent
        .locator('.ticket-item', { hasText: /Zoé Martin|zoe@client\.fr/ })
        .first()
        .click();
      const button = agent.getByRole('button', { name: 'Télécharger facture mars.pdf' });
      const [download] = await Promise.all([agent.waitForEvent('download'), button.click()]);
      assert.equal(download.suggestedFilename(), 'facture mars.pdf');
      const saved = join(shots.path, 'facture.pdf');
      await download.saveAs(saved);
      assert.deepEqual(await readFile(saved), pdf);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
});
