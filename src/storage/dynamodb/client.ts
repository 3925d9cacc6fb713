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

/**
 * Sends `requests` in chunks of `max`; a chunk is sent again with what the call left over (or after throttling), with
 * backoff, until nothing is left. `send` returns the leftovers.
 */
async function untilAllProcessed<T>(requests: T[], max: number, what: string, send: (chunk: T[]) => Promise<T[]>): Promise<void> {
  for (let i = 0; i < requests.length; i += max) {
    let pending = requests.slice(i, i + max);
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      if (attempt >= BATCH_LEFTOVER_ATTEMPTS)
        throw new Error(`DynamoDB ${what} left ${pending.length} unprocessed after ${attempt} attempts`);
      if (attempt > 0) await sleep(backoffMs(attempt, 20, 2000));
      try {
        pending = await send(pending);
      } catch (err) {
        if (!isThrottle(err)) throw err;
      }
    }
  }
}

type WriteRequest = { PutRequest: { Item: Item } } | { DeleteRequest: { Key: Key } };

/** BatchWrite in chunks of 25, retrying UnprocessedItems (and throttled calls) with backoff until all are written. */
export async function batchWriteAll(doc: DynamoDBDocumentClient, table: string, requests: WriteRequest[]): Promise<void> {
  await untilAllProcessed(requests, BATCH_WRITE_MAX, 'BatchWriteItem (items)', async (chunk) => {
    const out = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: chunk } }));
    return (out.UnprocessedItems?.[table] ?? []) as WriteRequest[];
  });
}

/** Consistent BatchGet in chunks of 100, retrying UnprocessedKeys. Results come back in the order of `keys` (missing ones skipped). */
export async function batchGetAll(doc: DynamoDBDocumentClient, table: string, keys: Key[]): Promise<Item[]> {
  const found = new Map<string, Item>();
  const id = (k: Record<string, unknown>) => `${String(k.pk)}\u0000${String(k.sk)}`;
  const unique: Key[] = [...new Map(keys.map((k) => [id(k), { pk: k.pk, sk: k.sk }])).values()];
  await untilAllProcessed(unique, BATCH_GET_MAX, 'BatchGetItem (keys)', async (chunk) => {
    const out = await doc.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: chunk, ConsistentRead: true } } }));
    for (const item of out.Responses?.[table] ?? []) found.set(id(item), item);
    return (out.UnprocessedKeys?.[table]?.Keys ?? []) as Key[];
  });
  return keys.map((k) => found.get(id(k))).filter((item): item is Item => item !== undefined);
}
