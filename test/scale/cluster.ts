// Several real `freeda serve` processes on one DynamoDB table (dynalite in the test process) and one Redis
// (EVENT_BUS=redis), with a fake Twilio (SMS out) and a fake Mistral (chatbot + analytics, counted per request).
import { type FakeMistral, completion, startFakeMistral, chatRequestOf, type RecordedRequest } from '../analytics/fake-mistral.js';
import { startFreeda, type FreedaProcess, PROCESS_API_TOKEN } from '../durability/freeda-process.js';
import { twilioEnv } from '../durability/twilio-sms.js';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio.js';
import { startDynalite, type DynaliteHandle } from '../helpers/dynalite.js';
import { dropPrefix } from '../helpers/redis.js';
import { tempDir } from '../helpers/tmp.js';
import { connectWs, type Frame, type WsClient } from '../helpers/ws-client.js';

export const AUTH = { authorization: `Bearer ${PROCESS_API_TOKEN}` };

export type RequestKind = 'analytics' | 'chatbot';
export const kindOf = (req: RecordedRequest): RequestKind | null => {
  const chat = chatRequestOf(req);
  if (!chat) return null;
  return chat.messages[0]?.content.startsWith('Tu analyses des conversations') ? 'analytics' : 'chatbot';
};
/** The customer's text the request is about (the last user turn, or the analytics transcript). */
export const textOf = (req: RecordedRequest): string =>
  chatRequestOf(req)
    ?.messages.map((m) => m.content)
    .join('\n') ?? '';

export interface Cluster {
  dyn: DynaliteHandle;
  twilio: FakeTwilio;
  mistral: FakeMistral;
  /** Chatbot requests whose text includes this are never answered (the instance stays inside the lease). */
  hangOn: Set<string>;
  env: Record<string, string>;
  instances: FreedaProcess[];
  start(count: number, extra?: Record<string, string>): Promise<FreedaProcess[]>;
  stopAll(): Promise<void>;
  close(): Promise<void>;
}

export async function startCluster(redisUrl: string, prefix: string, env: Record<string, string> = {}): Promise<Cluster> {
  const dyn = await startDynalite();
  const twilio = await startFakeTwilio();
  const hangOn = new Set<string>();
  const mistral = await startFakeMistral({
    reply: (req) => {
      if (kindOf(req) === 'analytics')
        return {
          status: 200,
          json: completion('{"sentiment":"neutre","category":"facturation","urgency":"basse","summary":"Question sur une facture."}'),
        };
      if ([...hangOn].some((token) => textOf(req).includes(token))) return 'hang';
      return { status: 200, json: completion('Merci, un conseiller revient vers vous rapidement.') };
    },
  });
  const dirs: { remove(): Promise<void> }[] = [];
  const cluster: Cluster = {
    dyn,
    twilio,
    mistral,
    hangOn,
    instances: [],
    env: {
      STORAGE_TYPE: 'dynamodb',
      DYNAMODB_ENDPOINT: dyn.endpoint,
      DYNAMODB_TABLE: dyn.table,
      AWS_REGION: dyn.region,
      EVENT_BUS: 'redis',
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: prefix,
      LEASE_TTL_MS: '3000',
      ANALYTICS_DEBOUNCE_MS: '200',
      OUTBOUND_RETRY_BASE_MS: '300',
      WEBCHAT_SECRET: 'cluster-test-secret-0123456789abcdef',
      MISTRAL_API_KEY: 'test-key',
      MISTRAL_SERVER_URL: mistral.url,
      MISTRAL_TIMEOUT_MS: '60000',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...twilioEnv(twilio.url),
      ...env,
    },
    async start(count, extra = {}) {
      const started = await Promise.all(
        Array.from({ length: count }, async () => {
          const dir = await tempDir('freeda-cluster-');
          dirs.push(dir);
          return startFreeda({ ...cluster.env, DATA_DIR: dir.path, ...extra });
        }),
      );
      cluster.instances.push(...started);
      return started;
    },
    async stopAll() {
      const running = cluster.instances.splice(0);
      await Promise.all(
        running.map(
          (p) =>
            new Promise<void>((resolve) => {
              if (p.proc.exitCode !== null || p.proc.signalCode !== null) return resolve();
              p.proc.once('exit', () => resolve());
              p.proc.kill('SIGTERM');
            }),
        ),
      );
    },
    async close() {
      await cluster.stopAll();
      await Promise.all([twilio.close(), mistral.close(), dyn.stop(), dropPrefix(redisUrl, prefix)]);
      for (const dir of dirs) await dir.remove();
    },
  };
  return cluster;
}

export async function agentSocket(instance: FreedaProcess): Promise<WsClient & { hello: Frame }> {
  const ws = await connectWs(`${instance.url.replace('http', 'ws')}/ws?token=${PROCESS_API_TOKEN}`);
  const hello = await ws.next((f) => f.type === 'hello');
  return Object.assign(ws, { hello });
}

export async function json<T>(url: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(url, { ...init, headers: { 'content-type': 'application/json', ...AUTH, ...(init.headers ?? {}) } });
  return { status: res.status, body: (await res.json()) as T };
}
