// `freeda simulate chat "text"` through runCli against a running server with the (template) chatbot on.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createWebchatModule } from '../../adapters/webchat/index.js';
import { simulators } from '../../adapters/webchat/simulate.js';
import { runCli } from '../../src/cli.js';
import { simulateEnv } from '../../src/cli/simulate.js';
import { parseConfig } from '../../src/config.js';
import { startApp, type TestApp } from '../helpers/app.js';

const cliConfig = (t: TestApp) => parseConfig({ API_TOKENS: t.token, LOG_LEVEL: 'silent' });

async function simulate(t: TestApp, args: string[]): Promise<{ code: number; out: string }> {
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (d) => (out += d));
  const code = await runCli(['simulate', 'chat', ...args, '--url', t.url], { stdin: new PassThrough(), stdout, stderr: stdout }, () =>
    cliConfig(t),
  );
  return { code, out };
}

describe('freeda simulate chat', () => {
  let t: TestApp;
  before(async () => {
    t = await startApp({ modules: [createWebchatModule()], env: { ENABLE_AUTO_ANALYTICS: 'false' } });
  });
  after(async () => {
    await t.stop();
  });

  it('prints the visitor token, the ticket id and the bot reply pushed over the socket', async () => {
    const first = await simulate(t, ['Bonjour, ma facture de mars est fausse', '--from', 'Client Test']);
    assert.equal(first.code, 0);
    const token = /visitor_token: (\S+)/.exec(first.out)?.[1];
    const ticketId = /ticket_id: ([0-9A-Z]{26})/.exec(first.out)?.[1];
    assert.ok(token && ticketId, first.out);
    const botLine = /^bot: (.+)$/m.exec(first.out)?.[1];
    assert.ok(botLine, first.out);
    const ticket = (await (await t.api(`/tickets/${ticketId}`)).json()) as {
      channel: string;
      contact: { display_name: string };
      messages: Array<{ author: string; text: string; delivery: { status: string } | null }>;
    };
    assert.equal(ticket.channel, 'chat');
    assert.equal(ticket.contact.display_name, 'Client Test');
    const bot = ticket.messages.find((m) => m.author === 'bot');
    assert.equal(bot?.text, botLine);
    assert.equal(bot?.delivery?.status, 'delivered', 'pushed to the open socket');

    // --from <token> continues the same visitor's open ticket.
    const lines: string[] = [];
    await simulators.chat(
      { text: 'Encore moi', from: token, options: { wait: '0.2' } },
      simulateEnv({ serverUrl: t.url, apiToken: t.token, print: (l) => lines.push(l) }),
    );
    assert.ok(lines.includes(`ticket_id: ${ticketId}`), lines.join('\n'));
  });

  it('fails with a clear error when the server is not there', async () => {
    await assert.rejects(
      simulators.chat({ text: 'x', options: {} }, simulateEnv({ serverUrl: 'http://127.0.0.1:9', apiToken: null, print: () => undefined })),
      /cannot reach ws:\/\/127\.0\.0\.1:9\/ws/,
    );
  });
});
