// What every chaos scenario shares: a real server process on a fake Twilio, customers texting it, agents replying,
// and the accounting. "Sent twice" is counted at the fake provider (creates it accepted, grouped by body), never
// from our own records: each agent reply carries a unique body for that reason.
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio.js';
import { storedMessages } from '../helpers/counts.js';
import { PROCESS_API_TOKEN, type FreedaProcess, startFreeda } from '../durability/freeda-process.js';
import { newMessageSid, sendSms, twilioEnv } from '../durability/twilio-sms.js';

export interface Row {
  scenario: string;
  /** Requests answered 2xx: inbound webhooks (200) and agent replies (201). */
  acked: number;
  /** Acked messages present at the end (after the restart, where there is one). */
  stored: number;
  /** Messages stored more than once. */
  duplicates: number;
  /** Acked but not stored, or an acked reply the provider never accepted. */
  lost: number;
  /** Outbound messages the fake provider accepted more than once. */
  sentTwice: number;
  detail: string;
}

export interface Scenario {
  name: string;
  run(): Promise<Row>;
}

/** Progress on stderr (the table goes to stdout). */
export function progress(scenario: string): (step: string) => void {
  const t0 = Date.now();
  return (step) => process.stderr.write(`  ${scenario} +${((Date.now() - t0) / 1000).toFixed(1)} s: ${step}\n`);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 100 ms until it holds or `timeoutMs` passed; returns whether it held. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return true;
    await sleep(100);
  }
  return check();
}

/** The server env for a scenario: Twilio through the fake, bot and analytics off (their replies have no unique body). */
export function serverEnv(twilio: FakeTwilio, dataDir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...twilioEnv(twilio.url),
    DATA_DIR: dataDir,
    ENABLE_CHATBOT: 'false',
    ENABLE_AUTO_ANALYTICS: 'false',
    OUTBOUND_RETRY_BASE_MS: '250',
    ...extra,
  };
}

export { startFakeTwilio, startFreeda, type FreedaProcess };

/** One customer per sender, with the ids of the messages they will send (fixed up front: retries reuse them). */
export function customers(senders: number, messagesEach: number): { from: string; sids: string[] }[] {
  return Array.from({ length: senders }, (_, i) => ({
    from: `+336${10000000 + i}`,
    sids: Array.from({ length: messagesEach }, newMessageSid),
  }));
}

/** Ledger of what the clients were told. */
export class Ledger {
  readonly ackedSms = new Set<string>();
  readonly refusedSms = new Set<string>();
  /** client_id → body of agent replies acked with 201. */
  readonly ackedReplies = new Map<string, string>();
  readonly refusedReplies = new Map<string, { ticketId: string; body: string }>();
  /** ticket of each customer (from X-Freeda-Ticket-Id). */
  readonly ticketOf = new Map<string, string>();
  statuses = new Map<string, number>();

  private count(kind: string): void {
    this.statuses.set(kind, (this.statuses.get(kind) ?? 0) + 1);
  }

  /** Sends one SMS; network errors (a killed server) count as not acked. */
  async sms(server: FreedaProcess, from: string, sid: string, body: string): Promise<number> {
    try {
      const res = await sendSms(server, { sid, from, body });
      this.count(String(res.status));
      if (res.status === 200) {
        this.ackedSms.add(sid);
        this.refusedSms.delete(sid);
        if (res.ticketId) this.ticketOf.set(from, res.ticketId);
      } else this.refusedSms.add(sid);
      return res.status;
    } catch {
      this.count('network error');
      return 0;
    }
  }

  /** Posts one agent reply (client_id makes its retry idempotent). */
  async reply(server: FreedaProcess, ticketId: string, clientId: string, body: string): Promise<number> {
    try {
      const res = await fetch(`${server.url}/tickets/${ticketId}/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${PROCESS_API_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ text: body, client_id: clientId }),
      });
      await res.arrayBuffer();
      this.count(`reply ${res.status}`);
      if (res.status === 201) {
        this.ackedReplies.set(clientId, body);
        this.refusedReplies.delete(clientId);
      } else this.refusedReplies.set(clientId, { ticketId, body });
      return res.status;
    } catch {
      this.count('reply network error');
      return 0;
    }
  }

  statusSummary(): string {
    return [...this.statuses].map(([k, n]) => `${n}×${k}`).join(', ');
  }
}

/** Bodies the fake accepted (a sid was assigned), with how many times. */
export function acceptedBodies(twilio: FakeTwilio): Map<string, number> {
  const counts = new Map<string, number>();
  for (const c of twilio.creates) if (c.sid !== null) counts.set(c.params.Body, (counts.get(c.params.Body) ?? 0) + 1);
  return counts;
}

/** Waits (bounded) until every stored agent reply was accepted by the provider (has its id) or failed for good. */
export async function repliesSettled(server: FreedaProcess, timeoutMs: number): Promise<void> {
  await waitFor(async () => {
    const messages = await storedMessages(server.url);
    return messages.every((m) => m.author !== 'agent' || m.delivery?.provider_id || m.delivery?.status === 'failed');
  }, timeoutMs);
}

/** The figures of a row from the ledger, what the server has stored now, and what the fake accepted. */
export async function account(server: FreedaProcess, ledger: Ledger, twilio: FakeTwilio): Promise<Omit<Row, 'scenario' | 'detail'>> {
  const messages = await storedMessages(server.url);
  const counts = new Map<string, number>();
  for (const m of messages) if (m.external_id) counts.set(m.external_id, (counts.get(m.external_id) ?? 0) + 1);
  const accepted = acceptedBodies(twilio);
  const ackedIds = [...ledger.ackedSms, ...[...ledger.ackedReplies.keys()].map((id) => `agent:${id}`)];
  const stored = ackedIds.filter((id) => counts.has(id)).length;
  // A reply stored but never accepted by the provider did not reach the customer either.
  const undelivered = [...ledger.ackedReplies].filter(([id, body]) => counts.has(`agent:${id}`) && !accepted.has(body)).length;
  return {
    acked: ackedIds.length,
    stored,
    duplicates: [...counts.values()].filter((n) => n > 1).length,
    lost: ackedIds.length - stored + undelivered,
    sentTwice: [...accepted.values()].filter((n) => n > 1).length,
  };
}
