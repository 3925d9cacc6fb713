// `freeda <command>`: serve, simulate, analyze, export, dynamodb:create-table, store:check, agents:*.
import { parseArgs } from 'node:util';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { API_TOKEN_FILE, createFreeda } from './app.js';
import { AGENTS_USAGE, agentsCommand } from './cli/agents.js';
import { exportCommand } from './cli/export.js';
import { createStore } from './storage/index.js';
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
  store:check [--data-dir DIR]            verify the json store's DATA_DIR (read-only, also beside a running server)
${AGENTS_USAGE}`;

/** The API token the CLI uses: API_TOKENS, else the one a local server generated into DATA_DIR. */
export async function resolveApiToken(config: Config): Promise<string | null> {
  if (config.API_TOKENS.length) return config.API_TOKENS[0];
  try {
    return (await readFile(join(config.DATA_DIR, API_TOKEN_FILE), 'utf8')).trim() || null;
  } catch {
    return null;
  }
}

async function serve(config: Config, io: CliIo): Promise<number> {
  const app = await createFreeda(config, { print: (line) => io.stdout.write(line + '\n') });
  await app.start();
  await new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = (signal: string) => {
      if (stopping) return;
      stopping = true;
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
      return serve(config, io);
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
    case 'agents:add':
    case 'agents:list':
    case 'agents:disable':
    case 'agents:reset-password':
      return agentsCommand(command, rest, io, {
        config,
        openStore: async () => {
          const logger = createLogger({ level: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL, destination: process.stderr });
          const store = await createStore(config, logger, catalogOf(channelModules));
          await store.open();
          return store;
        },
      });
    default:
      io.stderr.write(`freeda: unknown command ${command}\n${USAGE}\n`);
      return 2;
  }
}
