// The agent workspace in Chromium: an agent searches a ticket by phone number, assigns it to herself, adds an internal
// note, answers with a canned reply, and is notified of a new web chat; screenshots at laptop and phone widths
// (kept in SCREENSHOT_DIR when set, to be looked at).
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium as playwright, type Browser, type Page } from 'playwright-core';
import { tempDir } from '../helpers/tmp.js';
import { startWorkspaceApp, type WorkspaceApp } from '../workspace/setup.js';

async function launch(): Promise<Browser> {
  const chromium = (await import('@sparticuz/chromium')).default;
  return playwright.launch({
    executablePath: await chromium.executablePath(),
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

function watch(page: Page, problems: string[], name: string): void {
  page.on('pageerror', (error) => problems.push(`${name} page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/status of 40[01]/.test(message.text())) problems.push(`${name} console error: ${message.text()}`);
  });
}

describe('agent workspace in Chromium', () => {
  let w: WorkspaceApp;
  let browser: Browser;
  let shots: { path: string; remove(): Promise<void> };
  before(async () => {
    w = await startWorkspaceApp('json');
    browser = await launch();
    shots = process.env.SCREENSHOT_DIR
      ? { path: process.env.SCREENSHOT_DIR, remove: () => Promise.resolve() }
      : await tempDir('freeda-ws-shots-');
    await mkdir(shots.path, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await w?.stop();
    await shots?.remove();
  });

  it('search by phone, assign to self, note, canned reply, notification for a new chat', async () => {
    const problems: string[] = [];
    const ticketId = await w.sms('+33612345678', 'Ma box ne marche plus depuis ce matin');
    await w.sms('+33699999999', 'Autre client, autre souci');
    await w.json('/canned-replies', {
      method: 'POST',
      body: JSON.stringify({ shortcut: 'merci', title: 'Remerciement', text: 'Merci, {{agent.name}} suit votre dossier {{ticket.id}}.' }),
    });

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    // The headless shell has no notification service (it answers "denied" whatever is granted): the permission is
    // granted here and each notification the page creates is recorded with its title and body.
    // A string, not a function: the test runner's transpiler would add helpers the page does not have.
    await context.addInitScript(`
      window.__notifications = [];
      class Recorded {
        static permission = 'granted';
        static requestPermission() { return Promise.resolve('granted'); }
        constructor(title, options) { window.__notifications.push(title + ' | ' + ((options && options.body) || '')); }
        close() {}
      }
      Object.defineProperty(window, 'Notification', { value: Recorded, configurable: true, writable: true });
    `);
    const agent = await context.newPage();
    watch(agent, problems, 'agent');
    await agent.goto(w.t.url + '/agent');
    await agent.getByLabel("Jeton d'API").fill('tok-alice');
    await agent.keyboard.press('Enter');
    await agent.locator('#live[data-state="online"]').waitFor();
    assert.equal(await agent.locator('.ticket-item').count(), 2);

    // Search by phone number, typed as people do.
    await agent.getByLabel('Recherche').fill('06 12 34 56 78');
    await agent.waitForFunction(() => document.querySelectorAll('.ticket-item').length === 1);
    assert.equal(await agent.locator('.ticket-item').getAttribute('data-ticket-id'), ticketId);
    await agent.locator('.ticket-item button').click();
    await agent.getByLabel('Recherche').fill('box');
    await agent.locator('#conv-messages mark', { hasText: 'box' }).waitFor();

    // Assign to self; "Mes tickets" shows it.
    await agent.getByRole('button', { name: 'M’assigner' }).click();
    await agent.getByRole('button', { name: 'Me désassigner' }).waitFor();
    await agent.getByLabel('Recherche').fill('');
    await agent.getByLabel('Vue').selectOption('me');
    await agent.waitForFunction(() => document.querySelectorAll('.ticket-item').length === 1);
    assert.equal((await w.json<{ assignee_id: string }>(`/tickets/${ticketId}`)).assignee_id, 'ag_alice');

    // Internal note, shown apart.
    await agent.getByLabel('Note interne').check();
    await agent.getByLabel('Votre réponse').fill('Client fidèle : proposer un geste');
    await agent.getByRole('button', { name: 'Envoyer' }).click();
    await agent.locator('.msg-internal', { hasText: 'proposer un geste' }).waitFor();
    assert.match((await agent.locator('.msg-internal .author').textContent()) ?? '', /Note interne · Alice Martin/);
    await agent.getByLabel('Note interne').uncheck();

    // Canned reply through "/".
    await agent.getByLabel('Votre réponse').fill('');
    await agent.getByLabel('Votre réponse').pressSequentially('/mer');
    await agent.locator('.canned-item', { hasText: '/merci' }).waitFor();
    await agent.getByLabel('Votre réponse').press('Enter');
    assert.equal(await agent.getByLabel('Votre réponse').inputValue(), `Merci, Alice Martin suit votre dossier ${ticketId}.`);
    await agent.getByRole('button', { name: 'Envoyer' }).click();
    await agent.locator('.msg-agent:not(.msg-internal)', { hasText: 'Alice Martin suit votre dossier' }).waitFor();
    await w.twilio.waitForCreates(1);
    assert.equal(w.twilio.creates.filter((c) => c.params.Body?.includes('proposer un geste')).length, 0, 'the note was not sent');
    assert.ok(w.twilio.creates.some((c) => c.params.Body === `Merci, Alice Martin suit votre dossier ${ticketId}.`));
    await agent.screenshot({ path: join(shots.path, 'workspace-laptop.png') });

    // A new web chat: notification and unread count in the title.
    await agent.getByLabel('Vue').selectOption('');
    const visitor = await (await browser.newContext({ viewport: { width: 390, height: 780 }, isMobile: true })).newPage();
    watch(visitor, problems, 'visitor');
    await visitor.goto(w.t.url + '/chat');
    await visitor.locator('#connection[data-state="online"]').waitFor();
    await visitor.getByLabel('Votre message').fill('Bonjour, une question sur mon abonnement');
    await visitor.getByLabel('Votre message').press('Enter');
    assert.equal(await agent.evaluate(() => Notification.permission), 'granted');
    await agent.waitForFunction(() => (window as unknown as { __notifications: string[] }).__notifications.length > 0);
    const notes = await agent.evaluate(() => (window as unknown as { __notifications: string[] }).__notifications);
    assert.ok(
      notes.some((n) => n.includes('abonnement')),
      JSON.stringify(notes),
    );
    await agent.waitForFunction(() => /^\(1\) /.test(document.title));

    // Phone width: the list fits, no sideways scroll.
    await agent.setViewportSize({ width: 390, height: 780 });
    await agent
      .locator('#back')
      .click()
      .catch(() => undefined);
    await agent.screenshot({ path: join(shots.path, 'workspace-phone-list.png') });
    const overflow = await agent.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    const widest = await agent.evaluate(() => {
      type Box = { tagName: string; className: string; id: string; getBoundingClientRect(): { right: number } };
      const limit = document.documentElement.clientWidth + 0.5;
      return (Array.from(document.querySelectorAll('body *')) as unknown as Box[])
        .filter((e) => e.getBoundingClientRect().right > limit)
        .slice(0, 5)
        .map((e) => `${e.tagName}.${e.className}#${e.id} right=${Math.round(e.getBoundingClientRect().right)}`);
    });
    assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px: ${widest.join(', ')}`);
    await agent.locator('.ticket-item button').first().click();
    await agent.screenshot({ path: join(shots.path, 'workspace-phone-conversation.png') });
    assert.deepEqual(problems, []);
  });
});
