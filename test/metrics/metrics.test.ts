// Response metrics (docs/design.md "Metric definitions") on hand-built conversations.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { statsFromMessages, ticketMetrics } from '../../src/domain/metrics.js';
import { newTicket, withMessage, withStatus } from '../../src/domain/ticket.js';
import type { Author, Direction, Message, Ticket } from '../../src/domain/types.js';

const T0 = Date.parse('2026-05-04T09:00:00.000Z');
const iso = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

let seq = 0;
function message(
  seconds: number,
  author: Author,
  direction: Direction = author === 'customer' ? 'inbound' : 'outbound',
  failedBeforeSending = false,
): Message {
  seq += 1;
  const at = iso(seconds);
  return {
    message_id: `M${String(seq).padStart(25, '0')}`,
    ticket_id: 'T',
    direction,
    author,
    text: `${author} at +${seconds}s`,
    attachments: [],
    external_id: null,
    created_at: at,
    delivery:
      direction === 'outbound'
        ? {
            status: failedBeforeSending ? 'failed' : 'delivered',
            error_code: failedBeforeSending ? '21610' : null,
            error_message: null,
            attempts: failedBeforeSending ? 0 : 1,
            provider_id: null,
            next_attempt_at: null,
            updated_at: at,
          }
        : null,
  };
}

const customer = (s: number) => message(s, 'customer');
const bot = (s: number) => message(s, 'bot');
const agent = (s: number) => message(s, 'agent');

/** A ticket created at +0 s with the messages appended in order, the way the stores do it. */
function conversation(...messages: Message[]): Ticket {
  const ticket = newTicket({ ticket_id: 'T', channel: 'sms', contact: { address: '+33612345678' }, now: iso(0) });
  return messages.reduce(withMessage, ticket);
}

describe('response metrics', () => {
  it('no reply yet: every response figure is null (not 0), resolution null while open', () => {
    const m = ticketMetrics(conversation(customer(0), customer(50)));
    assert.deepEqual(m, {
      messages_count: 2,
      first_response_time_seconds: null,
      avg_response_time_seconds: null,
      bot_first_response_time_seconds: null,
      first_human_response_time_seconds: null,
      resolution_duration_seconds: null,
    });
  });

  it('a bot reply is the first response; the agent reply after it is the first human response', () => {
    const m = ticketMetrics(conversation(customer(0), bot(5), customer(100), customer(160), agent(400)));
    assert.equal(m.first_response_time_seconds, 5);
    assert.equal(m.bot_first_response_time_seconds, 5);
    assert.equal(m.first_human_response_time_seconds, 400);
    // Waits: 0→5 (bot) and 100→400 (the second customer message does not restart the wait): (5 + 300) / 2.
    assert.equal(m.avg_response_time_seconds, 153);
    assert.equal(m.messages_count, 5);
  });

  it('agent-only conversation: consecutive replies close one wait; a still-open wait is not averaged', () => {
    const m = ticketMetrics(conversation(customer(10), agent(70), agent(80), customer(200), agent(320), customer(1000)));
    assert.equal(m.first_response_time_seconds, 60, 'measured from the first customer message, not ticket creation');
    assert.equal(m.first_human_response_time_seconds, 60);
    assert.equal(m.bot_first_response_time_seconds, null);
    assert.equal(m.avg_response_time_seconds, 90, '(60 + 120) / 2; the wait from +1000 s is still open');
  });

  it('an immediate reply is 0 s, which is a value, not "not applicable"', () => {
    const m = ticketMetrics(conversation(customer(0), bot(0)));
    assert.equal(m.first_response_time_seconds, 0);
    assert.equal(m.avg_response_time_seconds, 0);
  });

  it('our messages before the customer wrote, system messages and replies refused before sending are not responses', () => {
    const proactive = conversation(agent(0), bot(10));
    assert.equal(ticketMetrics(proactive).first_response_time_seconds, null, 'no customer message: nothing to respond to');
    assert.equal(ticketMetrics(proactive).avg_response_time_seconds, null);

    const m = ticketMetrics(
      conversation(
        agent(0),
        customer(20),
        message(25, 'system', 'outbound'),
        message(26, 'system', 'inbound'),
        message(30, 'bot', 'outbound', true),
        agent(80),
      ),
    );
    assert.equal(m.first_response_time_seconds, 60, 'the handoff notice, the system note and the refused bot reply do not stop the clock');
    assert.equal(m.bot_first_response_time_seconds, null);
    assert.equal(m.avg_response_time_seconds, 60);
    assert.equal(m.messages_count, 4, 'system notes are not counted as conversation messages');
  });

  it('a reply that failed after sending attempts is not a response once the stats are rebuilt', () => {
    const failedLater = {
      ...bot(30),
      delivery: {
        status: 'failed' as const,
        error_code: '30003',
        error_message: 'unreachable',
        attempts: 2,
        provider_id: 'SMx',
        next_attempt_at: null,
        updated_at: iso(40),
      },
    };
    const stats = statsFromMessages([customer(0), failedLater, agent(100)]);
    const ticket = { ...conversation(), stats };
    assert.equal(ticketMetrics(ticket).first_response_time_seconds, 100);
    assert.equal(ticketMetrics(ticket).bot_first_response_time_seconds, null);
  });

  it('resolution = closed_at − created_at; a reopen clears it; the next close measures from creation again', () => {
    let ticket = conversation(customer(0), agent(60));
    ticket = withStatus(ticket, 'fermé', iso(3600))!;
    assert.equal(ticketMetrics(ticket).resolution_duration_seconds, 3600);
    assert.equal(ticket.closed_at, iso(3600));

    ticket = withStatus(ticket, 'en cours', iso(4000))!;
    assert.equal(ticket.reopen_count, 1);
    assert.equal(ticket.closed_at, null);
    assert.equal(ticketMetrics(ticket).resolution_duration_seconds, null, 'open again: not resolved');
    assert.equal(ticketMetrics(ticket).first_response_time_seconds, 60, 'response figures survive the reopen');

    ticket = withMessage(ticket, customer(4100));
    ticket = withMessage(ticket, agent(4400));
    ticket = withStatus(ticket, 'fermé', iso(7200))!;
    const m = ticketMetrics(ticket);
    assert.equal(m.resolution_duration_seconds, 7200);
    assert.equal(m.avg_response_time_seconds, 180, '(60 + 300) / 2');
    assert.equal(withStatus(ticket, 'fermé', iso(8000)), null, 'closing a closed ticket changes nothing');
  });

  it('rebuilding from the messages in any order gives the incremental figures', () => {
    const messages = [customer(0), bot(5), customer(100), agent(400), customer(500), agent(530)];
    const incremental = conversation(...messages).stats;
    assert.deepEqual(statsFromMessages([...messages].reverse()), incremental);
    assert.equal(ticketMetrics({ ...conversation(), stats: incremental }).avg_response_time_seconds, Math.round((5 + 300 + 30) / 3));
  });
});
