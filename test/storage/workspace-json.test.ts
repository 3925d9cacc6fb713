// The agent workspace contract on the json store (journal replay, then snapshot + replay).
import { createJsonStore } from '../../src/storage/json/store.js';
import { capturingLogger } from '../helpers/logger.js';
import { tempDir } from '../helpers/tmp.js';
import { runWorkspaceContract } from './workspace-contract.js';

runWorkspaceContract('json', async () => {
  const dir = await tempDir();
  const logger = capturingLogger();
  let store = createJsonStore({ dataDir: dir.path, logger });
  await store.open();
  let reopened = 0;
  return {
    store,
    async reopen() {
      // Every other restart goes through a snapshot, so both load paths carry the workspace records.
      if (reopened++ % 2 === 1) await store.compact();
      await store.close();
      store = createJsonStore({ dataDir: dir.path, logger });
      await store.open();
      return store;
    },
    async cleanup() {
      await store.close();
      await dir.remove();
    },
  };
});
