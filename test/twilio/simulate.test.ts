// `freeda simulate sms|whatsapp` against a real running server: signed webhook accepted, ticket id and reply printed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { twilioModule } from '../../adapters/twilio/index.js';
import { simulateEnv } from '../../src/cli/simulate.js';
import { parseModuleConfig } from '../../src/config.js';
import { startApp, eventually, TEST_TOKEN, type TestApp } from '../helpers/app.js';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio.js';

const TOKEN = 'simulate-token-123';
let fake: FakeTwilio;
before(async () => {
  fake = await startFakeTwilio();
});
after(async () => {
  await fake.close();
});

const twilioEnv = () => ({
  TWILIO_ACCOUNT_SID: 'AC' + '3'.repeat(32),
  TWILIO_AUTH_TOKEN: TOKEN,
  TWILIO_SMS_FROM: '+15005550006',
  TWILIO_WHATSAPP_FROM: 'whatsapp:+14155238886',
  TWILIO_API_BASE_URL: fake.url,
  ENABLE_CHATBOT: 'false',
  ENABLE_AUTO_ANALYTICS: 'false',
});

async function simulate(
  app: TestApp,
  kind: 'sms' | 'whatsapp',
  text: string,
  options: Record<string, string>,
  cliEnv: Record<string, string>,
): Promise<{ lines: string[]; ticketId: string | null }> {
  const lines: string[] = [];
  const run = twilioModule.simulators!(parseModuleConfig(twilioModule, cliEnv))[kind](
    { text, from: options.from, options },
    simulateEnv({ serverUrl: app.url, apiToken: TEST_TOKEN, print: (line) => void lines.push(line) }),
  );
  // Play the agent: once the ticket exists, answer it, so the simulator has a reply to print.
  const ticketId = await eventually(async () => {
    const items = ((await (await app.api('/tickets')).json()) as { items: Array<{ ticket_id: string; channel: string }> }).items;
    return items.find((t) => t.channel === kind)?.ticket_id ?? null;
  });
  await app.api(`/tickets/${ticketId}/messages`, { method: 'POST', body: JSON.stringify({ text: 'Réponse de l’agent' }) });
  await run;
  return { lines, ticketId };
}

test('simulate sms without PUBLIC_BASE_URL: signed as the server expects, prints the ticket id and the reply', async () => {
  const app = await startApp({ env: twilioEnv(), modules: [twilioModule] });
  try {
    const { lines, ticketId } = await simulate(app, 'sms', 'Ma box ne marche plus', { from: '06 11 22 33 44', wait: '10' }, twilioEnv());
    assert.ok(lines.includes(`ticket: ${ticketId}`), lines.join('\n'));
    assert.ok(
      lines.some((l) => l.startsWith('agent: Réponse de l’agent')),
      lines.join('\n'),
    );
    const detail = (await (await app.api(`/tickets/${ticketId}`)).json()) as {
      contact: { address: string };
      messages: Array<{ text: string }>;
    };
    assert.equal(detail.contact.address, '+33611223344');
    assert.equal(detail.messages[0].text, 'Ma box ne marche plus');
  } finally {
    await app.stop();
  }
});

test('simulate whatsapp with PUBLIC_BASE_URL and --media: whatsapp ticket with the attachment', async () => {
  const env = { ...twilioEnv(), PUBLIC_BASE_URL: 'https://freeda.example.org' };
  const app = await startApp({ env, modules: [twilioModule] });
  try {
    const { lines, ticketId } = await simulate(
      app,
      'whatsapp',
      'Voici une photo',
      { media: 'https://example.com/photo.jpg', name: 'Zoë' },
      env,
    );
    assert.ok(lines.includes(`ticket: ${ticketId}`), lines.join('\n'));
    const detail = (await (await app.api(`/tickets/${ticketId}`)).json()) as {
      contact: { address: string; display_name: string };
      messages: Array<{ attachments: Array<{ url: string }> }>;
    };
    assert.deepEqual(detail.contact, { address: 'whatsapp:+33612345678', display_name: 'Zoë' });
    assert.equal(detail.messages[0].attachments[0].url, 'https://example.com/photo.jpg');
  } finally {
    await app.stop();
  }
});

test('simulate with a different auth token than the server: 403 reported, nothing stored', async () => {
  const app = await startApp({ env: twilioEnv(), modules: [twilioModule] });
  try {
    const lines: string[] = [];
    await assert.rejects(
      twilioModule.simulators!(parseModuleConfig(twilioModule, { ...twilioEnv(), TWILIO_AUTH_TOKEN: 'wrong' })).sms(
        { text: 'x', options: {} },
        simulateEnv({ serverUrl: app.url, apiToken: TEST_TOKEN, print: (l) => void lines.push(l) }),
      ),
      /HTTP 403 \(signed for .*TWILIO_AUTH_TOKEN/,
    );
    assert.ok(
      lines.some((l) => l.startsWith('The server answered 403')),
      lines.join('\n'),
    );
    const items = ((await (await app.api('/tickets')).json()) as { items: unknown[] }).items;
    assert.equal(items.length, 0);
  } finally {
    await app.stop();
  }
});

test('simulate without TWILIO_AUTH_TOKEN says the server needs it', async () => {
  await assert.rejects(
    twilioModule.simulators!(parseModuleConfig(twilioModule, {})).whatsapp(
      { text: 'x', options: {} },
      simulateEnv({ serverUrl: 'http://127.0.0.1:9', apiToken: null, print: () => undefined }),
    ),
    /TWILIO_AUTH_TOKEN is not set/,
  );
});
