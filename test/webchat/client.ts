// A real `ws` visitor client that queues frames so tests can await them in order.
import WebSocket from 'ws';

export interface Frame {
  type: string;
  code?: string;
  message?: string;
  visitor_token?: string;
  ticket_id?: string | null;
  message_id?: string;
  client_id?: string;
  duplicate?: boolean;
  resumed?: boolean;
  status?: string;
  messages?: Array<Record<string, unknown>>;
  data?: Record<string, unknown>;
}

export interface VisitorClient {
  ws: WebSocket;
  send(frame: unknown): void;
  sendRaw(text: string): void;
  next(predicate?: (f: Frame) => boolean): Promise<Frame>;
  /** Frames received so far and not consumed. */
  pending(): Frame[];
  close(): Promise<void>;
}

export async function connectVisitor(baseUrl: string): Promise<VisitorClient> {
  const ws = new WebSocket(baseUrl.replace(/^http/, 'ws') + '/ws');
  const frames: Frame[] = [];
  const waiters: (() => void)[] = [];
  ws.on('message', (data) => {
    frames.push(JSON.parse(data.toString()) as Frame);
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
    close: () =>
      new Promise<void>((resolve) => {
        if (ws.readyState === ws.CLOSED) return resolve();
        ws.once('close', () => resolve());
        ws.close();
      }),
  };
}

/** Connect and say hello; returns the client and its welcome frame. */
export async function greet(baseUrl: string, hello: Record<string, unknown> = {}): Promise<{ client: VisitorClient; welcome: Frame }> {
  const client = await connectVisitor(baseUrl);
  client.send({ type: 'hello', ...hello });
  const welcome = await client.next((f) => f.type === 'welcome' || f.type === 'error');
  if (welcome.type !== 'welcome') throw new Error(`hello refused: ${JSON.stringify(welcome)}`);
  return { client, welcome };
}
