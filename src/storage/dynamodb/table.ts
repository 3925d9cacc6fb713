// Table definition, idempotent creation and the start-up check.
import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import type { LoggerLike } from '../../domain/channel.js';
import { GSI_CHANNEL, GSI_CHANNEL_STATUS, GSI_QUEUES } from './keys.js';

export const REQUIRED_INDEXES = [GSI_CHANNEL, GSI_CHANNEL_STATUS, GSI_QUEUES] as const;
export const CREATE_TABLE_COMMAND = 'npm run -s freeda -- dynamodb:create-table';

/** On-demand capacity; every index projects keys only (lists re-read the ticket items with consistent BatchGet). */
export function tableDefinition(tableName: string): CreateTableCommandInput {
  const keysOnly = { ProjectionType: 'KEYS_ONLY' as const };
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
      { AttributeName: 'gsi1pk', AttributeType: 'S' },
      { AttributeName: 'gsi1sk', AttributeType: 'S' },
      { AttributeName: 'gsi2pk', AttributeType: 'S' },
      { AttributeName: 'gsi2sk', AttributeType: 'S' },
      { AttributeName: 'gsi3pk', AttributeType: 'S' },
      { AttributeName: 'gsi3sk', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: GSI_CHANNEL,
        KeySchema: [
          { AttributeName: 'gsi1pk', KeyType: 'HASH' },
          { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
        ],
        Projection: keysOnly,
      },
      {
        IndexName: GSI_CHANNEL_STATUS,
        KeySchema: [
          { AttributeName: 'gsi2pk', KeyType: 'HASH' },
          { AttributeName: 'gsi2sk', KeyType: 'RANGE' },
        ],
        Projection: keysOnly,
      },
      {
        IndexName: GSI_QUEUES,
        KeySchema: [
          { AttributeName: 'gsi3pk', KeyType: 'HASH' },
          { AttributeName: 'gsi3sk', KeyType: 'RANGE' },
        ],
        Projection: keysOnly,
      },
    ],
  };
}

export async function describeTable(client: DynamoDBClient, tableName: string): Promise<TableDescription | null> {
  try {
    const out = await client.send(new DescribeTableCommand({ TableName: tableName }));
    return out.Table ?? null;
  } catch (err) {
    if (err instanceof ResourceNotFoundException || (err as { name?: string }).name === 'ResourceNotFoundException') return null;
    throw err;
  }
}

export function missingIndexes(table: TableDescription): string[] {
  const present = new Set((table.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
  return REQUIRED_INDEXES.filter((name) => !present.has(name));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Create the table unless it exists (then only check its indexes), and wait until it is ACTIVE.
 * Returns 'created' or 'exists'.
 */
export async function ensureTable(
  client: DynamoDBClient,
  tableName: string,
  logger: LoggerLike,
  options: { waitTimeoutMs?: number } = {},
): Promise<'created' | 'exists'> {
  let outcome: 'created' | 'exists' = 'exists';
  const existing = await describeTable(client, tableName);
  if (!existing) {
    try {
      await client.send(new CreateTableCommand(tableDefinition(tableName)));
      outcome = 'created';
      logger.info({ table: tableName }, 'dynamodb table creation requested');
    } catch (err) {
      // Another process created it between our Describe and Create: fine, that is what we wanted.
      if (!(err instanceof ResourceInUseException || (err as { name?: string }).name === 'ResourceInUseException')) throw err;
    }
  }
  const deadline = Date.now() + (options.waitTimeoutMs ?? 120_000);
  for (let delay = 50; ; delay = Math.min(delay * 2, 2000)) {
    const table = await describeTable(client, tableName);
    const indexesActive = (table?.GlobalSecondaryIndexes ?? []).every((i) => i.IndexStatus === 'ACTIVE');
    if (table?.TableStatus === 'ACTIVE' && indexesActive) {
      const missing = missingIndexes(table);
      if (missing.length) {
        throw new Error(
          `DynamoDB table "${tableName}" exists but lacks the indexes ${missing.join(', ')}; it was not created by Freeda (see src/storage/dynamodb/README.md).`,
        );
      }
      logger.info({ table: tableName, outcome }, outcome === 'created' ? 'dynamodb table created' : 'dynamodb table already exists');
      return outcome;
    }
    if (Date.now() > deadline)
      throw new Error(`DynamoDB table "${tableName}" is not ACTIVE after waiting (status ${table?.TableStatus ?? 'missing'}).`);
    await sleep(delay);
  }
}

/** Throws a clear Error when the table is unreachable, missing, not Freeda's, or not active yet. */
export async function assertTableReady(
  client: DynamoDBClient,
  options: { table: string; region: string; endpoint?: string },
): Promise<void> {
  const { table: name, region, endpoint } = options;
  const where = `region ${region}${endpoint ? `, endpoint ${endpoint}` : ''}`;
  let table;
  try {
    table = await describeTable(client, name);
  } catch (err) {
    throw new Error(`DynamoDB is not reachable (${where}): ${(err as Error).message}`, { cause: err });
  }
  if (!table) throw new Error(`DynamoDB table "${name}" does not exist (${where}). Create it with: ${CREATE_TABLE_COMMAND}`);
  const missing = missingIndexes(table);
  if (missing.length) {
    throw new Error(
      `DynamoDB table "${name}" lacks the indexes ${missing.join(', ')}; it was not created by Freeda. Use another DYNAMODB_TABLE and run: ${CREATE_TABLE_COMMAND}`,
    );
  }
  if (table.TableStatus !== 'ACTIVE' && table.TableStatus !== 'UPDATING') {
    throw new Error(`DynamoDB table "${name}" is ${table.TableStatus}, not ACTIVE; retry once it is active.`);
  }
}
