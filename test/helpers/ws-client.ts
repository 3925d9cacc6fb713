// A real `ws` client that queues frames so tests can await them in order (agents and web-chat visitors).
import WebSocket from 'ws';

export interface Frame {
  type: string;
  seq?: number;
  code?: string;
  message?: string;
  visitor_token?: string;
  ticket_id?: string | null;
  message_id?: string;
  client_id?: string;
  duplicate?: boolean;
  resumed?: boolean;
  token_refused?: boolean;
  status?: string;
  messages?: Array<Record<string, unknown>>;
  data?: Record<string, unknown>;
}

export interface WsClient {
  ws: WebSocket;
  send(frame: unknown): void;
  sendRaw(text: string): void;
  next(predicate?: (f: Frame) => boolean): Promise<Frame>;
  /** Frames received so far and not consumed. */
  pending(): Frame[];
  /** Take every frame received so far. */
  drain(): Frame[];
  close(): Promise<void>;
}

/** Binary frames are recorded as `{type:"binary-frame"}`: browsers would get them as Blobs, so tests can assert none came. */
export async function connectWs(url: string, headers: Record<string, string> = {}): Promise<WsClient> {
  const ws = new WebSocket(url, { headers });
  const frames: Frame[] = [];
  const waiters: (() => void)[] = [];
  ws.on('message', (data: Buffer, isBinary) => {
    frames.push(isBinary ? { type: 'binary-frame' } : (JSON.parse(data.toString()) as Frame));
    waiters.splice(0).forEach((w) => w());
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    ws,
    send: (frame) => ws.send(JSON.stringify(frame)),
    sendRaw: (text) => ws.send(text),
    async next(predicate = () => true) {
      for (let i = 0; i < 400; i++) {
        const index = frames.findIndex(predicate);
        if (index >= 0) return frames.splice(index, 1)[0];
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 25);
        });
      }
      throw new Error(`frame not received; got ${JSON.stringify(frames.map((f) => f.type))}`);
    },
    pending: () => [...frames],
    drain: () => frames.splice(0),
    close: () =>
      new Promise<void>((resolve) => {
        if (ws.readyState === ws.CLOSED) return resolve();
        ws.once('close', () => resolve());
        ws.close();
      }),
  };
}
