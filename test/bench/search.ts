// Search bench (issue #16): 10k generated tickets in the json store, the 30 parity queries through GET /tickets' own
// code path (listWorkspaceTickets: search, read tickets, filter, page of 50), each query run 10 times after a warm-up.
// Prints p50/p95/max in ms. Run: npm run bench:search [-- --tickets N]
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { listWorkspaceTickets } from '../../src/query/workspace-list.js';
import { queryTokens } from '../../src/domain/search.js';
import { createJsonStore } from '../../src/storage/json/store.js';
import { tempDir } from '../helpers/tmp.js';
import { corpus, queries } from '../workspace/search-corpus.js';

const { values } = parseArgs({ options: { tickets: { type: 'string', default: '10000' }, rounds: { type: 'string', default: '10' } } });
const count = Number(values.tickets);
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const dir = await tempDir();
const store = createJsonStore({ dataDir: dir.path, logger: silent });
await store.open();
const inputs = corpus(count, 11);
let t0 = performance.now();
for (const input of inputs) await store.ingest(input);
console.log(`loaded ${count} tickets in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

const list = queries(inputs);
t0 = performance.now();
await store.searchTickets(['facture']); // builds the index from the loaded state
console.log(`index built in ${(performance.now() - t0).toFixed(0)} ms`);

const times: number[] = [];
let found = 0;
for (let round = 0; round < Number(values.rounds); round++) {
  for (const q of list) {
    const start = performance.now();
    const page = await listWorkspaceTickets(store, {}, { tokens: queryTokens(q) }, 50, null);
    times.push(performance.now() - start);
    if (round === 0) found += page.items.length;
  }
}
times.sort((a, b) => a - b);
const at = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))].toFixed(2);
console.log(
  `search over ${count} tickets: ${times.length} queries, p50 ${at(0.5)} ms, p95 ${at(0.95)} ms, max ${times.at(-1)!.toFixed(2)} ms (${found} tickets on the first pages)`,
);
await store.close();
await dir.remove();
