// Several Freeda instances on one DynamoDB table (dynalite in-process): exactly-once, one open ticket per
// contact, shared status, and list/export served by index Queries (never a Scan).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GSI_CHANNEL, GSI_CHANNEL_STATUS, GSI_QUEUES } from '../../src/storage/dynamodb/keys.js';
import type { DynamoTicketStore } from '../../src/storage/dynamodb/store.js';
import { startDynalite, logCommands, type CommandLog, type DynaliteHandle, dynamoStoreOn } from '../helpers/dynalite.js';
import { inbound, outbound, tick } from './contract.js';

describe('dynamodb: two store instances on one table', () => {
  let dyn: DynaliteHandle;
  const clients: DynamoDBClient[] = [];
  let a: DynamoTicketStore;
  let b: DynamoTicketStore;
  let logA: CommandLog;

  const instance = async () => {
    const client = dyn.makeClient();
    clients.push(client);
    const log = logCommands(client);
    const store = dynamoStoreOn(dyn, client);
    await store.open();
    return { store, log };
  };

  before(async () => {
    dyn = await startDynalite();
    ({ store: a, log: logA } = await instance());
    ({ store: b } = await instance());
  });
  after(async () => {
    await a.close();
    await b.close();
    for (const c of clients) c.destroy();
    await dyn.stop();
  });

  it('the same delivery sent to both instances concurrently 100 times is stored once', async () => {
    const input = inbound('sms', '+33610000001', 'SM-multi-dup', 'Une seule fois, même à deux');
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 ? a : b).ingest(structuredClone(input))));
    assert.equal(results.filter((r) => r.kind === 'stored').length, 1);
    assert.equal(results.filter((r) => r.kind === 'duplicate').length, 99);
    const messageIds = new Set(results.map((r) => (r.kind === 'no_ticket' ? null : r.message.message_id)));
    assert.equal(messageIds.size, 1, 'every retry answers with the first copy');
    const ticketId = results[0].kind === 'no_ticket' ? '' : results[0].ticket.ticket_id;
    for (const store of [a, b]) {
      assert.equal((await store.getMessages(ticketId)).length, 1);
      assert.equal((await store.getTicket(ticketId))?.stats.messages_count, 1);
    }
    const sms = await a.listTickets({ channels: ['sms'] }, 200);
    assert.equal(sms.items.filter((t) => t.contact.address === '+33610000001').length, 1);
  });

  it('messages of one contact arriving at either instance at once join one open ticket', async () => {
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        (i % 2 ? a : b).ingest(inbound('whatsapp', 'whatsapp:+33610000002', `SM-join-${i}`, `message ${i}`)),
      ),
    );
    const ticketIds = new Set(results.map((r) => (r.kind === 'stored' ? r.ticket.ticket_id : 'not stored')));
    assert.equal(ticketIds.size, 1, 'one ticket for the contact');
    assert.equal(results.filter((r) => r.kind === 'stored' && r.ticket_created).length, 1, 'exactly one ingest opened it');
    const [ticketId] = ticketIds;
    assert.equal((await b.getTicket(ticketId))?.stats.messages_count, 40);
    assert.equal((await a.getMessages(ticketId)).length, 40);
    const listed = await b.listTickets({ channels: ['whatsapp'] }, 200);
    assert.deepEqual(
      listed.items.filter((t) => t.contact.address === 'whatsapp:+33610000002').map((t) => t.ticket_id),
      [ticketId],
    );
  });

  it('a status change on one instance is visible on the other, and the next message opens a linked ticket there', async () => {
    const first = await a.ingest(inbound('chat', 'visitor-multi', 'cid-multi-1', 'Bonjour'));
    assert.ok(first.kind === 'stored');
    const id = first.ticket.ticket_id;
    const closed = await a.setStatus(id, 'fermé', tick(60));
    assert.ok(closed?.changed);
    assert.equal((await b.getTicket(id))?.status, 'fermé');
    assert.ok((await b.listTickets({ status: 'fermé', channels: ['chat'] }, 200)).items.some((t) => t.ticket_id === id));
    assert.ok(!(await b.listTickets({ status: 'en cours', channels: ['chat'] }, 200)).items.some((t) => t.ticket_id === id));
    assert.equal((await b.setStatus(id, 'fermé', tick()))?.changed, false, 'already closed, seen from the other instance');
    const next = await b.ingest(inbound('chat', 'visitor-multi', 'cid-multi-2', 'Re-bonjour'));
    assert.ok(next.kind === 'stored');
    assert.notEqual(next.ticket.ticket_id, id);
    assert.equal(next.ticket.previous_ticket_id, id);
    const reopened = await b.setStatus(id, 'en cours', tick());
    assert.ok(reopened?.changed);
    assert.equal((await a.getTicket(id))?.reopen_count, 1);
  });

  it('concurrent appends to one ticket from both instances all land (version-checked writes, none lost)', async () => {
    const r = await a.ingest(inbound('sms', '+33610000003', 'SM-upd', 'x'));
    assert.ok(r.kind === 'stored');
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).appendMessage(r.ticket.ticket_id, outbound('agent', `réponse ${i}`, tick()))),
    );
    assert.equal(new Set(replies.map((x) => x.message.message_id)).size, 20);
    const ticket = await b.getTicket(r.ticket.ticket_id);
    assert.equal(ticket?.stats.messages_count, 21);
    assert.equal((await a.getMessages(r.ticket.ticket_id)).length, 21);
    assert.ok(
      replies.every((x) => x.ticket.stats.messages_count >= 2 && x.ticket.stats.first_response_at),
      'each append returns the ticket including it',
    );
  });

  it('a ticket closed by the other instance while a message is being appended to it: the message moves to a new ticket', async () => {
    const first = await a.ingest(inbound('sms', '+33610000004', 'SM-race-1', 'un'));
    assert.ok(first.kind === 'stored');
    const client = dyn.makeClient();
    clients.push(client);
    let closedMidway = false;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const sk = (args.input as { Item?: { sk?: unknown } }).Item?.sk;
        const sortKey = typeof sk === 'string' ? sk : (sk as { S?: string } | undefined)?.S; // plain or marshalled, depending on middleware order
        if (!closedMidway && (context as { commandName?: string }).commandName === 'PutItemCommand' && sortKey?.startsWith('M#')) {
          closedMidway = true;
          // The agent closes the ticket on the other instance after this one chose it, before the message lands.
          assert.ok((await b.setStatus(first.ticket.ticket_id, 'fermé', tick()))?.changed);
        }
        return next(args);
      },
      { step: 'initialize', name: 'closeMidway' },
    );
    const racing = dynamoStoreOn(dyn, client);
    await racing.open();
    const second = await racing.ingest(inbound('sms', '+33610000004', 'SM-race-2', 'deux'));
    await racing.close();
    assert.ok(closedMidway, 'the close really happened between choosing the ticket and appending');
    assert.ok(second.kind === 'stored');
    assert.notEqual(second.ticket.ticket_id, first.ticket.ticket_id, 'never appended to the closed ticket');
    assert.equal(second.ticket.previous_ticket_id, first.ticket.ticket_id);
    assert.deepEqual(
      (await a.getMessages(first.ticket.ticket_id)).map((m) => m.text),
      ['un'],
    );
    assert.equal((await a.getTicket(first.ticket.ticket_id))?.stats.messages_count, 1);
    assert.equal((await a.findMessageByExternalId('sms', 'SM-race-2'))?.ticket_id, second.ticket.ticket_id);
  });

  it('list and export by channel, status and date are index Queries, never a Scan', async () => {
    for (let i = 0; i < 12; i++) await b.ingest(inbound(i % 2 ? 'email' : 'sms', `scan-${i}@example.com`, `scan-${i}`, `m${i}`, tick(600)));
    logA.reset();
    const from = new Date(Date.parse(tick()) - 12 * 600_000).toISOString();
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof a.listTickets>> = await a.listTickets(
        { channels: ['sms', 'email'], created_from: from },
        5,
        cursor,
      );
      seen.push(...page.items.map((t) => t.ticket_id));
      cursor = page.next_cursor;
    } while (cursor);
    assert.ok(seen.length >= 12);
    assert.equal(new Set(seen).size, seen.length, 'no repeats across pages');
    await a.listTickets({ status: 'en cours' }, 10);
    await a.listTickets({}, 10);
    const exported: string[] = [];
    for await (const t of a.iterateTickets({ channels: ['email'], status: 'en cours', created_from: from, created_to: tick() }))
      exported.push(t.created_at);
    assert.equal(exported.length, 6);
    assert.deepEqual(exported, [...exported].sort(), 'export is oldest first');
    await a.listPendingOutbound();
    await a.listTicketsNeedingWork();
    assert.equal(logA.count('ScanCommand'), 0, 'no Scan');
    assert.ok(logA.count('QueryCommand') > 0);
    const indexes = new Set(logA.reads.map((r) => r.IndexName));
    assert.ok(
      indexes.has(GSI_CHANNEL) && indexes.has(GSI_CHANNEL_STATUS) && indexes.has(GSI_QUEUES),
      `indexes used: ${[...indexes].join(', ')}`,
    );
    assert.ok(
      logA.reads.every((r) => r.command === 'QueryCommand' && r.IndexName),
      'every list read goes through an index',
    );
  });
});
