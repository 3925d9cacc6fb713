// `freeda simulate chat "text" [--from <visitor token | display name>] [--name=Zoé] [--wait=20] [--url http://127.0.0.1:8000]`:
// connects to /ws as a visitor, says hello, sends the message, prints the ticket id and the bot (or agent) reply.
// `--from` with a visitor token (printed by an earlier run) continues that visitor's conversation.
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import type { SimulateArgs, SimulateEnv } from '../../src/domain/channel.js';

interface ServerFrame {
  type: string;
  code?: string;
  message?: string;
  visitor_token?: string;
  token_refused?: boolean;
  ticket_id?: string | null;
  message_id?: string;
  client_id?: string;
  data?: { ticket_id?: string; author?: string; text?: string; status?: string };
}

const VISITOR_TOKEN = /^v_[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export function wsUrlFor(serverUrl: string): string {
  const url = new URL('/ws', serverUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

async function simulateChat(args: SimulateArgs, env: SimulateEnv): Promise<void> {
  const waitSeconds = Number(args.options.wait ?? 20);
  const waitMs = (Number.isFinite(waitSeconds) && waitSeconds >= 0 ? waitSeconds : 20) * 1000;
  const from = args.from ?? args.options.from;
  const token = from && VISITOR_TOKEN.test(from) ? from : undefined;
  const name = from && !token ? from : args.options.name;
  const ws = new WebSocket(wsUrlFor(env.serverUrl));
  const clientId = `sim-${randomUUID()}`;
  let ticketId: string | null = null;
  /** A reply may overtake the ack (the bot runs as soon as the message is stored). */
  const early: ServerFrame[] = [];
  await new Promise<void>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const finish = (error?: Error) => {
      clearTimeout(timer);
      ws.removeAllListeners('message');
      ws.close();
      if (error) reject(error);
      else resolve();
    };
    ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', visitor_token: token, name })));
    ws.on('error', (error) => finish(new Error(`cannot reach ${wsUrlFor(env.serverUrl)}: ${error.message}`)));
    ws.on('message', (raw: Buffer) => {
      const frame = JSON.parse(raw.toString()) as ServerFrame;
      if (frame.type === 'welcome') {
        if (frame.token_refused) env.print('the server refused the --from visitor token (its key changed?): a new conversation starts');
        env.print(`visitor_token: ${frame.visitor_token}`);
        ws.send(JSON.stringify({ type: 'message', client_id: clientId, text: args.text }));
      } else if (frame.type === 'message.ack' && frame.client_id === clientId) {
        ticketId = frame.ticket_id ?? null;
        env.print(`ticket_id: ${ticketId}`);
        env.print(`message_id: ${frame.message_id}`);
        const reply = early.find((f) => f.data?.ticket_id === ticketId);
        if (reply) {
          env.print(`${reply.data!.author}: ${reply.data!.text}`);
          return finish();
        }
        timer = setTimeout(() => {
          env.print(`no reply within ${waitMs / 1000} s (chatbot off, or handed to an agent)`);
          finish();
        }, waitMs);
      } else if (frame.type === 'message' && frame.data?.author !== 'customer') {
        if (!ticketId) early.push(frame);
        else if (frame.data?.ticket_id === ticketId) {
          env.print(`${frame.data.author}: ${frame.data.text}`);
          finish();
        }
      } else if (frame.type === 'error') {
        finish(new Error(`the server refused the frame: ${frame.code}: ${frame.message}`));
      }
    });
  });
}

export const simulators = { chat: simulateChat };
