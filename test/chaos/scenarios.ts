// The chaos scenarios: each starts its own server process(es) and fake provider, does its damage, and returns a row.
// Add one by writing a function here and listing it in SCENARIOS.
import { tempDir } from '../helpers/tmp.js';
import { kill } from '../helpers/child.js';
import { smallDisk } from '../durability/small-disk.js';
import { storedMessages } from '../helpers/counts.js';
import {
  account,
  customers,
  type FreedaProcess,
  Ledger,
  progress,
  repliesSettled,
  type Row,
  type Scenario,
  serverEnv,
  sleep,
  startFakeTwilio,
  startFreeda,
  waitFor,
} from './harness.js';

const fmt = (n: number) => n.toLocaleString('en-US');

/** 2,000 webhooks from 20 senders (and an agent reply every 20 acks); SIGKILL at 1,000 acked; restart; the provider retries. */
async function sigkillUnderLoad(): Promise<Row> {
  const dir = await tempDir('freeda-chaos-');
  const twilio = await startFakeTwilio();
  const env = serverEnv(twilio, dir.path);
  const servers: FreedaProcess[] = [];
  const step = progress('sigkill');
  try {
    const first = await startFreeda(env);
    step('server up, 20 senders start');
    servers.push(first);
    const ledger = new Ledger();
    const senders = customers(20, 100);
    // Set inside the senders: declared wide so TypeScript does not narrow it to `null` after them.
    let killed = null as Promise<void> | null;
    let replies = 0;
    await Promise.all(
      senders.map(async ({ from, sids }) => {
        for (const [i, sid] of sids.entries()) {
          const status = await ledger.sms(first, from, sid, `Bonjour, message ${i} de ${from}`);
          const ticketId = ledger.ticketOf.get(from);
          if (status === 200 && ticketId && ledger.ackedSms.size % 20 === 0) {
            const n = ++replies;
            await ledger.reply(first, ticketId, `kill-${n}`, `Réponse agent n°${n} (sigkill)`);
          }
          if (!killed && ledger.ackedSms.size >= 1000) killed = kill(first);
        }
      }),
    );
    await killed;
    step('killed; all 2,000 attempted');
    const ackedBeforeKill = ledger.ackedSms.size;
    const unacked = senders.flatMap((s) => s.sids.filter((sid) => !ledger.ackedSms.has(sid)).map((sid) => ({ from: s.from, sid })));

    const second = await startFreeda(env);
    servers.push(second);
    const afterRestart = await account(second, ledger, twilio);
    step('restarted and counted; the provider retries');
    // Twilio retries what was not acknowledged; every retry must be stored once or answered as a duplicate.
    for (let i = 0; i < unacked.length; i += 20)
      await Promise.all(unacked.slice(i, i + 20).map(({ from, sid }) => ledger.sms(second, from, sid, 'retry')));
    step('retries done; waiting for replies to settle');
    await repliesSettled(second, 30_000);
    step('settled');
    const final = await account(second, ledger, twilio);
    return {
      scenario: 'SIGKILL during 2,000 webhooks from 20 senders',
      ...final,
      detail:
        `killed at ${fmt(ackedBeforeKill)} webhooks + ${ledger.ackedReplies.size} replies acked; after restart ` +
        `${fmt(afterRestart.stored)}/${fmt(afterRestart.acked)} acked present; ${fmt(unacked.length)} unacked re-sent: ` +
        `${fmt(ledger.ackedSms.size)}/2,000 webhooks stored in the end`,
    };
  } finally {
    for (const server of servers) await kill(server);
    await twilio.close();
    await dir.remove();
  }
}

/**
 * One server on a fresh fake Twilio, 20 customers who text 5 times each (`text`); `damage` then does its part and returns
 * the row. The server, the fake and the data are removed afterwards.
 */
async function afterHundredTexts(
  name: string,
  text: string,
  damage: (c: {
    server: FreedaProcess;
    twilio: Awaited<ReturnType<typeof startFakeTwilio>>;
    ledger: Ledger;
    replyToAll: (tag: string) => Promise<void>;
    step: (s: string) => void;
  }) => Promise<Row>,
): Promise<Row> {
  const dir = await tempDir('freeda-chaos-');
  const twilio = await startFakeTwilio();
  const server = await startFreeda(serverEnv(twilio, dir.path));
  const step = progress(name);
  try {
    const ledger = new Ledger();
    const senders = customers(20, 5);
    await Promise.all(
      senders.map(async ({ from, sids }) => {
        for (const sid of sids) await ledger.sms(server, from, sid, text);
      }),
    );
    /** Five agent replies on every customer's ticket, each with a unique body (what "sent twice" counts by). */
    const replyToAll = (tag: string) =>
      Promise.all(
        senders.map(async ({ from }, s) => {
          for (let i = 0; i < 5; i++)
            await ledger.reply(server, ledger.ticketOf.get(from)!, `${tag}-${s}-${i}`, `Réponse n°${s}-${i} (${tag})`);
        }),
      ).then(() => undefined);
    return await damage({ server, twilio, ledger, replyToAll, step });
  } finally {
    await kill(server);
    await twilio.close();
    await dir.remove();
  }
}

