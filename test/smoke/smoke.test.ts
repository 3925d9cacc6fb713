// Smoke suite (also run on Node 24 by .ci/run): the real entry point started on port 0 with the json store, one real-shaped
// inbound per channel — signed Twilio SMS, WhatsApp and voice webhooks, a SendGrid Inbound Parse post, a web-chat
// WebSocket visitor — then the CSV export has one row per channel.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parseConfig } from '../../src/config.js';
import type { SimulateEnv } from '../../src/domain/channel.js';
import { channelModules } from '../../src/registry.js';
import { startMain, type MainProcess } from '../helpers/main-process.js';
import { tempDir } from '../helpers/tmp.js';

const env = {
  API_TOKENS: 'smoke-token',
  TWILIO_AUTH_TOKEN: 'smoke-twilio-auth-token',
  INBOUND_EMAIL_SECRET: 'smoke-inbound-secret',
  ANALYTICS_DEBOUNCE_MS: '20',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

let server: MainProcess;
let dir: Awaited<ReturnType<typeof tempDir>>;

before(async () => {
  dir = await tempDir('freeda-smoke-');
  server = await startMain({ env: { ...process.env, ...env, DATA_DIR: dir.path } });
});
after(async () => {
  await server?.stop();
  await dir?.remove();
});

test(`node ${process.version}: one inbound per channel, then the CSV export`, async () => {
  const config = parseConfig({ ...env, PORT: String(server.port) });
  const simulators = Object.fromEntries(channelModules.flatMap((m) => Object.entries(m.simulators?.(config) ?? {})));
  const printed: string[] = [];
  const simulateEnv: SimulateEnv = {
    serverUrl: server.url,
    print: (line) => printed.push(line),
    showReply: () => Promise.resolve(),
  };
  const kinds = {
    sms: 'Bonjour, ma facture est fausse',
    whatsapp: 'Ma box ne marche plus',
    voice: 'Je voudrais résilier',
    email: 'Où est mon colis ?',
    chat: 'Bonjour',
  };
  for (const [kind, text] of Object.entries(kinds)) {
    assert.ok(simulators[kind], `a simulator for ${kind}`);
    await simulators[kind]({ text, options: { wait: '0' } }, simulateEnv);
  }
  assert.equal(process.exitCode ?? 0, 0, printed.join('\n'));

  const res = await fetch(`${server.url}/export/csv`, { headers: { authorization: 'Bearer smoke-token' } });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/csv/);
  const [header, ...rows] = (await res.text()).trim().split(/\r?\n/);
  assert.match(header, /^ticket_id,created_at,closed_at,status,channel,/);
  const channels = rows.map((row) => row.split(',')[4]).sort();
  assert.deepEqual(channels, ['chat', 'email', 'sms', 'telephone', 'whatsapp']);
});
