// A local fake of Twilio's REST API (Messages.json) for tests: records every create, answers from a script.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedCreate {
  method: string;
  path: string;
  authorization: string | undefined;
  params: Record<string, string>;
  /** What the fake answered. */
  status: number;
  sid: string | null;
}

/** One scripted answer: an HTTP status with Twilio's error JSON, or a success (201). */
export type FakeTwilioReply =
  | { kind: 'ok'; status?: 'queued' | 'accepted' | 'sent' }
  | { kind: 'error'; httpStatus: number; code?: number; message?: string }
  | { kind: 'drop' };

export interface FakeTwilio {
  /** Base URL to set as TWILIO_API_BASE_URL. */
  url: string;
  creates: RecordedCreate[];
  /** Answers for the next requests, in order; once used up, every create gets the default answer. */
  script(...replies: FakeTwilioReply[]): void;
  /** The answer once the script is used up (default: success); e.g. an outage until set back to `{ kind: 'ok' }`. */
  setDefault(reply: FakeTwilioReply): void;
  /** Resolves once `count` creates were recorded (or rejects after `timeoutMs`: a safety net, not a timing assertion). */
  waitForCreates(count: number, timeoutMs?: number): Promise<RecordedCreate[]>;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakeTwilio(): Promise<FakeTwilio> {
  const creates: RecordedCreate[] = [];
  const scripted: FakeTwilioReply[] = [];
  let fallback: FakeTwilioReply = { kind: 'ok' };
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  let counter = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    const path = (req.url ?? '').split('?')[0];
    const match = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(path);
    if (req.method !== 'POST' || !match) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 20404, message: 'The requested resource was not found', status: 404 }));
      return;
    }
    const params = Object.fromEntries(new URLSearchParams(body));
    const reply = scripted.shift() ?? fallback;
    const record: RecordedCreate = { method: req.method, path, authorization: req.headers.authorization, params, status: 0, sid: null };
    if (reply.kind === 'drop') {
      record.status = -1;
      creates.push(record);
      notify();
      req.socket.destroy();
      return;
    }
    if (reply.kind === 'error') {
      record.status = reply.httpStatus;
      creates.push(record);
      notify();
      res.writeHead(reply.httpStatus, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          code: reply.code ?? reply.httpStatus,
          message: reply.message ?? 'fake error',
          more_info: `https://www.twilio.com/docs/errors/${reply.code ?? reply.httpStatus}`,
          status: reply.httpStatus,
        }),
      );
      return;
    }
    counter += 1;
    const sid = 'SM' + counter.toString(16).padStart(32, 'f');
    record.status = 201;
    record.sid = sid;
    creates.push(record);
    notify();
    res.writeHead(201, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        sid,
        account_sid: match[1],
        to: params.To,
        from: params.From ?? null,
        messaging_service_sid: params.MessagingServiceSid ?? null,
        body: params.Body,
        status: reply.status ?? (params.MessagingServiceSid ? 'accepted' : 'queued'),
        num_segments: '1',
        direction: 'outbound-api',
        error_code: null,
        error_message: null,
        api_version: '2010-04-01',
        uri: `/2010-04-01/Accounts/${match[1]}/Messages/${sid}.json`,
      }),
    );
  };
  // A throw in `handle` is a bug in this fake: left to surface as an unhandled rejection, as before.
  const server: Server = createServer((req, res) => void handle(req, res));

  function notify(): void {
    for (const waiter of [...waiters]) {
      if (creates.length >= waiter.count) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    creates,
    script: (...replies) => void scripted.push(...replies),
    setDefault: (reply) => void (fallback = reply),
    waitForCreates(count, timeoutMs = 20_000) {
      if (creates.length >= count) return Promise.resolve(creates.slice());
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`fake Twilio: ${creates.length} creates, wanted ${count}`)), timeoutMs);
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve(creates.slice());
          },
        });
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
