// Child process: the server under load. `app` = the full Freeda app (Twilio adapter, json store with fsync,
// pipeline, WS hub) on a fresh DATA_DIR; `bare` = a bare express handler parsing the same form body.
// argv: <app|bare> [JSON of extra env for the app]
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import express from 'express';
import { twilioModule } from '../../adapters/twilio/index.js';
import { createFreeda } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';
import { BENCH_PUBLIC_BASE_URL, BENCH_TOKEN, BENCH_TWILIO_TOKEN, onParent, report } from './lib.js';

const mode = process.argv[2];
const extraEnv = JSON.parse(process.argv[3] ?? '{}') as Record<string, string>;

/** The `bench-ts:<ms>` marker the load generator puts in a message text. */
function benchMark(data: unknown): RegExpExecArray | null {
  const text = (data as { text?: unknown }).text;
  return typeof text === 'string' ? /bench-ts:(\d+)/.exec(text) : null;
}

async function bare(): Promise<void> {
  const app = express();
  app.post('/webhooks/twilio/messaging', express.urlencoded({ extended: false, limit: '1mb' }), (req, res) => {
    if (typeof (req.body as Record<string, unknown> | undefined)?.MessageSid !== 'string') {
      res.status(400).end();
      return;
    }
    res.type('text/xml').send('<?xml version="1.0" encoding="UTF-8"?><Response/>');
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  report({ type: 'ready', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  await onParent('stop');
  server.closeAllConnections();
  server.close();
  process.exit(0);
}

async function full(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'freeda-bench-'));
  const config = parseConfig({
    PORT: '0',
    LOG_LEVEL: 'info',
    API_TOKENS: BENCH_TOKEN,
    DATA_DIR: dataDir,
    PUBLIC_BASE_URL: BENCH_PUBLIC_BASE_URL,
    TWILIO_AUTH_TOKEN: BENCH_TWILIO_TOKEN,
    ...extraEnv,
  });
  const app = await createFreeda(config, { modules: [twilioModule], print: () => undefined });
  await app.start();
  report({ type: 'ready', url: app.url });
  // Server-side timing of marked customer messages: publish moment (hub fan-out starts) and fan-out end
  // (this listener runs after the hub's, which sends to every socket synchronously).
  const serverSide: { sentAt: number; publishStart: number; fanoutEnd: number }[] = [];
  app.bus.subscribe((event) => {
    if (event.type !== 'message.created') return;
    const mark = benchMark(event.data);
    if (mark) serverSide.push({ sentAt: Number(mark[1]), publishStart: publishStarts.get(mark[1]) ?? NaN, fanoutEnd: Date.now() });
  });
  const publishStarts = new Map<string, number>();
  const original = app.bus.publish.bind(app.bus);
  app.bus.publish = (event) => {
    const mark = benchMark(event.data);
    if (mark && event.type === 'message.created') publishStarts.set(mark[1], Date.now());
    original(event);
  };
  const profile = measuredWindowProfiler();
  const stats = () => (app.store as unknown as { stats(): { tickets: number } }).stats();
  // Event-loop utilisation and CPU since the last `mark`: tells CPU-bound from waiting (fsync, network).
  let elu = performance.eventLoopUtilization();
  let cpu = process.cpuUsage();
  let markedAt = performance.now();
  process.on('message', (message: { type?: string }) => {
    if (message?.type === 'mark') {
      void profile.start();
      elu = performance.eventLoopUtilization();
      cpu = process.cpuUsage();
      markedAt = performance.now();
    }
    if (message?.type === 'stats') {
      void profile.stop();
      const used = process.cpuUsage(cpu);
      const wallMs = performance.now() - markedAt;
      report({
        type: 'stats',
        ...stats(),
        agents: app.hub.agentCount,
        rss: process.memoryUsage.rss(),
        elu: performance.eventLoopUtilization(elu).utilization,
        serverSide: serverSide.splice(0),
        cpuShare: (used.user + used.system) / 1000 / wallMs,
      });
    }
  });
  await onParent('stop');
  await app.stop();
  await rm(dataDir, { recursive: true, force: true });
  process.exit(0);
}

/** BENCH_CPU_PROF=<dir>: CPU profile of the measured window only (between `mark` and `stats`), not start-up. */
function measuredWindowProfiler() {
  const dir = process.env.BENCH_CPU_PROF;
  const session = dir ? new Session() : null;
  let running = false;
  return {
    async start() {
      if (!session || running) return;
      running = true;
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
    },
    async stop() {
      if (!session || !dir || !running) return;
      running = false;
      const { profile } = await session.post('Profiler.stop');
      await writeFile(join(dir, `window-${mode}-${process.pid}.cpuprofile`), JSON.stringify(profile));
      session.disconnect();
    },
  };
}

if (mode === 'bare') await bare();
else if (mode === 'app') await full();
else throw new Error(`usage: server.ts <app|bare>`);
