// `npm run bench`: ingest throughput, CSV export at 10k/100k, start-up with 100k tickets, WebSocket fan-out.
// Every server runs in its own child process; this process only generates load. Loopback only, bounded in time.
// Prints the figures and writes them to test/bench/RESULTS.md.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, freemem, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { MESSAGING_PATH } from '../../adapters/twilio/types.js';
import { signTwilioRequest } from '../../adapters/twilio/verify.js';
import { BENCH_PUBLIC_BASE_URL, BENCH_TOKEN, BENCH_TWILIO_TOKEN, fixed, mb, percentile, sleep, startChild } from './lib.js';

const INGEST_SECONDS = Number(process.env.BENCH_INGEST_SECONDS ?? 10);
const EXPORT_SIZES = (process.env.BENCH_EXPORT_SIZES ?? '10000,100000').split(',').map(Number);
const WS_CLIENTS = Number(process.env.BENCH_WS_CLIENTS ?? 5000);
const WS_EVENTS = Number(process.env.BENCH_WS_EVENTS ?? 50);
const ONLY = process.env.BENCH_ONLY?.split(',');
/** Extra env for the app server (experiments, e.g. {"LOG_LEVEL":"warn"}); the reported run uses the defaults. */
const APP_ENV = process.env.BENCH_APP_ENV ?? '{}';
const runs = (section: string) => !ONLY || ONLY.includes(section);

const lines: string[] = [];
const out = (line = '') => {
  lines.push(line);
  process.stdout.write(line + '\n');
};

// ---------- signed Twilio webhooks ----------

let sidCounter = 0;
// Hex: a MessageSid is SM + 32 hex digits (anything else is refused with 400).
const runTag = Date.now().toString(16);

function twilioForm(text: string, fromIndex: number): { body: string; signature: string } {
  sidCounter += 1;
  const sid = `SM${runTag}${String(sidCounter).padStart(32 - runTag.length, '0')}`;
  const params: Record<string, string> = {
    ToCountry: 'FR',
    ToState: '',
    SmsMessageSid: sid,
    NumMedia: '0',
    ToCity: '',
    FromZip: '',
    SmsSid: sid,
    FromState: '',
    SmsStatus: 'received',
    FromCity: '',
    Body: text,
    FromCountry: 'FR',
    To: '+33757000000',
    ToZip: '',
    NumSegments: '1',
    MessageSid: sid,
    AccountSid: 'AC' + '0'.repeat(32),
    From: `+336${String(10_000_000 + fromIndex).slice(-8)}`,
    ApiVersion: '2010-04-01',
  };
  return {
    body: new URLSearchParams(params).toString(),
    signature: signTwilioRequest(BENCH_TWILIO_TOKEN, BENCH_PUBLIC_BASE_URL + MESSAGING_PATH, params),
  };
}

const FORM_HEADERS = { 'content-type': 'application/x-www-form-urlencoded' };

interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  total: number;
  non2xx: number;
  errors: number;
}

async function loadTest(url: string, seconds: number, connections: number): Promise<LoadResult> {
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        path: MESSAGING_PATH,
        setupRequest: (req: Record<string, unknown>) => {
          const form = twilioForm('Bonjour, ma box ne fonctionne plus depuis ce matin.', sidCounter % 20_000);
          return { ...req, body: form.body, headers: { ...FORM_HEADERS, 'x-twilio-signature': form.signature } };
        },
      },
    ],
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

