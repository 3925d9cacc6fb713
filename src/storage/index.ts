// Store selection (STORAGE_TYPE).
import type { Config } from '../config.js';
import type { LoggerLike } from '../domain/channel.js';
import { createDynamoStore } from './dynamodb/store.js';
import { createJsonStore } from './json/store.js';
import type { TicketStore } from './types.js';

export function createStore(config: Config, logger: LoggerLike): Promise<TicketStore> {
  switch (config.STORAGE_TYPE) {
    case 'json':
      return Promise.resolve(createJsonStore({ dataDir: config.DATA_DIR, logger, compactBytes: config.JOURNAL_COMPACT_BYTES }));
    case 'dynamodb':
      return Promise.resolve(
        createDynamoStore({ table: config.DYNAMODB_TABLE, region: config.AWS_REGION, endpoint: config.DYNAMODB_ENDPOINT, logger }),
      );
  }
}
