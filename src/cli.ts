// `freeda <command>`: serve, simulate, analyze, export, dynamodb:create-table, store:check, agents:*.
import { parseArgs } from 'node:util';
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { API_TOKEN_FILE, createFreeda } from './app.js';
import { AGENTS_USAGE, agentsCommand } from './cli/agents.js';
import { exportCommand } from './cli/export.js';
import { correctionsCommand } from './cli/corrections.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { channelModules } from './registry.js';
import { analyzerForCli, runAnalyze } from './cli/analyze.js';
import { createTable, createTableOptionsFromConfig } from './cli/dynamodb.js';
import { simulateCommand } from './cli/simulate.js';
import { storeCheckCommand } from './cli/store-check.js';
import { backupCommand, restoreCommand } from './cli/backup.js';
import { migrateCommand } from './cli/migrate.js';
import { estimateCommand } from './cli/estimate.js';
import { locationFromConfig } from './storage/portable/open.js';
import { catalogOf } from './domain/catalog.js';
import { createLogger } from './logger.js';
import { createStore } from './storage/index.js';

export interface CliIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

const USAGE = `usage: freeda <command> [--help]   (freeda --version)
  serve                                   run the server (PORT, default 8000)
  simulate <sms|whatsapp|voice|email|chat> "<text>" [--from …] [--subject …] [--media URL] [--url http://127.0.0.1:8000]
  analyze [--offline]                     JSON lines on stdin → labels on stdout
  export [--status …] [--channel …] [--date-from …] [--date-to …]   CSV to stdout
  dynamodb:create-table                   create DYNAMODB_TABLE (idempotent)
  analytics:corrections [--out FILE]      labels agents corrected, as JSON lines (json store: server stopped)
  store:check [--data-dir DIR]            verify the json store's DATA_DIR (read-only, also beside a running server)
  backup [--out FILE] [--no-blobs]        portable JSON-lines backup of the store (STORAGE_TYPE), also while it serves
  restore FILE                            restore a backup into an empty store (an interrupted restore resumes)
  migrate --to dynamodb|json [--follow] [--verify] [--verify-only] [--stop-file FILE] [--data-dir DIR] [--table NAME]
                                          copy the running store into the other type, follow it, compare both
  dynamodb:estimate [--tickets N --messages-per-ticket M]   monthly DynamoDB cost (measured on the store without --tickets)
${AGENTS_USAGE}`;