async function ingestSection() {
  out('## (a) Ingest: signed Twilio SMS webhooks, 50 connections');
  out();
  const results: Record<string, LoadResult & { stored?: number; elu?: number; cpuShare?: number }> = {};
  // `core`: the same app with chatbot, analytics and info logs off: what the durable ingest path alone costs.
  const variants = {
    bare: ['bare', '{}'],
    app: ['app', APP_ENV],
    core: ['app', JSON.stringify({ ENABLE_CHATBOT: 'false', ENABLE_AUTO_ANALYTICS: 'false', LOG_LEVEL: 'warn' })],
  } as const;
  for (const mode of ['bare', 'app', 'core'] as const) {
    const server = startChild('./server.ts', [...variants[mode]]);
    try {
      const { url } = await server.next<{ url: string }>('ready', 60_000);
      await loadTest(url, 2, 10); // warm-up (JIT, connection pools)
      server.send({ type: 'mark' });
      results[mode] = await loadTest(url, INGEST_SECONDS, 50);
      if (mode !== 'bare') {
        server.send({ type: 'stats' });
        const stats = await server.next<{ tickets: number; elu: number; cpuShare: number }>('stats');
        results[mode].stored = stats.tickets;
        results[mode].elu = stats.elu;
        results[mode].cpuShare = stats.cpuShare;
      }
    } finally {
      await server.stop();
    }
  }
  const { bare, app, core } = results;
  out('| server | req/s | p50 ms | p99 ms | requests | non-2xx | errors |');
  out('|---|---|---|---|---|---|---|');
  out(
    `| bare express (urlencoded parse, no verify/store) | ${fixed(bare.rps, 0)} | ${bare.p50} | ${bare.p99} | ${bare.total} | ${bare.non2xx} | ${bare.errors} |`,
  );
  out(
    `| Freeda full app (verify, normalise, json store fsync, pipeline, logs) | ${fixed(app.rps, 0)} | ${app.p50} | ${app.p99} | ${app.total} | ${app.non2xx} | ${app.errors} |`,
  );
  out(
    `| Freeda, ingest path only (same, chatbot + analytics off, LOG_LEVEL=warn) | ${fixed(core.rps, 0)} | ${core.p50} | ${core.p99} | ${core.total} | ${core.non2xx} | ${core.errors} |`,
  );
  out();
  const ratio = app.rps / bare.rps;
  out(
    `ratio app/bare: **${fixed(ratio * 100, 1)} %** (target ≥ 50 %) → ${ratio >= 0.5 ? 'met' : 'MISSED'}; app p99 ${app.p99} ms (target < 50 ms) → ${app.p99 < 50 ? 'met' : 'MISSED'}; tickets stored after warm-up + run: ${app.stored}; app event-loop utilisation during the run ${fixed((app.elu ?? NaN) * 100, 0)} %, CPU ${fixed((app.cpuShare ?? NaN) * 100, 0)} % of one core (the other core runs the load generator)`,
  );
  out(
    `ingest path only: ${fixed((core.rps / bare.rps) * 100, 1)} % of bare express, p99 ${core.p99} ms, event-loop utilisation ${fixed((core.elu ?? NaN) * 100, 0)} %`,
  );
  out();
}

// ---------- CSV export and start-up ----------

interface ExportFigures {
  tickets: number;
  generateSeconds: number;
  storeOpenMs: number;
  appStartMs: number;
  exportSeconds: number;
  bytes: number;
  rows: number;
  baselineRss: number;
  peakRss: number;
  maxRssEver: number;
}

