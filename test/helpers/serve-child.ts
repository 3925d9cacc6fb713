// A real Freeda server in its own process, with the test adapter, for crash tests. Prints "READY <url>".
import { createFreeda } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { testChannelModule } from './test-adapter.js';

const config = loadConfig();
const app = await createFreeda(config, {
  logger: createLogger({ level: config.LOG_LEVEL }),
  modules: [testChannelModule()],
  print: () => undefined,
});
try {
  await app.start();
} catch (error) {
  process.stderr.write(`START FAILED: ${(error as Error).message}\n`);
  process.exit(3);
}
process.stdout.write(`READY ${app.url}\n`);
process.once('SIGTERM', () => {
  void app.stop().then(() => process.exit(0));
});
