// Sources and targets of backup / restore / migrate, from the validated config (+ command-line overrides).
import type { LoggerLike } from '../../domain/channel.js';
import { createDynamoClient } from '../dynamodb/client.js';
import { openDynamoSource } from './dynamo-source.js';
import { openDynamoTarget } from './dynamo-target.js';
import { openJsonSource } from './json-source.js';
import { openJsonTarget } from './json-target.js';
import type { ExportSource } from './source.js';
import type { ImportTarget } from './target.js';

export type StoreKind = 'json' | 'dynamodb';

export interface StoreLocation {
  kind: StoreKind;
  dataDir: string;
  table: string;
  region: string;
  endpoint?: string;
}

export function locationFromConfig(
  config: { STORAGE_TYPE: StoreKind; DATA_DIR: string; DYNAMODB_TABLE: string; AWS_REGION: string; DYNAMODB_ENDPOINT?: string },
  overrides: Partial<StoreLocation> = {},
): StoreLocation {
  return {
    kind: config.STORAGE_TYPE,
    dataDir: config.DATA_DIR,
    table: config.DYNAMODB_TABLE,
    region: config.AWS_REGION,
    endpoint: config.DYNAMODB_ENDPOINT,
    ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)),
  };
}

export const describeLocation = (l: StoreLocation): string =>
  l.kind === 'json' ? `json store in ${l.dataDir}` : `DynamoDB table ${l.table}${l.endpoint ? ` at ${l.endpoint}` : ` (${l.region})`}`;

/** `keepJournalOpen` (json): the read point keeps its journal open for `migrate --follow`. */
export function openSource(location: StoreLocation, keepJournalOpen = false): Promise<ExportSource> {
  if (location.kind === 'json') return openJsonSource(location.dataDir, keepJournalOpen);
  return Promise.resolve(openDynamoSource(createDynamoClient(location), location.table, true));
}

export function openTarget(location: StoreLocation, logger: LoggerLike): Promise<ImportTarget> {
  if (location.kind === 'json') return openJsonTarget(location.dataDir, logger);
  return openDynamoTarget({
    client: createDynamoClient(location),
    table: location.table,
    region: location.region,
    ownsClient: true,
    dataDir: location.dataDir,
  });
}