/** Twilio answers 503 for 3 s while 100 agent replies go out, then 201: every reply is delivered once. */
function providerOutage(): Promise<Row> {
  return afterHundredTexts('provider-outage', 'Ma ligne est coupée', async ({ server, twilio, ledger, replyToAll, step }) => {
    step('100 webhooks sent; Twilio goes down');
    twilio.setDefault({ kind: 'error', httpStatus: 503, code: 20503, message: 'Service unavailable' });
    const outageStart = Date.now();
    await replyToAll('panne');
    await sleep(Math.max(0, 3000 - (Date.now() - outageStart)));
    const refusedByProvider = twilio.creates.filter((c) => c.status === 503).length;
    twilio.setDefault({ kind: 'ok' });
    step('Twilio is back; waiting for replies to settle');
    await repliesSettled(server, 30_000);
    step('settled');
    return {
      scenario: 'provider outage (Twilio 503 for 3 s) then recovery',
      ...(await account(server, ledger, twilio)),
      detail: `${fmt(ledger.ackedSms.size)} webhooks + ${ledger.ackedReplies.size} replies acked; Twilio refused ${refusedByProvider} sends during the outage; retried with backoff`,
    };
  });
}

/** 100 agent replies while the fake Twilio creates every third message and then resets the connection before answering. */
function resetAfterRead(): Promise<Row> {
  return afterHundredTexts('reset-after-read', 'Où en est mon remboursement ?', async ({ server, twilio, ledger, replyToAll, step }) => {
    step('100 webhooks sent; Twilio now accepts then resets one create in three');
    for (let i = 0; i < 50; i++) twilio.script({ kind: 'accept_then_reset' }, { kind: 'ok' }, { kind: 'ok' });
    await replyToAll('reset');
    step('100 replies acked; waiting for replies to settle');
    await repliesSettled(server, 30_000);
    step('settled');
    const reconciled = (await storedMessages(server.url)).filter((m) => m.author === 'agent' && m.meta?.reconciled === true).length;
    return {
      scenario: 'provider accepts then resets the connection (1 create in 3)',
      ...(await account(server, ledger, twilio)),
      detail:
        `${fmt(ledger.ackedSms.size)} webhooks + ${ledger.ackedReplies.size} replies acked; ` +
        `${twilio.creates.filter((c) => c.status === 201).length} creates accepted by the fake, ${reconciled} of them answered by a reset and ` +
        `found by reconciliation (${twilio.lists.length} list lookups), none resent`,
    };
  });
}

/** 20 senders and agent replies on a small file system until 100 requests were refused; free space; retries; SIGKILL; restart. */
async function diskFull(): Promise<Row> {
  const disk = await smallDisk(2 << 20);
  const twilio = await startFakeTwilio();
  const env = { ...serverEnv(twilio, disk.dataDir, { JOURNAL_COMPACT_BYTES: String(128 * 1024) }), ...disk.serverEnv };
  const servers: FreedaProcess[] = [];
  const step = progress('disk-full');
  try {
    const first = await startFreeda(env, disk.serverEntry);
    servers.push(first);
    await disk.fill(512 * 1024);
    step(`server up on ${disk.description}; filled but 512 KiB`);
    const ledger = new Ledger();
    const senders = customers(20, 100);
    let replies = 0;
    const refusals = () => ledger.refusedSms.size + ledger.refusedReplies.size;
    await Promise.all(
      senders.map(async ({ from, sids }) => {
        for (const [i, sid] of sids.entries()) {
          if (refusals() >= 100) return;
          const status = await ledger.sms(first, from, sid, `Bonjour, message ${i} de ${from} `.repeat(4));
          const ticketId = ledger.ticketOf.get(from);
          if (status === 200 && ticketId && i % 10 === 9) {
            const n = ++replies;
            await ledger.reply(first, ticketId, `disk-${n}`, `Réponse agent n°${n} (disque plein)`);
          }
        }
      }),
    );
    const refusedSms = ledger.refusedSms.size;
    const refusedReplies = ledger.refusedReplies.size;
    const statuses = ledger.statusSummary();
    step('100 requests refused; freeing space');
    await disk.free();
    const freedAt = Date.now();
    await waitFor(async () => (await fetch(first.url + '/readyz')).status === 200, 30_000);
    const resumedMs = Date.now() - freedAt;
    // The provider and the agents retry what was refused: with the same ids, so a batch the recovery wrote is a duplicate.
    const owner = new Map(senders.flatMap((s) => s.sids.map((sid) => [sid, s.from] as const)));
    for (const sid of [...ledger.refusedSms]) await ledger.sms(first, owner.get(sid)!, sid, 'retry');
    for (const [clientId, { ticketId, body }] of [...ledger.refusedReplies]) await ledger.reply(first, ticketId, clientId, body);
    step('refused requests retried; waiting for replies to settle');
    await repliesSettled(first, 30_000);
    step('SIGKILL + restart');
    await kill(first);
    const second = await startFreeda(env, disk.serverEntry);
    servers.push(second);
    await repliesSettled(second, 30_000);
    step('settled');
    return {
      scenario: 'disk full then freed (no restart), then SIGKILL + restart',
      ...(await account(second, ledger, twilio)),
      detail:
        `${disk.backend} of 2 MiB; while full: ${statuses} (${refusedSms} webhooks + ${refusedReplies} replies refused, never 500); ` +
        `ready ${resumedMs} ms after the ballast was deleted, same process; every refused request retried → acked`,
    };
  } finally {
    for (const server of servers) await kill(server);
    await twilio.close();
    await disk.remove();
  }
}

export const SCENARIOS: Scenario[] = [
  { name: 'sigkill', run: sigkillUnderLoad },
  { name: 'provider-outage', run: providerOutage },
  { name: 'reset-after-read', run: resetAfterRead },
  { name: 'disk-full', run: diskFull },
];
