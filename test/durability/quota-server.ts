// `src/main.ts serve` with the json store writing through the quota layer (quota-fs.ts): the small-disk test's
// fallback when it may not mount a tmpfs. Same registry, config and logs as the real entry.
import { createFreeda } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createJsonStore } from '../../src/storage/json/store.js';
import { quotaFs } from './quota-fs.js';

const root = process.env.FREEDA_QUOTA_ROOT;
const limit = Number(process.env.FREEDA_QUOTA_BYTES);
if (!root || !limit) throw new Error('FREEDA_QUOTA_ROOT and FREEDA_QUOTA_BYTES are required');
const config = loadConfig();
const logger = createLogger({ level: config.LOG_LEVEL });
const store = createJsonStore({ dataDir: config.DATA_DIR, logger, compactBytes: config.JOURNAL_COMPACT_BYTES, open: quotaFs(root, limit) });
const app = await createFreeda(config, { logger, store, print: () => undefined });
await app.start();
process.once('SIGTERM', () => {
  void app.stop().then(() => process.exit(0));
});
