// `freeda simulate voice` against the real server: it follows the TwiML, signs every request, and the call lands on a ticket.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { twilioModule } from '../../adapters/twilio/index.js';
import { simulateVoice } from '../../adapters/twilio/voice/simulate.js';
import { simulateEnv } from '../../src/cli/simulate.js';
import { parseModuleConfig } from '../../src/config.js';
import type { Message, Ticket } from '../../src/domain/types.js';
import { startApp, TEST_TOKEN } from '../helpers/app.js';

const ENV = {
  PUBLIC_BASE_URL: 'https://voice.example.org',
  TWILIO_AUTH_TOKEN: 'simulate_voice_token',
  ENABLE_CHATBOT: 'false',
  ENABLE_AUTO_ANALYTICS: 'false',
};

test('simulate voice: call start, two speech turns split on " | ", hang-up; prints the TwiML turns and the ticket', async (t) => {
  const app = await startApp({ modules: [twilioModule], env: ENV });
  t.after(() => app.stop());
  const lines: string[] = [];
  await simulateVoice(
    { text: 'Ma box ne démarre plus | Le voyant clignote en rouge', from: '06 12 34 56 78', options: {} },
    simulateEnv({ serverUrl: app.url, apiToken: TEST_TOKEN, print: (line) => lines.push(line) }),
    parseModuleConfig(twilioModule, { ...ENV, API_TOKENS: TEST_TOKEN }),
  );
  const output = lines.join('\n');
  assert.match(output, /from \+33612345678/);
  assert.match(output, /<Say fr-FR> Bonjour/);
  assert.match(output, /caller: « Ma box ne démarre plus » {2}→ POST \/webhooks\/twilio\/voice\/gather\?step=1/);
  assert.match(output, /caller: « Le voyant clignote en rouge » {2}→ POST \/webhooks\/twilio\/voice\/gather\?step=2/);
  const ticketLine = lines.find((l) => l.startsWith('ticket: '));
  assert.ok(ticketLine, output);
  const ticketId = ticketLine.slice('ticket: '.length);
  const res = await app.api(`/tickets/${ticketId}`);
  const ticket = (await res.json()) as Ticket & { messages: Message[] };
  assert.equal(ticket.channel, 'telephone');
  assert.equal(ticket.contact.address, '+33612345678');
  assert.deepEqual(
    ticket.messages.map((m) => m.author + ':' + m.text.replace(/\(durée \d+ s\)/, '(durée N s)')),
    [
      'system:Appel entrant de +33612345678',
      'customer:Ma box ne démarre plus',
      'customer:Le voyant clignote en rouge',
      'system:Appel terminé (durée N s)',
    ],
  );
});

test('simulate voice: silence twice leads to the voicemail, stored with the fallback text', async (t) => {
  const app = await startApp({ modules: [twilioModule], env: ENV });
  t.after(() => app.stop());
  const lines: string[] = [];
  await simulateVoice(
    { text: ' |  | (message)', options: { from: '+33700000001' } },
    simulateEnv({ serverUrl: app.url, apiToken: TEST_TOKEN, print: (line) => lines.push(line) }),
    parseModuleConfig(twilioModule, { ...ENV, API_TOKENS: TEST_TOKEN }),
  );
  const output = lines.join('\n');
  assert.match(output, /caller: \(silence\)/);
  assert.match(output, /<Record maxLength=120>/);
  const ticketId = lines.find((l) => l.startsWith('ticket: '))?.slice('ticket: '.length);
  assert.ok(ticketId, output);
  const ticket = (await (await app.api(`/tickets/${ticketId}`)).json()) as Ticket & { messages: Message[] };
  assert.ok(
    ticket.messages.some(
      (m) => m.author === 'customer' && m.text === '[Message vocal — transcription indisponible]' && m.attachments.length === 1,
    ),
  );
});

test('simulate voice with the wrong auth token fails with the 403 explained; without PUBLIC_BASE_URL it signs like the server', async (t) => {
  const app = await startApp({ modules: [twilioModule], env: ENV });
  t.after(() => app.stop());
  const lines: string[] = [];
  await assert.rejects(
    simulateVoice(
      { text: 'Bonjour', options: {} },
      simulateEnv({ serverUrl: app.url, apiToken: null, print: (line) => lines.push(line) }),
      parseModuleConfig(twilioModule, { ...ENV, TWILIO_AUTH_TOKEN: 'wrong' }),
    ),
    /HTTP 403.*same TWILIO_AUTH_TOKEN/,
  );
  assert.match(lines.join('\n'), /answered 403/);

  // A server without PUBLIC_BASE_URL checks signatures against http://localhost:<port>.
  const { PUBLIC_BASE_URL: _unused, ...local } = ENV;
  const localApp = await startApp({ modules: [twilioModule], env: local });
  t.after(() => localApp.stop());
  const localLines: string[] = [];
  await simulateVoice(
    { text: 'Bonjour', options: {} },
    simulateEnv({ serverUrl: localApp.url, apiToken: null, print: (line) => localLines.push(line) }),
    parseModuleConfig(twilioModule, local),
  );
  assert.ok(
    localLines.some((l) => l.startsWith('ticket: ')),
    localLines.join('\n'),
  );
});
