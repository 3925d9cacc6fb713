// Crash matrix of the DynamoDB store: the process stops between any two of its writes (no transactions on
// DynamoDB emulators), then a restarted instance must repair, and the provider's retry must be a duplicate.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { queryTokens } from '../../src/domain/search.js';
import type { IngestResult } from '../../src/storage/types.js';
import type { DynamoTicketStore } from '../../src/storage/dynamodb/store.js';
import { crashAfterWrites, startDynalite, type DynaliteHandle, dynamoStoreOn } from '../helpers/dynalite.js';
import { capturingLogger } from '../helpers/logger.js';
import { inbound, outbound, tick } from './contract.js';

describe('dynamodb: a crash between any two writes is repaired', () => {
  let dyn: DynaliteHandle;
  before(async () => {
    dyn = await startDynalite();
  });
  after(async () => {
    await dyn.stop();
  });

  /** An instance that dies after `allowedWrites` writes. */
  async function dyingStore(allowedWrites: number) {
    const client = dyn.makeClient();
    crashAfterWrites(client, allowedWrites);
    const store = dynamoStoreOn(dyn, client);
    await store.open();
    return {
      store,
      async dispose() {
        await store.close();
        client.destroy();
      },
    };
  }

  /** The instance started after the crash; its clock is past the dead writer's lease. open() runs the repair sweep. */
  async function restartedStore(): Promise<{
    store: DynamoTicketStore;
    logger: ReturnType<typeof capturingLogger>;
    dispose(): Promise<void>;
  }> {
    const client = dyn.makeClient();
    const logger = capturingLogger();
    const store = dynamoStoreOn(dyn, client, { logger, now: () => new Date(Date.now() + 60_000) });
    await store.open();
    return {
      store,
      logger,
      async dispose() {
        await store.close();
        client.destroy();
      },
    };
  }

  async function assertSingleTicket(store: DynamoTicketStore, address: string, expectedMessages: number): Promise<string> {
    const listed = (await store.listTickets({ channels: ['sms'] }, 200)).items.filter((t) => t.contact.address === address);
    assert.equal(listed.length, 1, `one visible ticket for ${address}`);
    const ticket = listed[0];
    assert.equal(ticket.stats.messages_count, expectedMessages, 'figures count each message once');
    assert.equal((await store.getMessages(ticket.ticket_id)).length, expectedMessages);
    return ticket.ticket_id;
  }

  it('ingest that opens a ticket: every crash point is finished by the next start; the retry is a duplicate', async () => {
    let crashPoints = 0;
    let postingCrashes = 0;
    for (let k = 0; ; k++) {
      const address = `+336200000${String(k).padStart(2, '0')}`;
      const input = inbound('sms', address, `SM-crash-new-${k}`, `texte ${k}`);
      const dying = await dyingStore(k);
      const crashed = await dying.store.ingest(structuredClone(input)).then(
        () => false,
        () => true,
      );
      await dying.dispose();
      const restarted = await restartedStore();
      const s = restarted.store;
      if (crashed && k > 0) {
        assert.ok(
          await s.findMessageByExternalId('sms', input.message.external_id!),
          `crash after write ${k}: restart finished the ingest`,
        );
        // A crash among the core writes leaves an intent the restart finishes (and says so); a crash among the search
        // postings written after the durable write (#16) leaves none: the provider's retry, a duplicate, rewrites them.
        const repaired = restarted.logger.lines.some((l) => l.level === 'warn' && /unfinished/.test(l.msg ?? ''));
        if (!repaired) postingCrashes++;
      }
      const retry = await s.ingest(structuredClone(input));
      assert.equal(retry.kind, k === 0 ? 'stored' : 'duplicate', `crash after write ${k}`);
      const ticketId = await assertSingleTicket(s, address, 1);
      const found = await s.searchTickets(queryTokens(`texte ${k}`));
      assert.ok(
        found.some((hit) => hit.ticket_id === ticketId),
        `crash after write ${k}: searchable after the retry`,
      );
      const next = (await s.ingest(inbound('sms', address, `SM-crash-new-${k}-b`, 'suite'))) as Extract<IngestResult, { kind: 'stored' }>;
      assert.equal(next.ticket.ticket_id, ticketId, 'the contact pointer leads to that ticket');
      await assertSingleTicket(s, address, 2);
      await restarted.dispose();
      if (!crashed) break;
      crashPoints += 1;
    }
    assert.ok(crashPoints >= 6, `covered ${crashPoints} crash points`);
    assert.ok(postingCrashes < crashPoints / 2, `${postingCrashes} of ${crashPoints} crash points among the search postings`);
  });

  it('ingest that joins an open ticket, and an outbound append: every crash point is repaired', async () => {
    const address = '+33630000000';
    const setup = await restartedStore();
    const first = await setup.store.ingest(inbound('sms', address, 'SM-join-base', 'base'));
    assert.ok(first.kind === 'stored');
    await setup.dispose();
    let expected = 1;
    for (let k = 0; ; k++) {
      const input = inbound('sms', address, `SM-crash-join-${k}`, `texte ${k}`);
      const reply = outbound('agent', `réponse ${k}`, tick(), `agent-reply-${k}`);
      const dying = await dyingStore(k);
      const crashedIngest = await dying.store.ingest(structuredClone(input)).then(
        () => false,
        () => true,
      );
      await dying.dispose();
      const dying2 = await dyingStore(k);
      const crashedAppend = await dying2.store.appendMessage(first.ticket.ticket_id, structuredClone(reply)).then(
        () => false,
        () => true,
      );
      await dying2.dispose();
      const restarted = await restartedStore();
      const retry = await restarted.store.ingest(structuredClone(input));
      assert.equal(retry.kind, k === 0 ? 'stored' : 'duplicate');
      assert.ok('ticket' in retry && retry.ticket.ticket_id === first.ticket.ticket_id, 'joined the open ticket');
      const again = await restarted.store.appendMessage(first.ticket.ticket_id, structuredClone(reply));
      assert.equal(again.duplicate, k > 0);
      expected += 2;
      await assertSingleTicket(restarted.store, address, expected);
      const pending = await restarted.store.listPendingOutbound();
      assert.equal(pending.filter((m) => m.external_id === `agent-reply-${k}`).length, 1, 'the reply is queued once');
      await restarted.dispose();
      if (!crashedIngest && !crashedAppend) break;
    }
  });

  it('a live instance that fails mid-write gives its lease up: the retry finishes at once, not after the lease', async () => {
    const client = dyn.makeClient();
    let failed = false;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const sk = (args.input as { Item?: { sk?: unknown } }).Item?.sk;
        const sortKey = typeof sk === 'string' ? sk : (sk as { S?: string } | undefined)?.S;
        if (!failed && (context as { commandName?: string }).commandName === 'PutItemCommand' && sortKey?.startsWith('M#')) {
          failed = true;
          throw Object.assign(new Error('Internal server error'), { name: 'InternalServerError' });
        }
        return next(args);
      },
      { step: 'initialize', name: 'failOnce' },
    );
    const flaky = dynamoStoreOn(dyn, client, { leaseMs: 3_600_000 });
    await flaky.open();
    const input = inbound('sms', '+33660000000', 'SM-release', 'réessayé');
    await assert.rejects(flaky.ingest(structuredClone(input)), /Internal server error/);
    assert.ok(failed);
    // Same clock as the failed writer, and a one-hour lease: only the released lease lets this retry proceed now.
    const retry = await flaky.ingest(structuredClone(input));
    assert.equal(retry.kind, 'stored', 'the retry finished the write');
    await assertSingleTicket(flaky, '+33660000000', 1);
    await flaky.close();
    client.destroy();
  });

  it('close: a crash between the ticket write and the pointer clear is repaired by the next message', async () => {
    const address = '+33640000000';
    const setup = await restartedStore();
    const first = await setup.store.ingest(inbound('sms', address, 'SM-close-1', 'un'));
    assert.ok(first.kind === 'stored');
    await setup.dispose();
    const dying = await dyingStore(1);
    await assert.rejects(dying.store.setStatus(first.ticket.ticket_id, 'fermé', tick()));
    await dying.dispose();
    const restarted = await restartedStore();
    assert.equal((await restarted.store.getTicket(first.ticket.ticket_id))?.status, 'fermé', 'the close itself is durable');
    const next = await restarted.store.ingest(inbound('sms', address, 'SM-close-2', 'deux'));
    assert.ok(next.kind === 'stored');
    assert.notEqual(next.ticket.ticket_id, first.ticket.ticket_id, 'a closed ticket is never joined');
    assert.equal(next.ticket.previous_ticket_id, first.ticket.ticket_id);
    const third = await restarted.store.ingest(inbound('sms', address, 'SM-close-3', 'trois'));
    assert.ok(third.kind === 'stored' && third.ticket.ticket_id === next.ticket.ticket_id, 'pointer repaired to the new ticket');
    await restarted.dispose();
  });

  it('reopen: a crash between the pointer claim and the ticket write leaves the ticket closed and nothing stuck', async () => {
    const address = '+33650000000';
    const setup = await restartedStore();
    const first = await setup.store.ingest(inbound('sms', address, 'SM-reopen-1', 'un'));
    assert.ok(first.kind === 'stored');
    await setup.store.setStatus(first.ticket.ticket_id, 'fermé', tick());
    await setup.dispose();
    const dying = await dyingStore(1);
    await assert.rejects(dying.store.setStatus(first.ticket.ticket_id, 'en cours', tick()));
    await dying.dispose();
    const restarted = await restartedStore();
    assert.equal((await restarted.store.getTicket(first.ticket.ticket_id))?.status, 'fermé', 'the unacknowledged reopen did not happen');
    const next = await restarted.store.ingest(inbound('sms', address, 'SM-reopen-2', 'deux'));
    assert.ok(next.kind === 'stored' && next.ticket.ticket_id !== first.ticket.ticket_id && next.ticket_created);
    const reopened = await restarted.store.setStatus(first.ticket.ticket_id, 'en cours', tick());
    assert.ok(reopened?.changed);
    await restarted.dispose();
  });
});
