// Loopback fakes for the voice tests: a recording host (Twilio media, optionally redirecting to a "CDN"),
// and a Mistral server answering audio transcriptions (multipart, parsed with busboy) and chat completions.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import busboy from 'busboy';
import { signTwilioRequest } from '../../adapters/twilio/verify.js';
import { FIXTURES_DIR } from './fixtures.js';

export interface VoiceFixture {
  name: string;
  description: string;
  /** Path + query Twilio calls (relative to PUBLIC_BASE_URL). */
  path: string;
  params: Record<string, string>;
}

export function loadVoiceFixture(name: string): VoiceFixture {
  const data = JSON.parse(readFileSync(join(FIXTURES_DIR, 'voice', `${name}.json`), 'utf8')) as Omit<VoiceFixture, 'name'>;
  return { name, ...data };
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

export interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
}

export interface FakeRecordingHost {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** Serves `audio` on any GET; with `redirectTo`, answers 302 to `<redirectTo>/cdn<path>` instead (Twilio → CDN). */
export async function startFakeRecordingHost(options: {
  audio?: Buffer;
  redirectTo?: () => string;
  requireBasic?: string;
}): Promise<FakeRecordingHost> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization });
    if (options.requireBasic && req.headers.authorization !== `Basic ${Buffer.from(options.requireBasic).toString('base64')}`) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"code":20003,"message":"Authenticate"}');
      return;
    }
    if (options.redirectTo) {
      res.writeHead(302, { location: `${options.redirectTo()}/cdn${req.url ?? '/'}` }).end();
      return;
    }
    const audio = options.audio ?? Buffer.from('ID3fake-mp3-bytes');
    res.writeHead(200, { 'content-type': 'audio/mpeg', 'content-length': String(audio.length) }).end(audio);
  });
  const url = await listen(server);
  return { url, requests, close: () => close(server) };
}

export interface TranscriptionRequest {
  authorization: string | undefined;
  fields: Record<string, string>;
  fileName: string | null;
  fileBytes: number;
}

export interface FakeMistral {
  /** Base URL for MISTRAL_SERVER_URL (no /v1). */
  url: string;
  transcriptions: TranscriptionRequest[];
  chats: Array<{ authorization: string | undefined; body: unknown }>;
  /** Text returned by the next transcriptions (default "Bonjour, je rappelle pour ma facture."). */
  transcriptionText: string;
  /** Chat completion content, in order; once used up the last one repeats. */
  chatReplies: string[];
  close(): Promise<void>;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return null;
  }
}

export async function startFakeMistral(): Promise<FakeMistral> {
  const fake: Omit<FakeMistral, 'url' | 'close'> = {
    transcriptions: [],
    chats: [],
    transcriptionText: 'Bonjour, je rappelle pour ma facture.',
    chatReplies: [],
  };
  let chatIndex = 0;
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'POST' && path === '/v1/audio/transcriptions') {
      const record: TranscriptionRequest = { authorization: req.headers.authorization, fields: {}, fileName: null, fileBytes: 0 };
      const parser = busboy({ headers: req.headers });
      parser.on('field', (name, value) => (record.fields[name] = value));
      parser.on('file', (_name, stream, info) => {
        record.fileName = info.filename ?? null;
        stream.on('data', (chunk: Buffer) => (record.fileBytes += chunk.length));
      });
      parser.on('close', () => {
        fake.transcriptions.push(record);
        json(res, 200, {
          model: record.fields.model ?? 'voxtral-mini-latest',
          text: fake.transcriptionText,
          language: 'fr',
          segments: [],
          usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, prompt_audio_seconds: 3 },
        });
      });
      parser.on('error', () => json(res, 400, { message: 'bad multipart' }));
      req.pipe(parser);
      return;
    }
    if (req.method === 'POST' && path === '/v1/chat/completions') {
      void readJson(req).then((body) => {
        fake.chats.push({ authorization: req.headers.authorization, body });
        const content = fake.chatReplies[Math.min(chatIndex++, fake.chatReplies.length - 1)] ?? '{}';
        json(res, 200, {
          id: `cmpl-${chatIndex}`,
          object: 'chat.completion',
          model: 'mistral-small-latest',
          created: 1,
          choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
        });
      });
      return;
    }
    json(res, 404, { message: 'not found' });
  });
  const url = await listen(server);
  return Object.assign(fake, { url, close: () => close(server) });
}

/** POST a form body signed like Twilio for `publicUrl`, delivered to `serverUrl` + the same path and query. */
export async function postSigned(
  serverUrl: string,
  publicBase: string,
  pathAndQuery: string,
  params: Record<string, string>,
  authToken: string,
  signature?: string,
): Promise<{ status: number; body: string; ticketId: string | null; contentType: string | null }> {
  const res = await fetch(serverUrl + pathAndQuery, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': signature ?? signTwilioRequest(authToken, publicBase + pathAndQuery, params),
    },
    body: new URLSearchParams(params).toString(),
  });
  return {
    status: res.status,
    body: await res.text(),
    ticketId: res.headers.get('x-freeda-ticket-id'),
    contentType: res.headers.get('content-type'),
  };
}
