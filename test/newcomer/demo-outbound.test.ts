// Issue #14 item 8: DEMO_OUTBOUND=log — replies on channels without provider credentials are marked delivered and written to
// DATA_DIR/outbox.log, so the CSV's response times fill in; the default stays `failed outbound_disabled`.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { twilioModule } from '../../adapters/twilio/index.js';
import { parseConfig, parseModuleConfig } from '../../src/config.js';
import type { SimulateEnv } from '../../src/domain/channel.js';
import { eventually, startApp, type TestApp } from '../helpers/app.js';

interface TicketView {
  messages: Array<{ direction: string; text: string; delivery: { status: string; error_code: string | null } | null }>;
}

async function smsWithBotReply(t: TestApp): Promise<{ ticketId: string; reply: TicketView['messages'][number] }> {
  const config = parseModuleConfig(twilioModule, { TWILIO_AUTH_TOKEN: 'demo-auth', PORT: new URL(t.url).port });
  let ticketId = '';
  const env: SimulateEnv = {
    serverUrl: t.url,
    print: () => undefined,
    showReply: (id) => {
      ticketId = id;
      return Promise.resolve();
    },
  };
  await twilioModule.simulators!(config).sms({ text: 'Bonjour, ma facture est fausse', options: {} }, env);
  assert.ok(ticketId);
  const reply = await eventually(async () => {
    const view = (await (await t.api(`/tickets/${ticketId}`)).json()) as TicketView;
    const out = view.messages.find((m) => m.direction === 'outbound');
    return out && out.delivery && !['queued', 'sent'].includes(out.delivery.status) ? out : null;
  });
  return { ticketId, reply };
}

const csvRow = async (t: TestApp, ticketId: string) => {
  const [header, row] = (await (await t.api(`/export/csv/${ticketId}`)).text()).trim().split(/\r?\n/);
  const columns = header.split(',');
  const cells = row.split(',');
  return (name: string) => cells[columns.indexOf(name)];
};

test('DEMO_OUTBOUND=log: the bot reply on SMS is delivered to the outbox, the CSV has response times', async () => {
  const t = await startApp({ modules: [twilioModule], env: { TWILIO_AUTH_TOKEN: 'demo-auth', DEMO_OUTBOUND: 'log' } });
  try {
    const { ticketId, reply } = await smsWithBotReply(t);
    assert.equal(reply.delivery?.status, 'delivered');
    const outbox = (await readFile(join(t.dataDir, 'outbox.log'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, string>);
    const line = outbox.find((l) => l.ticket_id === ticketId);
    assert.ok(line, 'the reply is in the outbox');
    assert.equal(line.channel, 'sms');
    assert.equal(line.text, reply.text);
    const cell = await csvRow(t, ticketId);
    assert.match(cell('first_response_time_seconds'), /^\d+(\.\d+)?$/);
    assert.match(cell('avg_response_time_seconds'), /^\d+(\.\d+)?$/);
  } finally {
    await t.stop();
  }
});

test('default: the same reply fails outbound_disabled and nothing is written to the outbox', async () => {
  const t = await startApp({ modules: [twilioModule], env: { TWILIO_AUTH_TOKEN: 'demo-auth' } });
  try {
    const { reply } = await smsWithBotReply(t);
    assert.equal(reply.delivery?.status, 'failed');
    assert.equal(reply.delivery?.error_code, 'outbound_disabled');
    await assert.rejects(readFile(join(t.dataDir, 'outbox.log')));
  } finally {
    await t.stop();
  }
});

test('DEMO_OUTBOUND takes off or log only', () => {
  assert.throws(() => parseConfig({ DEMO_OUTBOUND: 'yes' }), /DEMO_OUTBOUND: must be off or log/);
});
