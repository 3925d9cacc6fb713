// A local fake of SendGrid's v3 Mail Send API: records every POST /v3/mail/send, answers from a script.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedSend {
  path: string;
  authorization: string | undefined;
  /** The JSON body as SendGrid received it (snake_case). */
  body: {
    personalizations: Array<{ to: Array<{ email: string; name?: string }> }>;
    from: { email: string; name?: string };
    reply_to?: { email: string };
    subject: string;
    content: Array<{ type: string; value: string }>;
    headers?: Record<string, string>;
    custom_args?: Record<string, string>;
  };
  /** What the fake answered (-1 = connection dropped). */
  status: number;
  messageId: string | null;
}

export type FakeSendGridReply =
  { kind: 'ok' } | { kind: 'error'; httpStatus: number; message?: string; headers?: Record<string, string> } | { kind: 'drop' };

export interface FakeSendGrid {
  /** Base URL to set as SENDGRID_API_BASE_URL. */
  url: string;
  sends: RecordedSend[];
  /** Answers for the next requests, in order; once used up, every send is accepted (202). */
  script(...replies: FakeSendGridReply[]): void;
  /** Resolves once `count` sends were recorded (rejects after `timeoutMs`: a safety net, not a timing assertion). */
  waitForSends(count: number, timeoutMs?: number): Promise<RecordedSend[]>;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakeSendGrid(): Promise<FakeSendGrid> {
  const sends: RecordedSend[] = [];
  const scripted: FakeSendGridReply[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  let counter = 0;
  const notify = () => {
    for (const w of [...waiters]) {
      if (sends.length >= w.count) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const raw = await readBody(req);
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'POST' || path !== '/v3/mail/send') {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ message: 'not found', field: null, help: null }] }));
      return;
    }
    const reply = scripted.shift() ?? { kind: 'ok' };
    const record: RecordedSend = {
      path,
      authorization: req.headers.authorization,
      body: JSON.parse(raw) as RecordedSend['body'],
      status: 0,
      messageId: null,
    };
    sends.push(record);
    if (reply.kind === 'drop') {
      record.status = -1;
      notify();
      req.socket.destroy();
      return;
    }
    if (reply.kind === 'error') {
      record.status = reply.httpStatus;
      res.writeHead(reply.httpStatus, { 'content-type': 'application/json', ...reply.headers });
      res.end(JSON.stringify({ errors: [{ message: reply.message ?? 'error', field: null, help: null }] }));
      notify();
      return;
    }
    counter += 1;
    record.status = 202;
    record.messageId = `fakeSG${String(counter).padStart(4, '0')}`;
    res.writeHead(202, { 'x-message-id': record.messageId });
    res.end();
    notify();
  };
  // A throw in `handle` is a bug in this fake: left to surface as an unhandled rejection, as before.
  const server: Server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    sends,
    script: (...replies) => void scripted.push(...replies),
    waitForSends(count, timeoutMs = 15_000) {
      if (sends.length >= count) return Promise.resolve(sends.slice());
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`fake SendGrid saw ${sends.length} sends, expected ${count}`)), timeoutMs);
        waiters.push({ count, resolve: () => (clearTimeout(timer), resolve(sends.slice())) });
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The environment of an app that sends mail through this fake and accepts Inbound Parse posts with `secret`. */
export function emailAppEnv(fake: FakeSendGrid, secret: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    SENDGRID_API_KEY: 'SG.test',
    SENDGRID_API_BASE_URL: fake.url,
    SUPPORT_EMAIL_FROM: 'support@freeda.example',
    INBOUND_EMAIL_SECRET: secret,
    ENABLE_AUTO_ANALYTICS: 'false',
    ...extra,
  };
}
