// A local fake of Twilio's REST API for tests: Messages.json create (records every create, answers from a script) and
// list (GET, filtered by To/From, newest first: what a sender reconciles against after an ambiguous failure).
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

export interface AcceptedMessage {
  sid: string;
  accountSid: string;
  to: string;
  from: string | null;
  messagingServiceSid: string | null;
  body: string;
  status: string;
  dateCreated: Date;
}

/** One scripted answer: an HTTP status with Twilio's error JSON, or a success (201). */
export type FakeTwilioReply =
  | { kind: 'ok'; status?: 'queued' | 'accepted' | 'sent' }
  | { kind: 'error'; httpStatus: number; code?: number; message?: string }
  /** Reset the connection after reading the request, without creating anything. */
  | { kind: 'drop' }
  /** Create the message (the customer gets it), then reset the connection before answering: the caller cannot know. */
  | { kind: 'accept_then_reset' }
  /** A gateway in front of the API answers this status without Twilio's JSON body, after the message was created. */
  | { kind: 'accept_then_gateway_error'; httpStatus: number };

export interface FakeTwilio {
  /** Base URL to set as TWILIO_API_BASE_URL. */
  url: string;
  creates: RecordedCreate[];
  /** Messages the fake created (accepted), oldest first: what a customer received. */
  accepted: AcceptedMessage[];
  /** List requests seen (path + query), for assertions. */
  lists: string[];
  /** Answer the next list requests with this HTTP error (e.g. the API is down); null = answer normally. */
  failLists(httpStatus: number | null): void;
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

/** Twilio's JSON for a message resource (create answer and list item). */
function messageResource(m: AcceptedMessage): Record<string, unknown> {
  return {
    sid: m.sid,
    account_sid: m.accountSid,
    to: m.to,
    from: m.from,
    messaging_service_sid: m.messagingServiceSid,
    body: m.body,
    status: m.status,
    num_segments: '1',
    direction: 'outbound-api',
    error_code: null,
    error_message: null,
    api_version: '2010-04-01',
    date_created: m.dateCreated.toUTCString().replace('GMT', '+0000'),
    date_sent: null,
    uri: `/2010-04-01/Accounts/${m.accountSid}/Messages/${m.sid}.json`,
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export async function startFakeTwilio(): Promise<FakeTwilio> {
  const creates: RecordedCreate[] = [];
  const accepted: AcceptedMessage[] = [];
  const lists: string[] = [];
  let listFailure: number | null = null;
  const scripted: FakeTwilioReply[] = [];
  let fallback: FakeTwilioReply = { kind: 'ok' };
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  let counter = 0;

  /** List Messages: `To`, `From` filters, newest first, one page of `PageSize`. */
  const list = (res: ServerResponse, accountSid: string, query: URLSearchParams) => {
    lists.push(query.toString());
    if (listFailure !== null) return json(res, listFailure, { code: 20500, message: 'fake list failure', status: listFailure });
    const pageSize = Math.min(Number(query.get('PageSize') ?? 50) || 50, 1000);
    const items = accepted
      .filter((m) => (!query.has('To') || m.to === query.get('To')) && (!query.has('From') || m.from === query.get('From')))
      .reverse()
      .slice(0, pageSize);
    json(res, 200, {
      messages: items.map(messageResource),
      page: 0,
      page_size: pageSize,
      first_page_uri: `/2010-04-01/Accounts/${accountSid}/Messages.json?PageSize=${pageSize}&Page=0`,
      next_page_uri: null,
      previous_page_uri: null,
      uri: `/2010-04-01/Accounts/${accountSid}/Messages.json?PageSize=${pageSize}&Page=0`,
    });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://fake');
    const match = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(url.pathname);
    if (match && req.method === 'GET') return list(res, match[1], url.searchParams);
    if (req.method !== 'POST' || !match) {
      return json(res, 404, { code: 20404, message: 'The requested resource was not found', status: 404 });
    }
    const path = url.pathname;
    const params = Object.fromEntries(new URLSearchParams(body));
    const reply = scripted.shift() ?? fallback;
    const record: RecordedCreate = { method: req.method, path, authorization: req.headers.authorization, params, status: 0, sid: null };
    const done = () => {
      creates.push(record);
      notify();
    };
    if (reply.kind === 'drop') {
      record.status = -1;
      done();
      req.socket.destroy();
      return;
    }
    if (reply.kind === 'error') {
      record.status = reply.httpStatus;
      done();
      return json(res, reply.httpStatus, {
        code: reply.code ?? reply.httpStatus,
        message: reply.message ?? 'fake error',
        more_info: `https://www.twilio.com/docs/errors/${reply.code ?? reply.httpStatus}`,
        status: reply.httpStatus,
      });
    }
    counter += 1;
    const message: AcceptedMessage = {
      sid: 'SM' + counter.toString(16).padStart(32, 'f'),
      accountSid: match[1],
      to: params.To,
      from: params.From ?? null,
      messagingServiceSid: params.MessagingServiceSid ?? null,
      body: params.Body,
      status: reply.kind === 'ok' ? (reply.status ?? (params.MessagingServiceSid ? 'accepted' : 'queued')) : 'queued',
      dateCreated: new Date(),
    };
    accepted.push(message);
    record.status = 201;
    record.sid = message.sid;
    done();
    if (reply.kind === 'accept_then_reset') {
      req.socket.destroy();
      return;
    }
    if (reply.kind === 'accept_then_gateway_error') {
      res.writeHead(reply.httpStatus, { 'content-type': 'text/html' });
      res.end('<html><body>Gateway Timeout</body></html>');
      return;
    }
    json(res, 201, messageResource(message));
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
    accepted,
    lists,
    failLists: (httpStatus) => void (listFailure = httpStatus),
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
