// Child process: N agent WebSocket clients. For each customer `message.created` frame carrying
// `bench-ts:<ms>` (the trigger's send time, same machine clock), records receive time − send time.
// argv: <ws url with token> <count>
import WebSocket from 'ws';
import { onParent, report } from './lib.js';

const url = process.argv[2];
const count = Number(process.argv[3]);
const MARK = /bench-ts:(\d+(?:\.\d+)?)/;
const MARK_BYTES = Buffer.from('bench-ts:');
const latencies: number[] = [];
/** Fastest and slowest client per event: separates the server's delay before the fan-out from the fan-out itself. */
const perEvent = new Map<string, { sentAt: number; min: number; max: number; count: number }>();
const sockets: WebSocket[] = [];
let closedEarly = 0;

function connect(): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.once('open', () => {
      sockets.push(ws);
      resolve();
    });
    ws.once('error', reject);
    ws.on('close', () => {
      closedEarly += 1;
    });
    ws.on('message', (data: Buffer) => {
      const received = Date.now();
      // Search the bytes first: decoding every frame of 5,000 sockets would make the clients the bottleneck.
      if (data.indexOf(MARK_BYTES) < 0) return;
      const text = data.toString();
      const mark = MARK.exec(text);
      if (!mark) return;
      const frame = JSON.parse(text) as { type: string; data?: { author?: string } };
      if (frame.type === 'message.created' && frame.data?.author === 'customer') {
        const latency = received - Number(mark[1]);
        latencies.push(latency);
        const event = perEvent.get(mark[1]) ?? { sentAt: Number(mark[1]), min: latency, max: latency, count: 0 };
        event.min = Math.min(event.min, latency);
        event.max = Math.max(event.max, latency);
        event.count += 1;
        perEvent.set(mark[1], event);
      }
    });
  });
}

const PARALLEL = 100;
for (let done = 0; done < count; done += PARALLEL) {
  await Promise.all(Array.from({ length: Math.min(PARALLEL, count - done) }, connect));
}
report({ type: 'connected', count: sockets.length });

await onParent('collect');
report({
  type: 'latencies',
  latencies,
  perEvent: [...perEvent.values()],
  closedEarly,
  cpuMs: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
});
await onParent('stop');
for (const ws of sockets) ws.terminate();
process.exit(0);
