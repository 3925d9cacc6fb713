import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startApp, type TestApp } from '../helpers/app.js';
import { tempDir } from '../helpers/tmp.js';
import { at, csvRecords, customer, parseCsv, reply, settle, withStore } from './fixtures.js';

// Written out literally (not imported) so a change to the column list fails here.
const EXPECTED_HEADER = [
  'ticket_id',
  'created_at',
  'closed_at',
  'status',
  'channel',
  'sentiment',
  'category',
  'urgency',
  'summary',
  'messages_count',
  'resolution_duration_seconds',
  'resolution_duration_hours',
  'first_response_time_seconds',
  'avg_response_time_seconds',
  'contact',
  'contact_name',
  'previous_ticket_id',
  'handled_by',
  'reopen_count',
  'bot_first_response_time_seconds',
  'first_human_response_time_seconds',
  'analytics_source',
  'subject',
  'assignee_id',
  'closed_by',
  'first_human_responder',
];

const EXPORT_DAY = new Date('2026-06-01T10:00:00.000Z');

interface Ids {
  phone: string; // 2026-05-02 telephone
  reopened: string; // 2026-05-03 chat, closed then reopened
  sms: string; // 2026-05-04 09:00 sms, bot + agent replies, closed after 1 h
  smsFollowUp: string; // 2026-05-04 12:00 sms, same contact after the close
  email: string; // 2026-05-05 23:59:59 email, no reply yet
  whatsapp: string; // 2026-05-06 00:00 whatsapp
}

async function buildData(dataDir: string): Promise<Ids> {
  return withStore(dataDir, async (store) => {
    const phone = await customer(store, 'telephone', '+33140000000', 'CA1:1', 'Appel: ma ligne est coupée', '2026-05-02T10:00:00.000Z');
    await settle(store, phone.ticket_id);

    const t4 = '2026-05-03T12:00:00.000Z';
    const reopened = await customer(store, 'chat', 'visitor-x', 'c-1', 'Bonjour', t4, '\tTAB');
    await reply(store, reopened.ticket_id, 'agent', 'Bonjour !', at(t4, 60));
    await settle(store, reopened.ticket_id, {
      sentiment: 'neutre',
      category: 'autre',
      urgency: 'basse',
      summary: 'ligne 1\nligne 2',
      source: 'fallback',
    });
    await store.setStatus(reopened.ticket_id, 'fermé', at(t4, 120));
    await store.setStatus(reopened.ticket_id, 'en cours', at(t4, 200));
    await store.updateTicket(reopened.ticket_id, (t) => ({ ...t, handled_by: 'agent' }));

    const t1 = '2026-05-04T09:00:00.000Z';
    const sms = await customer(store, 'sms', '+33612345678', 'SM1', 'Ma box ne marche plus', t1, '-5');
    await reply(store, sms.ticket_id, 'bot', 'Avez-vous redémarré la box ?', at(t1, 30));
    await customer(store, 'sms', '+33612345678', 'SM2', 'Oui, toujours rien', at(t1, 100));
    await reply(store, sms.ticket_id, 'agent', 'Un technicien vous rappelle.', at(t1, 400));
    await settle(store, sms.ticket_id, {
      sentiment: 'negatif',
      category: 'technique',
      urgency: 'haute',
      summary: 'Box en panne, "urgent", client mécontent',
      source: 'ai',
    });
    await store.setStatus(sms.ticket_id, 'fermé', at(t1, 3600));

    const followUp = await customer(store, 'sms', '+33612345678', 'SM3', 'Merci', '2026-05-04T12:00:00.000Z', '-5');
    await settle(store, followUp.ticket_id, {
      sentiment: 'positif',
      category: 'technique',
      urgency: 'basse',
      summary: '-2+3',
      source: 'ai',
    });

    const email = await customer(
      store,
      'email',
      'jean@example.com',
      '<m1@example.com>',
      'Bonjour',
      '2026-05-05T23:59:59.000Z',
      'Jean, Dupont',
      '=HYPERLINK("http://evil.example")',
    );
    await settle(store, email.ticket_id);

    const whatsapp = await customer(store, 'whatsapp', 'whatsapp:+33700000000', 'SMw1', 'Salut', '2026-05-06T00:00:00.000Z', '+cmd|calc');
    await settle(store, whatsapp.ticket_id, {
      sentiment: 'neutre',
      category: 'commercial',
      urgency: 'moyenne',
      summary: '@SUM(A1)',
      source: 'ai',
    });

    return {
      phone: phone.ticket_id,
      reopened: reopened.ticket_id,
      sms: sms.ticket_id,
      smsFollowUp: followUp.ticket_id,
      email: email.ticket_id,
      whatsapp: whatsapp.ticket_id,
    };
  });
}

