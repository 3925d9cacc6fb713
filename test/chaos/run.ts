// `npm run chaos` (not part of npm test; a few minutes at most): real server processes under SIGKILL, a provider
// outage and a full disk; prints one table. CHAOS_ONLY=<name,...> runs some scenarios only.
import { performance } from 'node:perf_hooks';
import type { Row } from './harness.js';
import { SCENARIOS } from './scenarios.js';

const only = process.env.CHAOS_ONLY?.split(',').filter(Boolean);
const rows: Row[] = [];
const started = performance.now();
for (const scenario of SCENARIOS) {
  if (only && !only.includes(scenario.name)) continue;
  const t0 = performance.now();
  process.stderr.write(`chaos: ${scenario.name}…\n`);
  rows.push(await scenario.run());
  process.stderr.write(`chaos: ${scenario.name} done in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
}

const lines = [
  `# npm run chaos — ${new Date().toISOString()}, Node ${process.version}, ${((performance.now() - started) / 1000).toFixed(0)} s`,
  '',
  '| scenario | acked | stored | duplicates | lost | sent twice | detail |',
  '|---|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.scenario} | ${r.acked} | ${r.stored} | ${r.duplicates} | ${r.lost} | ${r.sentTwice} | ${r.detail} |`),
  '',
  'acked: webhooks answered 200 + agent replies answered 201; stored: of those, present at the end (after the restart',
  'where there is one); duplicates: messages stored more than once; lost: acked but not stored, or an acked reply the',
  'provider never accepted; sent twice: replies the fake Twilio accepted more than once (counted at the fake, by body).',
];
process.stdout.write(lines.join('\n') + '\n');
const bad = rows.filter((r) => r.lost || r.duplicates || r.sentTwice || r.stored !== r.acked);
process.exitCode = bad.length ? 1 : 0;
