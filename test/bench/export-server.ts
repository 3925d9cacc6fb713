// Child process on a generated DATA_DIR: times the json store's load and the full app start-up, then serves
// GET /export/csv while sampling its own RSS. argv: <dataDir>
import { performance } from 'node:perf_hooks';
import { createFreeda } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';
import { createJsonStore } from '../../src/storage/json/store.js';
import { BENCH_TOKEN, onParent, report } from './lib.js';

const dataDir = process.argv[2];
const silent = { debug() {}, info() {}, warn() {}, error() {} };

// (c) store load alone, then the whole app (load + listen + outbound resume + work-queue rebuild).
const store = createJsonStore({ dataDir, logger: silent });
let t = performance.now();
await store.open();
const storeOpenMs = performance.now() - t;
const tickets = store.stats().tickets;
await store.close();
global.gc?.();

const config = parseConfig({
  PORT: '0',
  LOG_LEVEL: 'warn',
  API_TOKENS: BENCH_TOKEN,
  DATA_DIR: dataDir,
  ENABLE_CHATBOT: 'false',
  ENABLE_AUTO_ANALYTICS: 'false',
});
const app = await createFreeda(config, { print: () => undefined });
t = performance.now();
await app.start();
const appStartMs = performance.now() - t;
global.gc?.();
await new Promise((resolve) => setTimeout(resolve, 100));
global.gc?.();
const baselineRss = process.memoryUsage.rss();
const baselineHeap = process.memoryUsage().heapUsed;
report({ type: 'ready', url: app.url, tickets, storeOpenMs, appStartMs, baselineRss, baselineHeap });

// (b) peak RSS while the parent downloads the export.
let peakRss = baselineRss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}, 5);
process.on('message', (message: { type?: string }) => {
  if (message?.type === 'sample') {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    report({ type: 'sample', peakRss, baselineRss, maxRssEver: process.resourceUsage().maxRSS * 1024 });
  }
});
await onParent('stop');
clearInterval(sampler);
await app.stop();
process.exit(0);
