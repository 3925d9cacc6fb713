// `freeda simulate chat "text"` through runCli against a running server; an agent answers on the bus.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createWebchatModule } from '../../adapters/webchat/index.js';
import { runCli } from '../../src/cli.js';
import { parseConfig } from '../../src/config.js';
import { startApp, type TestApp } from '../helpers/app.js';

async function simulate(t: TestApp, args: string[]): Promise<{ code: number; out: string }> {
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (d) => (out += d));
  const config = () => parseConfig({ API_TOKENS: t.token, LOG_LEVEL: 'silent' });
  const code = await runCli(['simulate', 'chat', ...args, '--url', t.url], { stdin: new PassThrough(), stdout, stderr: stdout }, config);
  return { code, out };
}

describe('freeda simulate chat', () => {
  let t: TestApp;
  before(async () => {
    t = await startApp({ modules: [createWebchatModule()], env: { ENABLE_CHATBOT: 'false', ENABLE_AUTO_ANALYTICS: 'false' } });
    // Stand-in for the bot: answer each customer chat message.
    t.app.bus.subscribe((event) => {
      const data = event.data as { ticket_id: string; author?: string; text?: string };
      if (event.type === 'message.created' && data.author === 'customer') void t.app.pipeline.agentReply(data.ticket_id, { text: `Réponse à « ${data.text} »` });
    });
  });
  after(async () => {
    await t.stop();
  });

  it('prints the visitor token, the ticket id and the reply; --from <token> continues the conversation', async () => {
    const first = await simulate(t, ['Bonjour depuis le simulateur', '--from', 'Client Test']);
    assert.equal(first.code, 0);
    const token = /visitor_token: (\S+)/.exec(first.out)?.[1];
    const ticketId = /ticket_id: ([0-9A-Z]{26})/.exec(first.out)?.[1];
    assert.ok(token && ticketId, first.out);
    assert.match(first.out, /agent: Réponse à « Bonjour depuis le simulateur »/);
    const ticket = (await (await t.api(`/tickets/${ticketId}`)).json()) as { channel: string; contact: { display_name: string } };
    assert.equal(ticket.channel, 'chat');
    assert.equal(ticket.contact.display_name, 'Client Test');

    const second = await simulate(t, ['Encore moi', '--from', token!]);
    assert.equal(/ticket_id: (\S+)/.exec(second.out)?.[1], ticketId);
    assert.match(second.out, /agent: Réponse à « Encore moi »/);
  });
});
