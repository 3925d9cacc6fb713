// `freeda dynamodb:create-table`: create DYNAMODB_TABLE with its indexes (idempotent; an existing table is only checked).
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { LoggerLike } from '../domain/channel.js';
import { createDynamoClient, type ClientOptions } from '../storage/dynamodb/client.js';
import { ensureTable } from '../storage/dynamodb/table.js';

export interface CreateTableOptions extends ClientOptions {
  table: string;
  /** Use this client instead of building one (tests). */
  client?: DynamoDBClient;
  waitTimeoutMs?: number;
}

/** Resolves once the table exists, is ACTIVE and has Freeda's indexes. Returns whether it was created now. */
export async function createTable(options: CreateTableOptions, logger: LoggerLike): Promise<'created' | 'exists'> {
  const client = options.client ?? createDynamoClient(options);
  try {
    return await ensureTable(client, options.table, logger, { waitTimeoutMs: options.waitTimeoutMs });
  } finally {
    if (!options.client) client.destroy();
  }
}

/** The same options from the validated config. */
export function createTableOptionsFromConfig(config: {
  DYNAMODB_TABLE: string;
  AWS_REGION: string;
  DYNAMODB_ENDPOINT?: string;
}): CreateTableOptions {
  return { table: config.DYNAMODB_TABLE, region: config.AWS_REGION, endpoint: config.DYNAMODB_ENDPOINT };
}
