// Dashboard sign-in in Chromium: with no agent the page explains `agents:add`; an admin (created through the API
// before the page opens) signs in, creates an agent (one-time password shown once) and a personal token; the agent
// signs in in a fresh context, replies to a web chat (the visitor sees the agent's first name), closes the ticket and
// signs out (the refresh cookie no longer works); an analyst sees no reply box nor status button. Screenshots at
// laptop and phone widths (kept in SCREENSHOT_DIR when set, to be looked at).
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium as playwright, type Browser, type Page } from 'playwright-core';
import { createWebchatModule } from '../../adapters/webchat/index.js';
import { addAgent, PASSWORD } from '../auth/helpers.js';
import { startApp, type TestApp } from '../helpers/app.js';
import { tempDir } from '../helpers/tmp.js';

async function launch(): Promise<Browser> {
  const chromium = (await import('@sparticuz/chromium')).default;
  return playwright.launch({
    executablePath: await chromium.executablePath(),
    headless: true,
    args: [...chromium.args, '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

function watch(page: Page, problems: string[], name: string): void {
  page.on('pageerror', (error) => problems.push(`${name} page error: ${error.message}`));
  page.on('console', (message) => {
    // 401s are expected: the first load asks /auth/refresh without a session; a wrong password is tried on purpose.
    if (message.type() === 'error' && !/status of 40[01]/.test(message.text())) problems.push(`${name} console error: ${message.text()}`);
  });
}

async function signIn(page: Page, email: string, password: string): Promise<void> {
  const form = page.locator('#signin-form');
  await form.getByLabel('E-mail').fill(email);
  await form.getByLabel('Mot de passe').fill(password);
  await form.getByRole('button', { name: 'Se connecter' }).click();
}

async function noSideways(page: Page): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
}

describe('dashboard sign-in and admin panel in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  // The packaged Chromium runs single-process, where contexts share one cookie jar: each person gets their own
  // browser, so a session cookie (HttpOnly refresh token) never leaks from one person to the next.
  const others: Browser[] = [];
  const ownBrowser = async () => {
    const own = await launch();
    others.push(own);
    return own;
  };
  let shots: { path: string; remove(): Promise<void> };
  const laptop = { viewport: { width: 1280, height: 800 } };
  const phone = { viewport: { width: 390, height: 780 }, isMobile: true, hasTouch: true };
  before(async () => {
    t = await startApp({
      modules: [createWebchatModule()],
      env: { ENABLE_CHATBOT: 'false', ENABLE_AUTO_ANALYTICS: 'false', WEBCHAT_SECRET: 'login-test-secret' },
    });
    browser = await launch();
    shots = process.env.SCREENSHOT_DIR
      ? { path: process.env.SCREENSHOT_DIR, remove: () => Promise.resolve() }
      : await tempDir('freeda-login-shots-');
    await mkdir(shots.path, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    for (const own of others) await own.close();
    await t?.stop();
    await shots?.remove();
  });

  it('no agent yet: the page explains agents:add instead of the form', async () => {
    const problems: string[] = [];
    const context = await browser.newContext(phone);
    const page = await context.newPage();
    watch(page, problems, 'first');
    await page.goto(`${t.url}/agent`);
    await page.locator('#no-agents').waitFor();
    assert.match((await page.locator('#no-agents').textContent()) ?? '', /npm run freeda -- agents:add --email .* --role admin/);
    assert.equal(await page.locator('#signin-form').isVisible(), false);
    assert.ok(await page.getByLabel("Jeton d'API").isVisible(), 'services keep the API-token entry');
    await page.screenshot({ path: join(shots.path, 'login-no-agents-phone.png') });
    await noSideways(page);

    assert.deepEqual(problems, []);
  });

  it('admin creates an agent; the agent signs in, replies to a web chat, closes it, signs out', async () => {
    const problems: string[] = [];
    await addAgent(t, 'admin@example.fr', 'Nadia Admin', 'admin');

    // Admin, laptop: wrong password first (a clear message), then signed in.
    const adminContext = await (await ownBrowser()).newContext(laptop);
    const admin = await adminContext.newPage();
    watch(admin, problems, 'admin');
    await admin.goto(`${t.url}/agent`);
    await signIn(admin, 'admin@example.fr', 'not the password');
    await admin.getByText('E-mail ou mot de passe incorrect.').waitFor();
    await signIn(admin, 'admin@example.fr', PASSWORD);
    await admin.locator('#whoami', { hasText: 'Nadia Admin · administrateur' }).waitFor();
    await admin.locator('#live[data-state="online"]').waitFor();
    assert.equal(await admin.getByRole('link', { name: 'Rapports' }).getAttribute('href'), '/agent/reports');

    // A reload resumes the session through the refresh cookie (the access token lives in memory only).
    await admin.reload();
    await admin.locator('#whoami', { hasText: 'Nadia Admin' }).waitFor();
    assert.equal(await admin.evaluate(() => JSON.stringify(sessionStorage)), '{}', 'nothing kept in sessionStorage');

    // Account panel: add an agent; the one-time password is shown once.
    await admin.getByRole('button', { name: 'Compte' }).click();
    await admin.locator('#agents-list [data-agent-id]').first().waitFor();
    await admin.getByLabel('Nom', { exact: true }).fill('Camille Durand');
    await admin.locator('#new-agent-email').fill('camille@example.fr');
    await admin.locator('#new-agent-role').selectOption('agent');
    await admin.getByRole('button', { name: 'Ajouter l’agent' }).click();
    await admin.locator('#account-secret', { hasText: 'Camille Durand' }).waitFor();
    const password = ((await admin.locator('#account-secret .secret').textContent()) ?? '').trim();
    assert.match(password, /^[A-Za-z0-9]{16}$/);
    await admin.locator('#agents-list li', { hasText: 'camille@example.fr' }).waitFor();

    // A personal token: created (shown once), listed, revoked.
    await admin.getByLabel('Nom du jeton').fill('export nocturne');
    await admin.getByRole('button', { name: 'Créer le jeton' }).click();
    await admin.locator('#account-secret', { hasText: 'export nocturne' }).waitFor();
    const token = ((await admin.locator('#account-secret .secret').textContent()) ?? '').trim();
    assert.equal((await fetch(`${t.url}/me`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
    await admin.locator('#tokens-list li', { hasText: 'export nocturne' }).getByRole('button', { name: 'Révoquer' }).click();
    await admin.locator('#tokens-empty').waitFor();
    assert.equal((await fetch(`${t.url}/me`, { headers: { authorization: `Bearer ${token}` } })).status, 401);
    await admin.screenshot({ path: join(shots.path, 'login-admin-laptop.png'), fullPage: true });
    await admin.setViewportSize(phone.viewport);
    await admin.screenshot({ path: join(shots.path, 'login-admin-phone.png'), fullPage: true });
    await noSideways(admin);

    // A visitor opens a web chat.
    const visitor = await (await browser.newContext(phone)).newPage();
    watch(visitor, problems, 'visitor');
    await visitor.goto(`${t.url}/chat`);
    await visitor.locator('#connection[data-state="online"]').waitFor();
    await visitor.getByLabel('Votre message').fill('Bonjour, ma commande n’est pas arrivée');
    await visitor.getByLabel('Votre message').press('Enter');
    await visitor.locator('.msg-customer:not(:has(.state))').waitFor();

    // The new agent, phone, fresh context: signs in with the one-time password.
    const agentContext = await (await ownBrowser()).newContext(phone);
    const agent = await agentContext.newPage();
    watch(agent, problems, 'agent');
    await agent.goto(`${t.url}/agent`);
    await signIn(agent, 'camille@example.fr', password);
    await agent.locator('#whoami', { hasText: 'Camille Durand · agent' }).waitFor();
    await agent.locator('#live[data-state="online"]').waitFor();
    await agent.locator('.ticket-item button').first().click();
    await agent.getByLabel('Votre réponse').fill('Je regarde votre commande tout de suite.');
    await agent.getByRole('button', { name: 'Envoyer' }).click();
    await visitor.locator('.msg-agent', { hasText: 'Je regarde votre commande' }).waitFor();
    assert.equal(await visitor.locator('.msg-agent .meta span').first().textContent(), 'Camille');
    await agent.getByRole('button', { name: 'Fermer le ticket' }).click();
    await agent.getByRole('button', { name: 'Rouvrir le ticket' }).waitFor();
    await agent.screenshot({ path: join(shots.path, 'login-agent-phone.png') });
    await noSideways(agent);

    const ticketId = await agent.locator('.ticket-item').first().getAttribute('data-ticket-id');
    const detail = (await (await t.api(`/tickets/${ticketId}`)).json()) as {
      status: string;
      messages: { author: string; agent_id?: string; author_name?: string }[];
    };
    const agents = (await (await t.api('/agents')).json()) as { items: { agent_id: string; email: string }[] };
    const camille = agents.items.find((a) => a.email === 'camille@example.fr')!;
    assert.equal(detail.status, 'fermé');
    const reply = detail.messages.find((m) => m.author === 'agent')!;
    assert.equal(reply.agent_id, camille.agent_id);
    assert.equal(reply.author_name, 'Camille Durand');

    // Signing out ends the session: the form again, and a reload does not resume it.
    await agent.getByRole('button', { name: 'Se déconnecter' }).click();
    await agent.locator('#signin-form').getByLabel('Mot de passe').waitFor();
    await agent.reload();
    await agent.locator('#signin-form').getByLabel('Mot de passe').waitFor();
    assert.equal(await agent.locator('#dashboard').isVisible(), false);
    assert.equal(await agent.evaluate(async () => (await fetch('/auth/refresh', { method: 'POST' })).status), 401);
    assert.deepEqual(problems, []);
  });

  it('an analyst reads tickets with the Rapports link but no reply box nor status button', async () => {
    const problems: string[] = [];
    await addAgent(t, 'ana@example.fr', 'Ana Lyste', 'analyst');
    const page = await (await (await ownBrowser()).newContext(laptop)).newPage();
    watch(page, problems, 'analyst');
    await page.goto(`${t.url}/agent`);
    await signIn(page, 'ana@example.fr', PASSWORD);
    await page.locator('#whoami', { hasText: 'Ana Lyste · analyste' }).waitFor();
    await page.locator('.ticket-item button').first().click();
    await page.locator('#conv-messages .msg-agent').waitFor();
    assert.equal(await page.locator('#reply-form').isVisible(), false);
    assert.equal(await page.locator('#toggle-status').isVisible(), false);
    assert.ok(await page.getByRole('link', { name: 'Rapports' }).isVisible());
    // The reports page uses the same session (refresh cookie): no token asked.
    await page.getByRole('link', { name: 'Rapports' }).click();
    await page.waitForURL(/\/agent\/reports$/);
    await page.locator('canvas').first().waitFor();
    assert.equal(await page.locator('#token-form').isVisible(), false);
    await page.screenshot({ path: join(shots.path, 'login-analyst-reports.png') });
    assert.deepEqual(problems, []);
  });
});