describe('CSV export through a real server', () => {
  let t: TestApp;
  let dir: { path: string; remove(): Promise<void> };
  let ids: Ids;

  before(async () => {
    dir = await tempDir();
    ids = await buildData(dir.path);
    t = await startApp({ dataDir: dir.path, env: { ENABLE_CHATBOT: 'false', ENABLE_AUTO_ANALYTICS: 'false' }, now: () => EXPORT_DAY });
  });
  after(async () => {
    await t.stop();
    await dir.remove();
  });

  const csv = async (query = '') => {
    const res = await t.api(`/export/csv${query}`);
    assert.equal(res.status, 200, await res.clone().text());
    return { res, text: await res.text() };
  };
  const idsOf = (text: string) => csvRecords(text).records.map((r) => r.ticket_id);

  it('needs the API token', async () => {
    assert.equal((await fetch(`${t.url}/export/csv`)).status, 401);
    assert.equal((await fetch(`${t.url}/export/csv/${ids.sms}`)).status, 401);
  });

  it('has exactly the contract columns in order, CRLF lines, UTF-8, one row per ticket oldest first', async () => {
    const { res, text } = await csv();
    assert.match(res.headers.get('content-type') ?? '', /^text\/csv; charset=utf-8/);
    const lines = text.split('\r\n');
    assert.equal(lines[0], EXPECTED_HEADER.join(','));
    assert.equal(lines.at(-1), '', 'the last record ends with CRLF');
    assert.ok(!/[^\r]\n/.test(text.replace(/"[^"]*"/g, '')), 'no bare LF outside quoted fields');
    const { header } = csvRecords(text);
    assert.deepEqual(header, EXPECTED_HEADER);
    assert.deepEqual(idsOf(text), [ids.phone, ids.reopened, ids.sms, ids.smsFollowUp, ids.email, ids.whatsapp]);
    assert.ok(text.includes('mécontent'), 'UTF-8 text kept as is');
  });

  it('computes the metrics and formats every cell of a closed ticket', async () => {
    const { records } = csvRecords((await csv()).text);
    const row = records.find((r) => r.ticket_id === ids.sms)!;
    assert.deepEqual(row, {
      ticket_id: ids.sms,
      created_at: '2026-05-04T09:00:00.000Z',
      closed_at: '2026-05-04T10:00:00.000Z',
      status: 'fermé',
      channel: 'sms',
      sentiment: 'negatif',
      category: 'technique',
      urgency: 'haute',
      summary: 'Box en panne, "urgent", client mécontent',
      messages_count: '4',
      resolution_duration_seconds: '3600',
      resolution_duration_hours: '1',
      first_response_time_seconds: '30', // the bot's reply counts as the first response
      avg_response_time_seconds: '165', // waits of 30 s (→ bot) and 300 s (second message → agent)
      contact: '+33612345678', // a plain signed number is not prefixed
      contact_name: '-5',
      previous_ticket_id: '',
      handled_by: 'bot',
      reopen_count: '0',
      bot_first_response_time_seconds: '30',
      first_human_response_time_seconds: '400',
      analytics_source: 'ai',
      subject: '',
      assignee_id: '',
      closed_by: '', // closed with the service token: no agent account
      first_human_responder: '',
    });
    const followUp = records.find((r) => r.ticket_id === ids.smsFollowUp)!;
    assert.equal(followUp.previous_ticket_id, ids.sms);
  });

  it('leaves not-applicable cells empty, never 0', async () => {
    const { records } = csvRecords((await csv()).text);
    const email = records.find((r) => r.ticket_id === ids.email)!;
    for (const column of [
      'closed_at',
      'sentiment',
      'category',
      'urgency',
      'summary',
      'resolution_duration_seconds',
      'resolution_duration_hours',
      'first_response_time_seconds',
      'avg_response_time_seconds',
      'bot_first_response_time_seconds',
      'first_human_response_time_seconds',
      'analytics_source',
    ]) {
      assert.equal(email[column], '', `${column} is empty while it has not happened`);
    }
    assert.equal(email.messages_count, '1');
    const reopened = records.find((r) => r.ticket_id === ids.reopened)!;
    assert.equal(reopened.status, 'en cours');
    assert.equal(reopened.closed_at, '');
    assert.equal(reopened.resolution_duration_seconds, '', 'a reopened ticket has no resolution');
    assert.equal(reopened.reopen_count, '1');
    assert.equal(reopened.handled_by, 'agent');
    assert.equal(reopened.first_response_time_seconds, '60');
    assert.equal(reopened.bot_first_response_time_seconds, '', 'no bot reply on this ticket');
  });

  it('quotes commas, quotes and line breaks (RFC 4180) and neutralises formulas', async () => {
    const { text } = await csv();
    assert.ok(text.includes(',"Box en panne, ""urgent"", client mécontent",'), 'quotes doubled inside a quoted field');
    assert.ok(text.includes(',"ligne 1\nligne 2",'), 'a line break stays inside quotes');
    assert.ok(text.includes(',"Jean, Dupont",'));
    assert.ok(
      text.includes(`,"'=HYPERLINK(""http://evil.example"")",,,\r\n`),
      '= is prefixed with a quote mark (subject, then the empty assignee and author columns)',
    );
    const { records } = csvRecords(text);
    const byId = (id: string) => records.find((r) => r.ticket_id === id)!;
    assert.equal(byId(ids.whatsapp).summary, "'@SUM(A1)");
    assert.equal(byId(ids.whatsapp).contact_name, "'+cmd|calc", '+ followed by a non-number is prefixed');
    assert.equal(byId(ids.whatsapp).contact, 'whatsapp:+33700000000');
    assert.equal(byId(ids.smsFollowUp).summary, "'-2+3", '- followed by a non-number is prefixed');
    assert.equal(byId(ids.smsFollowUp).contact_name, '-5', 'a plain negative number is not');
    assert.equal(byId(ids.reopened).contact_name, "'\tTAB");
    assert.equal(byId(ids.sms).contact, '+33612345678');
  });

  it('filters by status, channel list and inclusive date bounds (bare date = whole UTC day)', async () => {
    assert.deepEqual(idsOf((await csv('?status=ferm%C3%A9')).text), [ids.sms]);
    assert.deepEqual(idsOf((await csv('?status=en%20cours')).text), [ids.phone, ids.reopened, ids.smsFollowUp, ids.email, ids.whatsapp]);
    assert.deepEqual(idsOf((await csv('?channel=sms,email')).text), [ids.sms, ids.smsFollowUp, ids.email]);
    assert.deepEqual(idsOf((await csv('?channel=whatsapp')).text), [ids.whatsapp]);
    assert.deepEqual(idsOf((await csv('?date_from=2026-05-04&date_to=2026-05-05')).text), [ids.sms, ids.smsFollowUp, ids.email]);
    assert.deepEqual(idsOf((await csv('?date_from=2026-05-06')).text), [ids.whatsapp]);
    assert.deepEqual(
      idsOf((await csv('?date_to=2026-05-04T09:00:00Z')).text),
      [ids.phone, ids.reopened, ids.sms],
      'a date-time bound is inclusive to the instant',
    );
    assert.deepEqual(idsOf((await csv('?channel=sms&status=en%20cours&date_from=2026-05-04&date_to=2026-05-04')).text), [ids.smsFollowUp]);
    const empty = await csv('?channel=email&status=ferm%C3%A9');
    assert.deepEqual(parseCsv(empty.text), [EXPECTED_HEADER], 'no match: the header alone');
  });

  it('refuses an invalid filter with 400 naming the parameter', async () => {
    const cases: [string, string][] = [
      ['?status=open', 'status'],
      ['?channel=sms,fax', 'channel'],
      ['?channel=', ''],
      ['?date_from=2026-13-01', 'date_from'],
      ['?date_to=yesterday', 'date_to'],
      ['?date_from=2026-05-06&date_to=2026-05-01', 'date_from'],
      ['?bom=yes', 'bom'],
    ];
    for (const [query, parameter] of cases) {
      const res = await t.api(`/export/csv${query}`);
      if (parameter === '') {
        assert.equal(res.status, 200, 'an empty value means no filter');
        await res.body?.cancel();
        continue;
      }
      assert.equal(res.status, 400, query);
      assert.match(res.headers.get('content-type') ?? '', /application\/json/);
      const body = (await res.json()) as { error: { code: string; message: string; details?: { parameter?: string } } };
      assert.equal(body.error.details?.parameter, parameter, query);
      assert.ok(body.error.message.includes(parameter), `${query}: ${body.error.message}`);
    }
  });

  it('names the file after the filters and the export date', async () => {
    const all = await csv();
    assert.equal(all.res.headers.get('content-disposition'), 'attachment; filename="freeda-tickets_2026-06-01.csv"');
    const filtered = await csv('?status=ferm%C3%A9&channel=sms,email&date_from=2026-05-04&date_to=2026-05-05');
    assert.equal(
      filtered.res.headers.get('content-disposition'),
      'attachment; filename="freeda-tickets_status-ferme_channel-sms+email_from-2026-05-04_to-2026-05-05_2026-06-01.csv"',
    );
    const instant = await csv('?date_from=2026-05-04T08:30:00Z');
    assert.equal(
      instant.res.headers.get('content-disposition'),
      'attachment; filename="freeda-tickets_from-20260504T083000Z_2026-06-01.csv"',
    );
  });

  it('adds a UTF-8 BOM only with bom=1', async () => {
    const withBom = new Uint8Array(await (await t.api('/export/csv?bom=1')).arrayBuffer());
    assert.deepEqual([...withBom.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    assert.equal(Buffer.from(withBom.subarray(3, 3 + 'ticket_id'.length)).toString(), 'ticket_id');
    const without = new Uint8Array(await (await t.api('/export/csv')).arrayBuffer());
    assert.equal(Buffer.from(without.subarray(0, 9)).toString(), 'ticket_id');
    const single = new Uint8Array(await (await t.api(`/export/csv/${ids.sms}?bom=1`)).arrayBuffer());
    assert.deepEqual([...single.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  });

  it('exports one ticket with the same columns; unknown ticket → 404 JSON', async () => {
    const res = await t.api(`/export/csv/${ids.sms}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-disposition'), `attachment; filename="freeda-ticket-${ids.sms}_2026-06-01.csv"`);
    const single = await res.text();
    const rows = parseCsv(single);
    assert.equal(rows.length, 2);
    assert.deepEqual(rows[0], EXPECTED_HEADER);
    const full = parseCsv((await csv()).text);
    assert.deepEqual(
      rows[1],
      full.find((r) => r[0] === ids.sms),
    );

    for (const id of ['01J00000000000000000000000', 'not-a-ticket']) {
      const missing = await t.api(`/export/csv/${id}`);
      assert.equal(missing.status, 404);
      const body = (await missing.json()) as { error: { code: string } };
      assert.equal(body.error.code, 'ticket_not_found');
    }
  });
});