/** `freeda <command> --help`: what each command takes. */
export const COMMAND_HELP: Readonly<Record<string, string>> = {
  serve: `usage: freeda serve [--exit-with-parent]
  Runs the HTTP + WebSocket server on PORT (default 8000); configuration from the environment and .env.
  --exit-with-parent   stop when the parent process exits (npm start passes it: npm does not forward SIGTERM)`,
  simulate: `usage: freeda simulate <sms|whatsapp|voice|email|chat> "<text>" [--from …] [--subject …] [--media URL] [--url http://127.0.0.1:8000]
  Sends a real-shaped, signed inbound to a running server and prints the ticket and the reply.
  Twilio kinds need TWILIO_AUTH_TOKEN, email INBOUND_EMAIL_SECRET (the server's values). Exit 1 when the server refuses it.
  voice: phrases separated by ' | '; chat: --from <visitor token> continues a conversation, --wait <s>`,
  analyze: `usage: freeda analyze [--offline]
  JSON lines {"id","channel","subject?","messages":[{"author","text"}]} on stdin → labels on stdout, one line each.
  --offline   the offline analyzer even when MISTRAL_API_KEY is set`,
  export: `usage: freeda export [--status "en cours"|fermé|ferme] [--channel sms,email,…] [--date-from 2026-05-01] [--date-to 2026-05-31] [--bom] [--url …]
  The CSV export to stdout (the columns of GET /export/csv).`,
  'dynamodb:create-table': `usage: freeda dynamodb:create-table
  Creates DYNAMODB_TABLE (AWS_REGION, DYNAMODB_ENDPOINT) with its indexes; does nothing when it exists.`,
  'store:check': `usage: freeda store:check [--data-dir DIR]
  Verifies a json store's DATA_DIR without starting the server (read-only). Exit 0 when the store would start with
  everything in it, 1 otherwise.`,
  backup: `usage: freeda backup [--out FILE] [--no-blobs]
  A portable, versioned JSON-lines dump of the configured store (STORAGE_TYPE), streamed while the server keeps
  running; progress on stderr; stdout without --out. --no-blobs leaves attachment bytes out (references stay).`,
  restore: `usage: freeda restore FILE
  Loads a backup into an empty store of the configured type; the whole file is checked first. Run again after a crash
  it resumes; after success it does nothing.`,
  migrate: `usage: freeda migrate --to dynamodb|json [--follow] [--verify] [--verify-only] [--stop-file FILE] [--data-dir DIR] [--table NAME]
  Copies the running store into the other type, --follow's its changes until Ctrl-C, SIGTERM or the stop file, and
  --verify compares both stores item by item (exit 1 naming each difference). See docs/migration-dynamodb.md.`,
  'dynamodb:estimate': `usage: freeda dynamodb:estimate [--tickets N --messages-per-ticket M] [--dashboard-loads N] [--exports N]
  Monthly DynamoDB cost, on-demand and provisioned, from the item sizes Freeda writes (measured on the configured
  store without --tickets).`,
  'agents:add': `usage: freeda agents:add --email E --name "N" --role admin|agent|analyst [--password-stdin]
  Creates an agent account; prints a one-time password unless one is piped on stdin. With the json store, stop the
  server first (it holds DATA_DIR); against a running server use POST /agents.`,
  'agents:list': `usage: freeda agents:list
  Id, e-mail, name, role, status and last sign-in of every agent (tab-separated).`,
  'agents:disable': `usage: freeda agents:disable --email E
  Disables an agent: its access and personal tokens stop working at once.`,
  'agents:reset-password': `usage: freeda agents:reset-password --email E [--password-stdin]
  Sets a new password (printed when generated) and ends the agent's sessions.`,
  'analytics:corrections': `usage: freeda analytics:corrections [--out FILE]
  The labels agents corrected, one JSON line per ticket (the analyze input shape plus labels and the analyzer's
  labels before). With the json store, stop the server first.`,
};

/** The version in package.json (found upward from this file: src/ under tsx, dist/src/ once built). */
export function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'freeda' && pkg.version) return pkg.version;
    } catch {
      // not here: one level up
    }
    dir = dirname(dir);
  }
  return 'unknown';
}

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
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    io.stdout.write(USAGE + '\n');
    return command ? 0 : 2;
  }
  if (command === '--version' || command === '-v' || command === 'version') {
    io.stdout.write(`freeda ${packageVersion()}\n`);
    return 0;
  }
  if ((rest.includes('--help') || rest.includes('-h')) && COMMAND_HELP[command]) {
    io.stdout.write(COMMAND_HELP[command] + '\n');
    return 0;
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
    case 'analytics:corrections':
      return correctionsCommand(
        async () => {
          const store = await createStore(config, createLogger({ level: 'warn', destination: process.stderr }), catalogOf(channelModules));
          await store.open();
          return store;
        },
        rest,
        io,
      );
    case 'store:check':
      return storeCheckCommand(config.DATA_DIR, rest, io);
    case 'backup':
      return backupCommand(locationFromConfig(config), rest, io);
    case 'dynamodb:estimate':
      return estimateCommand(locationFromConfig(config), rest, io);
    case 'migrate':
      return migrateCommand(locationFromConfig(config), rest, io, createLogger({ level: 'warn', destination: process.stderr }));
    case 'restore':
      return restoreCommand(locationFromConfig(config), rest, io, createLogger({ level: 'warn', destination: process.stderr }));
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
