// Start the real application on 127.0.0.1:0 with a temp DATA_DIR (the real json store).
import { createFreeda, type FreedaApp } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';
import type { ActingAgentResolver } from '../../src/http/acting-agent.js';
import { createLogger } from '../../src/logger.js';
import type { ChannelModule } from '../../src/registry.js';
import { tempDir } from './tmp.js';

export const TEST_TOKEN = 'test-api-token';

export interface TestApp {
  app: FreedaApp;
  url: string;
  token: string;
  dataDir: string;
  /** fetch against the app with the API token. */
  api(path: string, init?: RequestInit): Promise<Response>;
  /** Stop and start a new instance on the same DATA_DIR (same env). */
  restart(): Promise<TestApp>;
  stop(): Promise<void>;
}

export interface StartOptions {
  env?: Record<string, string>;
  modules?: ChannelModule[];
  now?: () => Date;
  dataDir?: string;
  /** Who acts on an API request (agent workspace tests map tokens to agents). */
  actingAgent?: ActingAgentResolver;
}

export async function startApp(options: StartOptions = {}): Promise<TestApp> {
  const dir = options.dataDir ? null : await tempDir();
  const dataDir = options.dataDir ?? dir!.path;
  const config = parseConfig(
    {
      PORT: '0',
      LOG_LEVEL: 'silent',
      API_TOKENS: TEST_TOKEN,
      ANALYTICS_DEBOUNCE_MS: '20',
      OUTBOUND_RETRY_BASE_MS: '20',
      ...options.env,
      DATA_DIR: dataDir,
    },
    // The modules' own keys are parsed with the core's, as `src/config.ts` does for the registry.
    options.modules,
  );
  const logger = createLogger({ level: config.LOG_LEVEL });
  const app = await createFreeda(config, {
    logger,
    modules: options.modules,
    now: options.now,
    print: () => undefined,
    actingAgent: options.actingAgent,
  });
  try {
    await app.start();
  } catch (error) {
    await app.stop().catch(() => undefined);
    await dir?.remove();
    throw error;
  }
  const self: TestApp = {
    app,
    url: app.url,
    token: TEST_TOKEN,
    dataDir,
    api: (path, init = {}) =>
      fetch(app.url + path, {
        ...init,
        headers: {
          authorization: `Bearer ${TEST_TOKEN}`,
          ...(init.body ? { 'content-type': 'application/json' } : {}),
          ...(init.headers as Record<string, string>),
        },
      }),
    async restart() {
      await app.stop();
      return startApp({ ...options, dataDir });
    },
    async stop() {
      await app.stop();
      await dir?.remove();
    },
  };
  return self;
}

type Pending<T> = T | null | undefined | false;

/** Poll until `check` (sync or async) returns a truthy value (no timing assertion: gives up after `tries`). */
export async function eventually<T>(check: () => Pending<T> | Promise<Pending<T>>, tries = 200, delayMs = 25): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const value = await check();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
  throw new Error('condition not met');
}
