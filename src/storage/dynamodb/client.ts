// SDK client construction and the retry loops the SDK does not do for us (batch leftovers, optimistic conflicts).
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface ClientOptions {
  region: string;
  endpoint?: string;
  credentials?: DynamoDBClientConfig['credentials'];
  /** SDK attempts per request; throttling errors (ProvisionedThroughputExceeded, Throttling) are retried with backoff. */
  maxAttempts?: number;
}

/** Local emulators (dynalite, DynamoDB Local) accept any key; real AWS uses the SDK's default credential chain. */
export function isLoopbackEndpoint(endpoint: string | undefined): boolean {
  if (!endpoint) return false;
  try {
    const host = new URL(endpoint).hostname;
    return host === 'localhost' || host === '::1' || host === '[::1]' || host.startsWith('127.');
  } catch {
    return false;
  }
}

export const LOCAL_CREDENTIALS = { accessKeyId: 'freeda-local', secretAccessKey: 'freeda-local' };

export function createDynamoClient(options: ClientOptions): DynamoDBClient {
  return new DynamoDBClient({
    region: options.region,
    endpoint: options.endpoint,
    credentials: options.credentials ?? (isLoopbackEndpoint(options.endpoint) ? LOCAL_CREDENTIALS : undefined),
    maxAttempts: options.maxAttempts ?? 8,
    retryMode: 'adaptive',
  });
}

export function createDocumentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    unmarshallOptions: { wrapNumbers: false },
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Full-jitter exponential backoff: attempt 0 → up to base ms. */
export function backoffMs(attempt: number, baseMs = 10, capMs = 1000): number {
  return Math.random() * Math.min(capMs, baseMs * 2 ** attempt);
}

export function isConditionalFailure(err: unknown): boolean {
  return (err as { name?: string } | null)?.name === 'ConditionalCheckFailedException';
}

export function isThrottle(err: unknown): boolean {
  const name = (err as { name?: string } | null)?.name;
  return name === 'ProvisionedThroughputExceededException' || name === 'ThrottlingException' || name === 'RequestLimitExceeded';
}

const BATCH_WRITE_MAX = 25;
const BATCH_GET_MAX = 100;
const BATCH_LEFTOVER_ATTEMPTS = 12;

export type Key = Record<string, string>;
export type Item = Record<string, unknown>;

/** BatchWrite in chunks of 25, retrying UnprocessedItems (and throttled calls) with backoff until all are written. */
export async function batchWriteAll(
  doc: DynamoDBDocumentClient,
  table: string,
  requests: Array<{ PutRequest: { Item: Item } } | { DeleteRequest: { Key: Key } }>,
): Promise<void> {
  for (let i = 0; i < requests.length; i += BATCH_WRITE_MAX) {
    let pending = requests.slice(i, i + BATCH_WRITE_MAX);
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      if (attempt >= BATCH_LEFTOVER_ATTEMPTS)
        throw new Error(`DynamoDB BatchWriteItem left ${pending.length} items unprocessed after ${attempt} attempts`);
      if (attempt > 0) await sleep(backoffMs(attempt, 20, 2000));
      try {
        const out = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
        pending = (out.UnprocessedItems?.[table] ?? []) as typeof pending;
      } catch (err) {
        if (!isThrottle(err)) throw err;
      }
    }
  }
}

/** Consistent BatchGet in chunks of 100, retrying UnprocessedKeys. Results come back in the order of `keys` (missing ones skipped). */
export async function batchGetAll(doc: DynamoDBDocumentClient, table: string, keys: Key[]): Promise<Item[]> {
  const found = new Map<string, Item>();
  const id = (k: Record<string, unknown>) => `${String(k.pk)}\u0000${String(k.sk)}`;
  const unique = [...new Map(keys.map((k) => [id(k), { pk: k.pk, sk: k.sk }])).values()];
  for (let i = 0; i < unique.length; i += BATCH_GET_MAX) {
    let pending = unique.slice(i, i + BATCH_GET_MAX);
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      if (attempt >= BATCH_LEFTOVER_ATTEMPTS)
        throw new Error(`DynamoDB BatchGetItem left ${pending.length} keys unprocessed after ${attempt} attempts`);
      if (attempt > 0) await sleep(backoffMs(attempt, 20, 2000));
      try {
        const out = await doc.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: pending, ConsistentRead: true } } }));
        for (const item of out.Responses?.[table] ?? []) found.set(id(item), item);
        pending = (out.UnprocessedKeys?.[table]?.Keys ?? []) as typeof pending;
      } catch (err) {
        if (!isThrottle(err)) throw err;
      }
    }
  }
  return keys.map((k) => found.get(id(k))).filter((item): item is Item => item !== undefined);
}
