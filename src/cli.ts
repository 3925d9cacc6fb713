// `freeda <command>`: serve, simulate, analyze, export, dynamodb:create-table, store:check.
import { parseArgs } from 'node:util';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { API_TOKEN_FILE, createFreeda } from './app.js';
import { exportCommand } from './cli/export.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { channelModules } from './registry.js';
import { analyzerForCli, runAnalyze } from './cli/analyze.js';
import { createTable, createTableOptionsFromConfig } from './cli/dynamodb.js';
import { simulateCommand } from './cli/simulate.js';
import { storeCheckCommand } from './cli/store-check.js';
import { catalogOf } from './domain/catalog.js';
import { createLogger } from './logger.js';

export interface CliIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

const USAGE = `usage: freeda <command>
  serve                                   run the server (PORT, default 8000)
  simulate <sms|whatsapp|voice|email|chat> "<text>" [--from …] [--subject …] [--media URL] [--url http://127.0.0.1:8000]
  analyze [--offline]                     JSON lines on stdin → labels on stdout
  export [--status …] [--channel …] [--date-from …] [--date-to …]   CSV to stdout
  dynamodb:create-table                   create DYNAMODB_TABLE (idempotent)
  store:check [--data-dir DIR]            verify the json store's DATA_DIR (read-only, also beside a running server)`;

/** The API token the CLI uses: API_TOKENS, else the one a local server generated into DATA_DIR. */
export async function resolveApiToken(config: Config): Promise<string | null> {
  if (config.API_TOKENS.length) return config.API_TOKENS[0];
  try {
    return (await readFile(join(config.DATA_DIR, API_TOKEN_FILE), 'utf8')).trim() || null;
  } catch {
    return null;
  }
}

/**
 * `--exit-with-parent` (the npm start script passes it): npm does not forward SIGTERM to the script it runs, so
 * `kill <npm pid>` would leave this server running, holding the port and the data lock. When the parent is gone (this
 * process was re-parented), stop as on SIGTERM. Checked twice a second; the timer does not keep the process alive.
 */
function onParentExit(stop: (reason: string) => void): () => void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent) stop('parent process exited');
  }, 500);
  timer.unref();
  return () => clearInterval(timer);
}

async function serve(config: Config, args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, options: { 'exit-with-parent': { type: 'boolean', default: false } } });
  const app = await createFreeda(config, { print: (line) => io.stdout.write(line + '\n') });
  await app.start();
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stopWatching = values['exit-with-parent'] ? onParentExit((reason) => onSignal(reason)) : () => undefined;
    const onSignal = (signal: string) => {
      if (stopping) return;
      stopping = true;
      stopWatching();
      app.logger.info({ signal }, 'shutting down: finishing in-flight requests and flushing the journal');
      app.stop().then(resolve, (error: Error) => {
        app.logger.error({ err: error.message }, 'shutdown failed');
        resolve();
      });
    };
    process.once('SIGTERM', () => onSignal('SIGTERM'));
    process.once('SIGINT', () => onSignal('SIGINT'));
  });
  return 0;
}

export async function runCli(argv: string[], io: CliIo, loadEnvConfig: () => Config = loadConfig): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help') {
    io.stdout.write(USAGE + '\n');
    return command ? 0 : 2;
  }
  let config: Config;
  try {
    config = loadEnvConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr.write(`freeda: ${error.message}\n`);
      return 78;
    }
    throw error;
  }
  switch (command) {
    case 'serve':
      return serve(config, rest, io);
    case 'simulate':
      return simulateCommand(
        config,
        channelModules,
        rest,
        { print: (line) => io.stdout.write(line + '\n'), printError: (line) => io.stderr.write(line + '\n') },
        () => resolveApiToken(config),
      );
    case 'export':
      return exportCommand(config, rest, io, { apiToken: () => resolveApiToken(config), channels: catalogOf(channelModules) });
    case 'analyze': {
      const { values } = parseArgs({ args: rest, options: { offline: { type: 'boolean', default: false } } });
      // Logs go to stderr: stdout carries only the JSON lines.
      const logger = createLogger({ level: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL, destination: process.stderr });
      const analyzer = analyzerForCli(config, { offline: values.offline ?? false, logger });
      return runAnalyze({ input: io.stdin, output: io.stdout, analyzer, logger, channels: catalogOf(channelModules) });
    }
    case 'dynamodb:create-table': {
      const outcome = await createTable(createTableOptionsFromConfig(config), createLogger({ level: config.LOG_LEVEL }));
      io.stdout.write(`table ${config.DYNAMODB_TABLE}: ${outcome === 'created' ? 'created' : 'already exists'}\n`);
      return 0;
    }
    case 'store:check':
      return storeCheckCommand(config.DATA_DIR, rest, io);
    default:
      io.stderr.write(`freeda: unknown command ${command}\n${USAGE}\n`);
      return 2;
  }
}
