// `freeda simulate <kind> "<text>"`: finds the channel module that simulates `kind` and runs it against a running server.
// The module sends the real-shaped webhook (or WebSocket frames); this file gives it what only the core knows: where the
// server is, and how to read the ticket back through the API to show the reply.
import { parseArgs } from 'node:util';
import type { SimulateEnv } from '../domain/channel.js';
import type { Config } from '../config.js';
import type { ChannelModule } from '../registry.js';

export interface SimulateIo {
  print: (line: string) => void;
  printError: (line: string) => void;
}

interface TicketView {
  messages?: Array<{
    direction: string;
    author: string;
    text: string;
    external_id: string | null;
    delivery?: { status: string; error_code: string | null } | null;
  }>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a simulator may use: the server URL, the printer, and the reply reader (polls GET /tickets/:id with the API token). */
export function simulateEnv(options: { serverUrl: string; apiToken: string | null; print: (line: string) => void }): SimulateEnv {
  const serverUrl = options.serverUrl.replace(/\/+$/, '');
  const { print, apiToken } = options;
  return {
    serverUrl,
    print,
    async showReply(ticketId, afterExternalId, { waitSeconds = 10, noReplyHint = 'chatbot off, or handed to an agent' } = {}) {
      if (!apiToken) {
        print('No API token configured (API_TOKENS): cannot read the ticket to show the bot reply.');
        return;
      }
      const deadline = Date.now() + waitSeconds * 1000;
      while (Date.now() < deadline) {
        await sleep(400);
        const res = await fetch(`${serverUrl}/tickets/${encodeURIComponent(ticketId)}`, {
          headers: { authorization: `Bearer ${apiToken}` },
        }).catch(() => null);
        if (!res?.ok) continue;
        const messages = ((await res.json()) as TicketView).messages ?? [];
        const ours = messages.findIndex((m) => m.external_id === afterExternalId);
        const reply = ours >= 0 ? messages.slice(ours + 1).find((m) => m.direction === 'outbound') : undefined;
        if (reply) {
          const delivery = reply.delivery
            ? ` [${reply.delivery.status}${reply.delivery.error_code ? ` ${reply.delivery.error_code}` : ''}]`
            : '';
          print(`${reply.author}: ${reply.text}${delivery}`);
          return;
        }
      }
      print(`No reply within ${waitSeconds} s (${noReplyHint}).`);
    },
  };
}

export async function simulateCommand(
  config: Config,
  modules: readonly ChannelModule[],
  args: string[],
  io: SimulateIo,
  apiToken: () => Promise<string | null>,
): Promise<number> {
  // Not strict: each simulator may take options of its own (--to, --name, --wait...).
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: false,
    options: { from: { type: 'string' }, subject: { type: 'string' }, media: { type: 'string' }, url: { type: 'string' } },
  });
  const [kind, text] = positionals;
  const simulators = modules.flatMap((m) => Object.entries(m.simulators?.(config) ?? {}));
  const simulator = simulators.find(([name]) => name === kind)?.[1];
  if (!simulator || text === undefined) {
    io.printError(`simulate needs a kind (${simulators.map(([name]) => name).join('|') || 'none registered'}) and a text`);
    return 2;
  }
  const options: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) if (typeof v === 'string') options[k] = v;
  // Every kind fails the same way: a simulator throws when the server did not take the inbound (non-2xx, unreachable,
  // a refused frame), and the command exits 1 with that one line.
  try {
    await simulator(
      { text, from: typeof values.from === 'string' ? values.from : undefined, options },
      simulateEnv({
        serverUrl: typeof values.url === 'string' ? values.url : `http://127.0.0.1:${config.PORT}`,
        apiToken: await apiToken(),
        print: io.print,
      }),
    );
  } catch (error) {
    io.printError(`freeda simulate ${kind}: ${(error as Error).message}`);
    return 1;
  }
  return 0;
}
