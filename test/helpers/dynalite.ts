// dynalite (in-memory DynamoDB emulator) started in-process on 127.0.0.1:0, with the Freeda table created.
import { createRequire } from 'node:module';
import type { AddressInfo, Server } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoStore, type DynamoStoreOptions, type DynamoTicketStore } from '../../src/storage/dynamodb/store.js';
import { ensureTable } from '../../src/storage/dynamodb/table.js';
import { BUILT_IN_CHANNELS } from './channels.js';
import { capturingLogger } from './logger.js';

const require = createRequire(import.meta.url);
const dynalite = require('dynalite') as (options: Record<string, unknown>) => Server;

export interface DynaliteHandle {
  endpoint: string;
  region: string;
  table: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** X-Amz-Target of every request the emulator received (e.g. `DynamoDB_20120810.Query`), from every client. */
  targets: string[];
  /** A new SDK client pointed at the emulator (the caller destroys it). */
  makeClient(): DynamoDBClient;
  stop(): Promise<void>;
}

const silentLogger = { debug() {}, info() {}, warn() {}, error() {} };

export async function startDynalite(options: { table?: string; createTable?: boolean } = {}): Promise<DynaliteHandle> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const targets: string[] = [];
  server.prependListener('request', (req: { headers: Record<string, string | string[] | undefined> }) => {
    targets.push(String(req.headers['x-amz-target'] ?? ''));
  });
  const handle: DynaliteHandle = {
    targets,
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    table: options.table ?? 'freeda-test',
    credentials: { accessKeyId: 'fake', secretAccessKey: 'fake' },
    makeClient: () =>
      new DynamoDBClient({ endpoint: handle.endpoint, region: handle.region, credentials: handle.credentials, maxAttempts: 3 }),
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
  if (options.createTable !== false) {
    const client = handle.makeClient();
    try {
      await ensureTable(client, handle.table, silentLogger);
    } finally {
      client.destroy();
    }
  }
  return handle;
}

export interface CommandLog {
  /** Command names in the order they were sent (QueryCommand, ScanCommand, PutItemCommand...). */
  names: string[];
  /** Input of every Query/Scan sent (to check which index served it). */
  reads: Array<{ command: string; IndexName?: string }>;
  count(name: string): number;
  reset(): void;
}

/** Record every command the client sends, through the SDK middleware stack (what reaches the wire). */
export function logCommands(client: DynamoDBClient): CommandLog {
  const log: CommandLog = {
    names: [],
    reads: [],
    count: (name) => log.names.filter((n) => n === name).length,
    reset() {
      log.names.length = 0;
      log.reads.length = 0;
    },
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String((context as { commandName?: string }).commandName);
      log.names.push(command);
      if (command === 'QueryCommand' || command === 'ScanCommand') {
        log.reads.push({ command, IndexName: (args.input as { IndexName?: string }).IndexName });
      }
      return next(args);
    },
    { step: 'initialize', name: 'freedaTestCommandLog' },
  );
  return log;
}

const WRITE_COMMANDS = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand']);

/**
 * Simulate a process dying between two writes: after `allowedWrites` write commands, every further command fails
 * before reaching DynamoDB (as if the process had stopped there). Use the store only to observe the failure.
 */
export function crashAfterWrites(client: DynamoDBClient, allowedWrites: number): { writes: () => number } {
  let writes = 0;
  let dead = false;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String((context as { commandName?: string }).commandName);
      if (dead) throw new Error('simulated crash: process is gone');
      if (WRITE_COMMANDS.has(command)) {
        if (writes >= allowedWrites) {
          dead = true;
          throw new Error('simulated crash: process is gone');
        }
        writes += 1;
      }
      return next(args);
    },
    { step: 'initialize', name: 'freedaTestCrash' },
  );
  return { writes: () => writes };
}

/** A store on the emulator's table: the registry's channels, no periodic repair sweep (tests run it when they mean to). */
export function dynamoStoreOn(dyn: DynaliteHandle, client: DynamoDBClient, options: Partial<DynamoStoreOptions> = {}): DynamoTicketStore {
  return createDynamoStore({
    channels: BUILT_IN_CHANNELS.names,
    table: dyn.table,
    region: dyn.region,
    client,
    logger: capturingLogger(),
    repairIntervalMs: 0,
    ...options,
  });
}