async function exportOnce(count: number): Promise<ExportFigures> {
  const dir = await mkdtemp(join(tmpdir(), 'freeda-bench-export-'));
  try {
    const generator = startChild('./dataset.ts', [String(count), dir], { heapMb: 4096 });
    const generated = await generator.next<{ seconds: number }>('generated', 900_000);
    await generator.stop();

    const server = startChild('./export-server.ts', [dir], { gc: true, heapMb: 4096 });
    try {
      const ready = await server.next<{ url: string; tickets: number; storeOpenMs: number; appStartMs: number }>('ready', 300_000);
      if (ready.tickets !== count) throw new Error(`expected ${count} tickets, store has ${ready.tickets}`);
      const started = performance.now();
      const res = await fetch(`${ready.url}/export/csv`, { headers: { authorization: `Bearer ${BENCH_TOKEN}` } });
      if (res.status !== 200 || !res.body) throw new Error(`export answered ${res.status}`);
      let bytes = 0;
      let rows = 0;
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        bytes += chunk.byteLength;
        for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) rows++;
      }
      const exportSeconds = (performance.now() - started) / 1000;
      server.send({ type: 'sample' });
      const memory = await server.next<{ peakRss: number; baselineRss: number; maxRssEver: number }>('sample');
      return {
        tickets: count,
        generateSeconds: generated.seconds,
        storeOpenMs: ready.storeOpenMs,
        appStartMs: ready.appStartMs,
        exportSeconds,
        bytes,
        rows: rows - 1,
        ...memory,
      };
    } finally {
      await server.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function exportSection() {
  const figures: ExportFigures[] = [];
  for (const size of EXPORT_SIZES) figures.push(await exportOnce(size));
  out('## (b) CSV export (GET /export/csv, whole store, streamed to the client)');
  out();
  out(
    '| tickets | export s | CSV MB | rows | RSS before export MB | peak RSS during export MB | export overhead MB | process max RSS MB (incl. load) |',
  );
  out('|---|---|---|---|---|---|---|---|');
  for (const f of figures) {
    out(
      `| ${f.tickets} | ${fixed(f.exportSeconds, 2)} | ${fixed(f.bytes / 1024 / 1024, 1)} | ${f.rows} | ${mb(f.baselineRss)} | ${mb(f.peakRss)} | ${mb(f.peakRss - f.baselineRss)} | ${mb(f.maxRssEver)} |`,
    );
  }
  out();
  const small = figures.find((f) => f.tickets === 10_000);
  const big = figures.find((f) => f.tickets === 100_000);
  if (big) out(`100k export: ${fixed(big.exportSeconds, 2)} s (target < 2 s) → ${big.exportSeconds < 2 ? 'met' : 'MISSED'}`);
  if (small && big) {
    const overheadRatio = Math.max(1, big.peakRss - big.baselineRss) / Math.max(1, small.peakRss - small.baselineRss);
    out(
      `peak RSS 100k / 10k: ${fixed(big.peakRss / small.peakRss, 2)}× for the whole process (the json store keeps every ticket in memory by design), ` +
        `${fixed(overheadRatio, 2)}× for what the export adds on top of the loaded store (${mb(small.peakRss - small.baselineRss)} MB → ${mb(big.peakRss - big.baselineRss)} MB) (target ≤ 1.5×)`,
    );
  }
  out();
  out('## (c) Start-up with the generated tickets stored (json store: snapshot load)');
  out();
  out('| tickets | store.open() ms | app.start() ms (load + listen + outbound resume + work rebuild) | generation s |');
  out('|---|---|---|---|');
  for (const f of figures)
    out(`| ${f.tickets} | ${fixed(f.storeOpenMs, 0)} | ${fixed(f.appStartMs, 0)} | ${fixed(f.generateSeconds, 1)} |`);
  out();
  if (big) out(`start-up with 100k: ${fixed(big.appStartMs, 0)} ms (target < 2000 ms) → ${big.appStartMs < 2000 ? 'met' : 'MISSED'}`);
  out();
}

// ---------- WebSocket fan-out ----------

async function wsSection() {
  out(`## (d) WebSocket: ${WS_CLIENTS} agent clients, broadcast latency`);
  out();
  // Chatbot and analytics off here: every inbound then yields two frames (ticket.created, message.created) per client,
  // so the fan-out is measured rather than the 2-core machine drowning in bot/analytics frames to 5,000 sockets.
  const server = startChild('./server.ts', [
    'app',
    JSON.stringify({ ENABLE_CHATBOT: 'false', ENABLE_AUTO_ANALYTICS: 'false', ...JSON.parse(APP_ENV) }),
  ]);
  const clientProcesses: ReturnType<typeof startChild>[] = [];
  try {
    const { url } = await server.next<{ url: string }>('ready', 60_000);
    const wsUrl = `${url.replace(/^http/, 'ws')}/ws?token=${BENCH_TOKEN}`;
    const split = [Math.ceil(WS_CLIENTS / 2), Math.floor(WS_CLIENTS / 2)];
    const connectStart = performance.now();
    for (const n of split) clientProcesses.push(startChild('./ws-clients.ts', [wsUrl, String(n)]));
    const connected = await Promise.all(clientProcesses.map((c) => c.next<{ count: number }>('connected', 120_000)));
    const connectSeconds = (performance.now() - connectStart) / 1000;
    server.send({ type: 'stats' });
    const before = await server.next<{ agents: number; rss: number }>('stats');

    server.send({ type: 'mark' });
    // One customer SMS every 400 ms; the send time is in the text, every client measures against the same clock.
    for (let i = 0; i < WS_EVENTS; i++) {
      const sentAt = Date.now();
      const form = twilioForm(`Bonjour bench-ts:${sentAt}`, 50_000 + i);
      const res = await fetch(url + MESSAGING_PATH, {
        method: 'POST',
        headers: { ...FORM_HEADERS, 'x-twilio-signature': form.signature },
        body: form.body,
      });
      if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
      await res.arrayBuffer();
      await sleep(400);
    }
    await sleep(1500);
    for (const c of clientProcesses) c.send({ type: 'collect' });
    const collected = await Promise.all(
      clientProcesses.map((c) =>
        c.next<{ latencies: number[]; closedEarly: number; cpuMs: number; perEvent: { sentAt: number; min: number; max: number }[] }>(
          'latencies',
          60_000,
        ),
      ),
    );
    if (process.env.BENCH_DEBUG)
      for (const c of collected)
        process.stderr.write(JSON.stringify({ cpuMs: c.cpuMs, perEvent: c.perEvent.map((e) => [e.min, e.max]) }) + '\n');
    server.send({ type: 'stats' });
    const during = await server.next<{
      elu: number;
      cpuShare: number;
      serverSide: { sentAt: number; publishStart: number; fanoutEnd: number }[];
    }>('stats');
    if (process.env.BENCH_DEBUG)
      process.stderr.write(JSON.stringify(during.serverSide.map((e) => [e.publishStart - e.sentAt, e.fanoutEnd - e.sentAt])) + '\n');
    const latencies = collected.flatMap((c) => c.latencies).sort((a, b) => a - b);
    const expected = WS_EVENTS * WS_CLIENTS;
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    out('| clients connected | connect s | events | frames received / expected | p50 ms | p99 ms | max ms | server RSS MB |');
    out('|---|---|---|---|---|---|---|---|');
    out(
      `| ${connected.reduce((s, c) => s + c.count, 0)} (server sees ${before.agents}) | ${fixed(connectSeconds, 1)} | ${WS_EVENTS} | ${latencies.length} / ${expected} | ${p50} | ${p99} | ${latencies.at(-1)} | ${mb(before.rss)} |`,
    );
    out();
    out(
      `server event-loop utilisation while the events were sent: ${fixed(during.elu * 100, 0)} %, CPU ${fixed(during.cpuShare * 100, 0)} % of one core`,
    );
    out(
      `broadcast p99 ${p99} ms (target < 100 ms) → ${p99 < 100 ? 'met' : 'MISSED'}; measured from the webhook's send moment to each client's receipt of the customer's message.created frame (includes signature check, fsync'd store write, bus, fan-out)`,
    );
    out();
  } finally {
    for (const c of clientProcesses) await c.stop();
    await server.stop();
  }
}

const cpu = cpus();
out(`# Freeda benchmark — ${new Date().toISOString()}`);
out();
out(
  `Machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${mb(totalmem())} MB RAM (${mb(freemem())} MB free at start), Node ${process.version}, ${process.platform}; shared/noisy machine, one run each, loopback only. Load generator = this process; every server in its own child process.`,
);
out();
if (runs('ingest')) await ingestSection();
if (runs('export')) await exportSection();
if (runs('ws')) await wsSection();
if (!ONLY) await writeFile(new URL('./RESULTS.md', import.meta.url), lines.join('\n') + '\n');
