// dynalite (in-memory DynamoDB emulator) started in-process on 127.0.0.1:0, with the Freeda table created.
import { createRequire } from 'node:module';
import type { AddressInfo, Server } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureTable } from '../../src/storage/dynamodb/table.js';

const require = createRequire(import.meta.url);
const dynalite = require('dynalite') as (options: Record<string, unknown>) => Server;

export interface DynaliteHandle {
  endpoint: string;
  region: string;
  table: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
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
  const handle: DynaliteHandle = {
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
