// `freeda export [--status …] [--channel …] [--date-from …] [--date-to …] [--bom] [--url …]`: CSV to stdout.
//
// The json store allows one process per DATA_DIR. When a server holds it, the CSV comes from that server's
// GET /export/csv (same filters, API token as `resolveApiToken`); otherwise the store is opened directly.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import type { Config } from '../config.js';
import type { ChannelCatalog } from '../domain/catalog.js';
import type { LoggerLike } from '../domain/channel.js';
import { AppError } from '../errors.js';
import { csvStream } from '../export/stream.js';
import { parseTicketFilter } from '../query/filters.js';
import { createStore } from '../storage/index.js';
import { DataDirLockedError } from '../storage/json/lock.js';
import type { TicketFilter, TicketStore } from '../storage/types.js';

export interface ExportIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export interface ExportCommandDeps {
  /** API token for a running server (API_TOKENS, else the one it generated into DATA_DIR). */
  apiToken(): Promise<string | null>;
  /** The channels this build serves (valid --channel values). */
  channels: ChannelCatalog;
  /** Store factory (default: the configured one). */
  openStore?: (config: Config, logger: LoggerLike, channels: ChannelCatalog) => Promise<TicketStore>;
}

export const EXPORT_USAGE =
  'export [--status "en cours"|fermé] [--channel sms,email,…] [--date-from 2026-05-01] [--date-to 2026-05-31] [--bom] [--url http://127.0.0.1:8000]';

function stderrLogger(stderr: NodeJS.WritableStream): LoggerLike {
  const write = (level: string) => (obj: object | string, msg?: string) => {
    const text = typeof obj === 'string' ? obj : (msg ?? '');
    stderr.write(`freeda export: ${level}: ${text}${typeof obj === 'object' ? ' ' + JSON.stringify(obj) : ''}\n`);
  };
  return { debug: () => undefined, info: () => undefined, warn: write('warn'), error: write('error') };
}

/** The query string GET /export/csv takes for the same options. */
export function exportQuery(values: {
  status?: string;
  channel?: string;
  'date-from'?: string;
  'date-to'?: string;
  bom?: boolean;
}): URLSearchParams {
  const query = new URLSearchParams();
  if (values.status !== undefined) query.set('status', values.status);
  if (values.channel !== undefined) query.set('channel', values.channel);
  if (values['date-from'] !== undefined) query.set('date_from', values['date-from']);
  if (values['date-to'] !== undefined) query.set('date_to', values['date-to']);
  if (values.bom) query.set('bom', '1');
  return query;
}

async function writeQuietly(source: Readable | AsyncIterable<string | Uint8Array>, stdout: NodeJS.WritableStream): Promise<void> {
  try {
    await pipeline(source instanceof Readable ? source : Readable.from(source), stdout);
  } catch (error) {
    // `freeda export | head`: the reader left; that is not a failure.
    if ((error as NodeJS.ErrnoException).code === 'EPIPE' || (error as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE') return;
    throw error;
  }
}

async function fromServer(serverUrl: string, query: URLSearchParams, io: ExportIo, token: string | null): Promise<number> {
  if (!token) {
    io.stderr.write(
      'freeda export: a server holds DATA_DIR but no API token is known: set API_TOKENS (the server writes a generated one to DATA_DIR/.api-token).\n',
    );
    return 1;
  }
  const url = `${serverUrl.replace(/\/+$/, '')}/export/csv${query.size ? `?${query}` : ''}`;
  let res: Response;
  try {
    res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  } catch (error) {
    io.stderr.write(
      `freeda export: DATA_DIR is locked by a running server, which did not answer at ${serverUrl} (${(error as Error).message}); pass --url or set PORT.\n`,
    );
    return 1;
  }
  if (!res.ok || !res.body) {
    const text = await res.text();
    let message = text;
    try {
      message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? text;
    } catch {
      // not JSON: print as is
    }
    io.stderr.write(`freeda export: the server answered ${res.status}: ${message}\n`);
    return res.status === 400 ? 2 : 1;
  }
  await writeQuietly(res.body, io.stdout);
  return 0;
}

export async function exportCommand(config: Config, args: string[], io: ExportIo, deps: ExportCommandDeps): Promise<number> {
  let values: { status?: string; channel?: string; 'date-from'?: string; 'date-to'?: string; bom?: boolean; url?: string };
  let filter: TicketFilter;
  try {
    values = parseArgs({
      args,
      options: {
        status: { type: 'string' },
        channel: { type: 'string' },
        'date-from': { type: 'string' },
        'date-to': { type: 'string' },
        bom: { type: 'boolean' },
        url: { type: 'string' },
      },
    }).values;
    filter = parseTicketFilter(
      { status: values.status, channel: values.channel, date_from: values['date-from'], date_to: values['date-to'] },
      deps.channels,
    );
  } catch (error) {
    const message =
      error instanceof AppError
        ? error.message.replace(/date_(from|to)/g, '--date-$1').replace(/The (status|channel) parameter/, 'The --$1 option')
        : (error as Error).message;
    io.stderr.write(`freeda export: ${message}\nusage: freeda ${EXPORT_USAGE}\n`);
    return 2;
  }

  const logger = stderrLogger(io.stderr);
  const store = await (deps.openStore ?? createStore)(config, logger, deps.channels);
  try {
    await store.open();
  } catch (error) {
    if (!(error instanceof DataDirLockedError)) throw error;
    return fromServer(values.url ?? `http://127.0.0.1:${config.PORT}`, exportQuery(values), io, await deps.apiToken());
  }
  try {
    await writeQuietly(csvStream(store.iterateTickets(filter), { bom: values.bom }), io.stdout);
  } finally {
    await store.close();
  }
  return 0;
}
