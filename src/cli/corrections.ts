// `freeda analytics:corrections [--out FILE]`: the labels agents corrected, as JSON lines for evaluating the analytics
// (same record shape as fixtures/analytics/*.jsonl: channel, subject, messages, labels; plus what the analyzer had said).
// Reads the store directly: with the json store, run it while the server is stopped (the data directory is locked).
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { isCustomerMessage, isInternal } from '../domain/metrics.js';
import type { LabelCorrection, Ticket } from '../domain/types.js';
import type { TicketStore } from '../storage/types.js';

export interface CorrectionRecord {
  id: string;
  channel: string;
  subject: string | null;
  /** The conversation as the analyzer reads it (never agents' notes). */
  messages: { author: string; text: string }[];
  /** The labels to learn from: the agent's where corrected, the analyzer's otherwise. */
  labels: { sentiment: string; category: string; urgency: string };
  corrected: (keyof Omit<LabelCorrection, 'machine' | 'agent_id' | 'corrected_at'>)[];
  machine: LabelCorrection['machine'];
  agent_id: string | null;
  corrected_at: string;
}

export async function* correctionRecords(store: TicketStore): AsyncIterable<CorrectionRecord> {
  for await (const ticket of store.iterateTickets({})) {
    const corrections = ticket.label_corrections;
    if (!corrections || !ticket.analytics) continue;
    yield recordOf(ticket, corrections, await store.getMessages(ticket.ticket_id));
  }
}

function recordOf(ticket: Ticket, c: LabelCorrection, messages: Awaited<ReturnType<TicketStore['getMessages']>>): CorrectionRecord {
  const a = ticket.analytics!;
  return {
    id: ticket.ticket_id,
    channel: ticket.channel,
    subject: ticket.subject,
    messages: messages
      .filter((m) => !isInternal(m) && m.author !== 'system' && m.text.trim() !== '')
      .map((m) => ({ author: isCustomerMessage(m) ? 'customer' : m.author, text: m.text })),
    labels: { sentiment: a.sentiment, category: a.category, urgency: a.urgency },
    corrected: (['sentiment', 'category', 'urgency'] as const).filter((k) => c[k] !== undefined),
    machine: c.machine,
    agent_id: c.agent_id,
    corrected_at: c.corrected_at,
  };
}

export async function correctionsCommand(
  openStore: () => Promise<TicketStore>,
  args: string[],
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
): Promise<number> {
  const { values } = parseArgs({ args, options: { out: { type: 'string' } } });
  let store: TicketStore;
  try {
    store = await openStore();
  } catch (error) {
    io.stderr.write(`analytics:corrections: cannot open the store: ${(error as Error).message} (json store: stop the server first)\n`);
    return 1;
  }
  const out = values.out ? createWriteStream(values.out) : io.stdout;
  let count = 0;
  try {
    for await (const record of correctionRecords(store)) {
      if (!out.write(JSON.stringify(record) + '\n')) await once(out, 'drain');
      count++;
    }
  } finally {
    await store.close();
  }
  if (values.out) {
    out.end();
    await once(out, 'finish');
  }
  io.stderr.write(`analytics:corrections: ${count} corrected ticket${count === 1 ? '' : 's'}\n`);
  return 0;
}
