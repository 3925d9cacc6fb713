// Running the real CLI in-process with a given environment, capturing both streams.
import { PassThrough } from 'node:stream';
import { runCli } from '../../src/cli.js';
import { parseConfig } from '../../src/config.js';

export async function freeda(args: string[], env: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (c: Buffer) => out.push(c.toString()));
  stderr.on('data', (c: Buffer) => err.push(c.toString()));
  const code = await runCli(args, { stdin: new PassThrough(), stdout, stderr }, () => parseConfig({ LOG_LEVEL: 'silent', ...env }));
  return { code, out: out.join(''), err: err.join('') };
}

/** Every line but the header (which names the source and the time). */
export const body = (text: string): string => text.split('\n').slice(1).join('\n');
