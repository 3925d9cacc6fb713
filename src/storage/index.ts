// Store selection (STORAGE_TYPE).
import type { Config } from '../config.js';
import type { ChannelCatalog } from '../domain/catalog.js';
import type { LoggerLike } from '../domain/channel.js';
import { createDynamoStore } from './dynamodb/store.js';
import { createJsonStore } from './json/store.js';
import type { TicketStore } from './types.js';

/** `channels`: the channels this build serves (DynamoDB keeps one index partition per channel and merges them). */
export function createStore(config: Config, logger: LoggerLike, channels: ChannelCatalog): Promise<TicketStore> {
  switch (config.STORAGE_TYPE) {
    case 'json':
      return Promise.resolve(createJsonStore({ dataDir: config.DATA_DIR, logger, compactBytes: config.JOURNAL_COMPACT_BYTES }));
    case 'dynamodb':
      return Promise.resolve(
        createDynamoStore({
          table: config.DYNAMODB_TABLE,
          region: config.AWS_REGION,
          endpoint: config.DYNAMODB_ENDPOINT,
          channels: channels.names,
          logger,
        }),
      );
  }
}
