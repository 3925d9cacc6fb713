// Store selection (STORAGE_TYPE).
import type { Config } from '../config.js';
import type { LoggerLike } from '../domain/channel.js';
import { createJsonStore } from './json/store.js';
import type { TicketStore } from './types.js';

export async function createStore(config: Config, logger: LoggerLike): Promise<TicketStore> {
  switch (config.STORAGE_TYPE) {
    case 'json':
      return createJsonStore({ dataDir: config.DATA_DIR, logger, compactBytes: config.JOURNAL_COMPACT_BYTES });
    case 'dynamodb':
      throw new Error('STORAGE_TYPE=dynamodb is not available in this build.');
  }
}
