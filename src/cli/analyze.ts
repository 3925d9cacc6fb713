// `freeda analyze [--offline]`: tickets as JSON lines on stdin → one label line per ticket on stdout, in input order.
// A bad line yields {"id":…,"error":"…"} and the command goes on; the exit code is 1 when any line failed.
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { z } from 'zod';
import type { Config } from '../config.js';
import type { LoggerLike } from '../domain/channel.js';
import type { AnalysisInput, Analyzer } from '../domain/intelligence.js';
import type { ChannelCatalog } from '../domain/catalog.js';
import { createAnalyzer } from '../pipeline/analytics/index.js';

const ticketLineSchema = (channels: ChannelCatalog) =>
  z.object({
    id: z.union([z.string(), z.number()]).transform(String),
    channel: z.string().refine((c) => channels.has(c), { message: `must be one of ${channels.names.join(', ')}` }),
    subject: z.string().nullish(),
    messages: z
      .array(z.object({ author: z.enum(['customer', 'bot', 'agent', 'system']), text: z.string() }))
      .min(1, 'messages must not be empty'),
  });

/** Lines analysed at once; the analyzer bounds its own API concurrency, this bounds memory and keeps order. */
const WINDOW = 16;

type LineResult = { ok: true; line: string } | { ok: false; line: string };

export function parseTicketLine(
  raw: string,
  channels: ChannelCatalog,
): { ok: true; input: AnalysisInput & { id: string } } | { ok: false; id: string | null; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    return { ok: false, id: null, error: `invalid JSON: ${(err as Error).message}` };
  }
  const parsed = ticketLineSchema(channels).safeParse(json);
  if (!parsed.success) {
    const id =
      json && typeof json === 'object' && 'id' in json && (typeof json.id === 'string' || typeof json.id === 'number')
        ? String(json.id)
        : null;
    const issue = parsed.error.issues[0];
    return { ok: false, id, error: `${issue.path.join('.') || '(root)'}: ${issue.message}` };
  }
  return { ok: true, input: parsed.data };
}

async function analyzeLine(raw: string, analyzer: Analyzer, channels: ChannelCatalog): Promise<LineResult> {
  const parsed = parseTicketLine(raw, channels);
  if (!parsed.ok) return { ok: false, line: JSON.stringify({ id: parsed.id, error: parsed.error }) };
  const a = await analyzer.analyze(parsed.input);
  return {
    ok: true,
    line: JSON.stringify({
      id: parsed.input.id,
      sentiment: a.sentiment,
      category: a.category,
      urgency: a.urgency,
      summary: a.summary,
      source: a.source,
    }),
  };
}

async function writeLine(output: NodeJS.WritableStream, line: string): Promise<void> {
  if (!output.write(`${line}\n`)) await once(output, 'drain');
}

export async function runAnalyze(opts: {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  analyzer: Analyzer;
  logger: LoggerLike;
  /** Valid `channel` values. */
  channels: ChannelCatalog;
}): Promise<number> {
  const lines = createInterface({ input: opts.input, crlfDelay: Infinity });
  let failed = 0;
  let total = 0;
  let pending: Array<Promise<LineResult>> = [];
  const flush = async () => {
    for (const result of await Promise.all(pending)) {
      if (!result.ok) failed += 1;
      await writeLine(opts.output, result.line);
    }
    pending = [];
  };
  for await (const raw of lines) {
    if (raw.trim() === '') continue;
    total += 1;
    pending.push(analyzeLine(raw, opts.analyzer, opts.channels));
    if (pending.length >= WINDOW) await flush();
  }
  await flush();
  if (failed > 0) opts.logger.warn({ failed, total }, `analyze: ${failed} of ${total} line(s) could not be analysed`);
  return failed > 0 ? 1 : 0;
}

/** The analyzer `freeda analyze` uses: offline when asked or when no MISTRAL_API_KEY is set. */
export function analyzerForCli(config: Config, opts: { offline: boolean; logger: LoggerLike }): Analyzer {
  return createAnalyzer({
    apiKey: opts.offline ? undefined : config.MISTRAL_API_KEY,
    model: config.MISTRAL_MODEL,
    serverUrl: config.MISTRAL_SERVER_URL,
    timeoutMs: config.MISTRAL_TIMEOUT_MS,
    logger: opts.logger,
  });
}
