// A fake Mistral API on 127.0.0.1 (POST /v1/chat/completions) for analytics and chatbot tests.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';

export interface RecordedRequest {
  path: string;
  authorization: string | undefined;
  /** Parsed JSON, or the raw text when the body is not JSON. */
  body: unknown;
}

/** The parts of a chat completion request that tests read. */
const chatRequestSchema = z.looseObject({
  model: z.string(),
  response_format: z.looseObject({ type: z.string() }).optional(),
  messages: z.array(z.looseObject({ role: z.string(), content: z.string() })),
});
export type ChatRequest = z.infer<typeof chatRequestSchema>;

/** The recorded body as a chat completion request, or null when it is not one. */
export function chatRequestOf(req: RecordedRequest): ChatRequest | null {
  const parsed = chatRequestSchema.safeParse(req.body);
  return parsed.success ? parsed.data : null;
}

/** What to do with one request: answer (status + JSON body or raw text), or never answer. */
export type FakeReply = { status: number; json?: unknown; text?: string } | 'hang';

export interface FakeMistralOptions {
  reply: (req: RecordedRequest, index: number) => FakeReply;
  /** Hold answers until this many requests are in flight (or no more can come), to observe concurrency. */
  holdUntilInFlight?: { count: number; expectedTotal: number };
}

export interface FakeMistral {
  url: string;
  requests: RecordedRequest[];
  maxInFlight: number;
  close(): Promise<void>;
}

export function completion(content: string, model = 'mistral-small-latest') {
  return {
    id: 'cmpl-fake',
    object: 'chat.completion',
    model,
    created: 1700000000,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
  };
}

export async function startFakeMistral(opts: FakeMistralOptions): Promise<FakeMistral> {
  const requests: RecordedRequest[] = [];
  let inFlight = 0;
  let answered = 0;
  const held: Array<() => void> = [];
  const state = { maxInFlight: 0 };

  const releaseIfReady = () => {
    const hold = opts.holdUntilInFlight;
    if (!hold) return;
    const remaining = hold.expectedTotal - answered;
    if (held.length >= hold.count || held.length >= remaining) {
      for (const release of held.splice(0)) release();
    }
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
      const recorded: RecordedRequest = { path: req.url ?? '', authorization: req.headers.authorization, body };
      const index = requests.push(recorded) - 1;
      inFlight += 1;
      state.maxInFlight = Math.max(state.maxInFlight, inFlight);
      const reply =
        req.method === 'POST' && req.url === '/v1/chat/completions'
          ? opts.reply(recorded, index)
          : { status: 404, json: { message: 'not found' } };
      if (reply === 'hang') return; // never answered; the client times out
      const send = () => {
        inFlight -= 1;
        answered += 1;
        const payload = reply.text ?? JSON.stringify(reply.json ?? {});
        res.writeHead(reply.status, { 'content-type': reply.text !== undefined ? 'text/plain' : 'application/json' });
        res.end(payload);
      };
      if (opts.holdUntilInFlight) {
        held.push(send);
        releaseIfReady();
      } else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get maxInFlight() {
      return state.maxInFlight;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface CapturedLog {
  level: 'debug' | 'info' | 'warn' | 'error';
  obj: object | string;
  msg?: string;
}

export function captureLogger() {
  const lines: CapturedLog[] = [];
  const at = (level: CapturedLog['level']) => (obj: object | string, msg?: string) => {
    lines.push({ level, obj, msg });
  };
  return { lines, logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
}
