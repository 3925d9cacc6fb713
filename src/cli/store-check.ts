// `freeda store:check [--data-dir DIR]`: verify a json DATA_DIR without starting the server (read-only; works
// beside a running server). Problems as `file:line: reason`, then one summary line. Exit 0 when the store would
// start with everything in it, 1 otherwise.
import { stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { checkDataDir, type CheckReport } from '../storage/json/check.js';

export interface StoreCheckIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export function formatReport(report: CheckReport): string[] {
  const lines = report.problems.map((p) => (p.line > 0 ? `${p.file}:${p.line}: ${p.reason}` : `${p.file}: ${p.reason}`));
  for (const note of report.notes) lines.push(`note: ${note}`);
  const files = report.files.length
    ? `${report.files.map((f) => f.name).join(' + ')} (${report.files.reduce((n, f) => n + f.lines, 0)} lines)`
    : 'no journal or snapshot yet';
  const verdict = report.problems.length ? `FAILED, ${report.problems.length} problem${report.problems.length > 1 ? 's' : ''}` : 'OK';
  lines.push(`store:check ${report.dataDir}: ${verdict}: ${report.tickets} tickets, ${report.messages} messages in ${files}`);
  return lines;
}

export async function storeCheckCommand(defaultDataDir: string, args: string[], io: StoreCheckIo): Promise<number> {
  const { values } = parseArgs({ args, options: { 'data-dir': { type: 'string' } } });
  const dataDir = values['data-dir'] ?? defaultDataDir;
  if (
    !(await stat(dataDir).then(
      (s) => s.isDirectory(),
      () => false,
    ))
  ) {
    io.stderr.write(`store:check ${dataDir}: FAILED: no such directory (set DATA_DIR or pass --data-dir)\n`);
    return 1;
  }
  const report = await checkDataDir(dataDir);
  io.stdout.write(formatReport(report).join('\n') + '\n');
  return report.problems.length ? 1 : 0;
}
