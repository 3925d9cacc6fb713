// The only reader of process.env. The core's keys and every registered channel module's own fragment are parsed in
// one pass: invalid values fail start-up with one line per problem, whichever module owns the key.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import {
  envBool,
  envEmail,
  envIntInRange,
  envPositiveInt,
  envString,
  envUrl,
  type FragmentValues,
  type SharedConfig,
} from './domain/config.js';
import { compileTrust, type TrustProxy } from './net/client-ip.js';
import { parseNotifyRules, parseQuietHours, type NotifyRule, type QuietHours } from './notify/rules.js';
import { channelModules, type ChannelModule } from './registry.js';

/** The core's keys; each channel module brings its own (ChannelModule.config). */
export const coreConfigSchema = z.object({
  PORT: envIntInRange(8000, 0, 65535),
  PUBLIC_BASE_URL: envUrl,
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      message: 'must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .optional()
    .transform((v) => v ?? 'info'),
  API_TOKENS: envString.transform((v) =>
    v === undefined
      ? []
      : v
          .split(',')
          .map((t) => t.trim())
          .filter((t) => t.length > 0),
  ),
  /** Agent workspace (#16): new tickets are assigned in turn to these agent ids (empty: no automatic assignment). */
  AUTO_ASSIGN_AGENTS: envString.transform((v) =>
    (v ?? '')
      .split(',')
      .map((t) => t.trim())
      .filter((t) => t.length > 0),
  ),
  /** HS256 key of access tokens (>= 32 characters); unset: a key generated once and kept in the store. */
  JWT_SECRET: envString.pipe(z.string().min(32, { message: 'must be at least 32 characters' }).optional()),
  /** Lifetime of JWT access tokens (seconds). */
  ACCESS_TOKEN_TTL_SECONDS: envIntInRange(900, 60, 24 * 3600),
  /** Lifetime of a login session (refresh-token family), in days. */
  REFRESH_TOKEN_TTL_DAYS: envIntInRange(14, 1, 365),
  /** What customers see of the replying agent's name: full name, first name, or the generic "Conseiller". */
  AGENT_NAME_DISPLAY: z
    .enum(['full', 'first', 'generic'], { message: 'must be full, first or generic' })
    .optional()
    .transform((v) => v ?? 'first'),
  STORAGE_TYPE: z
    .enum(['json', 'dynamodb'], { message: 'must be json or dynamodb' })
    .optional()
    .transform((v) => v ?? 'json'),
  DATA_DIR: envString.transform((v) => v ?? './data'),
  /** Journal size (bytes) past which the json store writes a snapshot and starts a fresh journal. */
  JOURNAL_COMPACT_BYTES: envPositiveInt(64 * 1024 * 1024),
  DYNAMODB_TABLE: envString.transform((v) => v ?? 'freeda'),
  DYNAMODB_ENDPOINT: envUrl,
  AWS_REGION: envString.transform((v) => v ?? 'eu-west-3'),
  MISTRAL_API_KEY: envString,
  MISTRAL_MODEL: envString.transform((v) => v ?? 'mistral-small-latest'),
  MISTRAL_SERVER_URL: envUrl,
  MISTRAL_TIMEOUT_MS: envPositiveInt(8000),
  ENABLE_AUTO_ANALYTICS: envBool(true),
  ENABLE_CHATBOT: envBool(true),
  /** The bot's offline answers (YAML or JSON), validated at start; the shipped French/English default when unset. */
  BOT_ANSWERS_FILE: envString,
  /** Markdown FAQ the Mistral chatbot may quote (and the only links/figures it may give); the answers file when unset. */
  KNOWLEDGE_FILE: envString,
  /** Base delay of outbound retries (ms); doubles per attempt. */
  OUTBOUND_RETRY_BASE_MS: envPositiveInt(2000),
  OUTBOUND_MAX_ATTEMPTS: envPositiveInt(6),
  /** `log`: channels without provider credentials "deliver" to DATA_DIR/outbox.log (demos); `off`: they fail outbound_disabled. */
  DEMO_OUTBOUND: z
    .enum(['off', 'log'], { message: 'must be off or log' })
    .optional()
    .transform((v) => v ?? 'off'),
  /** Comma list of URLs that receive ticket.created, ticket.status_changed, message.created, ticket.analyzed. */
  OUTGOING_WEBHOOK_URLS: envString.transform((value, ctx) => {
    const urls = (value ?? '')
      .split(',')
      .map((u) => u.trim())
      .filter(Boolean);
    for (const url of urls)
      if (!/^https?:\/\/[^\s]+$/.test(url) || !URL.canParse(url)) ctx.addIssue({ code: 'custom', message: `not an http(s) URL: ${url}` });
    return urls;
  }),
  /** HMAC-SHA256 key of the Freeda-Signature header (required with OUTGOING_WEBHOOK_URLS). */
  OUTGOING_WEBHOOK_SECRET: envString,
  /** Attempts before an outgoing webhook delivery is dead-lettered. */
  OUTGOING_WEBHOOK_MAX_ATTEMPTS: envPositiveInt(10),
  /** First retry delay of outgoing webhooks (ms); doubles per attempt, capped at one hour. */
  OUTGOING_WEBHOOK_RETRY_BASE_MS: envPositiveInt(5000),
  /** On-call phone (E.164) that gets an SMS for each urgent ticket. */
  NOTIFY_SMS_TO: envString.pipe(
    z
      .string()
      .regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number (+33612345678)')
      .optional(),
  ),
  /** On-call email address that gets a message for each urgent ticket. */
  NOTIFY_EMAIL_TO: envEmail,
  /** No notification in this local time window, e.g. 22:00-07:00@Europe/Paris. */
  NOTIFY_QUIET_HOURS: envString.transform((value, ctx): QuietHours | null => {
    if (value === undefined) return null;
    try {
      return parseQuietHours(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return null;
    }
  }),
  /** Which labels make a ticket urgent: comma-separated alternatives of field=value joined by +. */
  NOTIFY_RULES: envString.transform((value, ctx): NotifyRule[] => {
    try {
      return parseNotifyRules(value ?? 'urgency=haute');
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return [];
    }
  }),
  /** Urgent notifications sent one by one per minute; past it they wait for one digest at the end of the minute. */
  NOTIFY_DIGEST_PER_MINUTE: envPositiveInt(5),
  /** Serve GET /metrics on this port only, without a token (unset: on PORT, with an API token). */
  METRICS_PORT: envIntInRange(-1, 0, 65535).transform((v) => (v < 0 ? null : v)),
  /** Delay before analysing a ticket after its last customer message (a burst = one analysis). */
  ANALYTICS_DEBOUNCE_MS: envPositiveInt(1500),
  /** memory: live events stay in this process; redis: every instance delivers every event (several instances). */
  EVENT_BUS: z
    .enum(['memory', 'redis'], { message: 'must be memory or redis' })
    .optional()
    .transform((v) => v ?? 'memory'),
  REDIS_URL: envString
    .pipe(
      z
        .string()
        .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
        .optional(),
    )
    .transform((v) => v ?? 'redis://127.0.0.1:6379'),
  /** Prefix of every Redis key and channel: several deployments (or tests) can share one Redis. */
  REDIS_KEY_PREFIX: envString.transform((v) => v ?? 'freeda:'),
  /** How long a claim on follow-up work (bot turn, analytics, outbound attempt, sweep) holds before another instance may take it over. */
  LEASE_TTL_MS: envIntInRange(30_000, 500, 3_600_000),
  /** Which proxies may set X-Forwarded-For: unset/false/0 none, a hop count, or a comma list of addresses/CIDRs. */
  TRUST_PROXY: envString.transform((value, ctx): TrustProxy => {
    const parsed = parseTrustProxy(value);
    if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
    return typeof parsed === 'string' ? false : parsed;
  }),
});

/**
 * TRUST_PROXY: unset, `false` or `0` → X-Forwarded-For is ignored; `N` → the N nearest proxies are trusted; a comma list of
 * IP addresses, CIDR ranges or `loopback` / `linklocal` / `uniquelocal` → those proxies. `true` (trust anyone, so any
 * client could pick its address) is refused. Returns the reason when the value is not one of these.
 */
export function parseTrustProxy(value: string | undefined): TrustProxy | string {
  if (value === undefined || value === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value) === 0 ? false : Math.min(Number(value), 100);
  if (value === 'true') return "true would let any client choose its address: give a hop count or the proxies' addresses";
  const list = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  try {
    compileTrust(list);
  } catch (error) {
    return `must be a hop count or a comma list of proxy addresses/CIDRs (${(error as Error).message})`;
  }
  return list;
}

export type CoreConfig = z.infer<typeof coreConfigSchema>;

/** The core's keys, typed; the modules' keys are there too (each module reads its own, typed by its fragment). */
export type Config = CoreConfig & { readonly [key: string]: unknown };

// Adapters read the core keys they share through the domain's SharedConfig: keep the core's parse assignable to it.
const coreFitsShared = (config: CoreConfig): SharedConfig => config;
void coreFitsShared;

/** Core keys + every module's fragment, as one schema. Throws when a module claims a key that is already taken. */
function composedSchema(modules: readonly ChannelModule[]) {
  const shape: Record<string, z.core.$ZodType> = { ...coreConfigSchema.shape };
  for (const module of modules) {
    for (const [key, field] of Object.entries(module.config.schema.shape)) {
      if (key in shape) throw new Error(`configuration key ${key} of channel module ${module.name} is already taken`);
      shape[key] = field;
    }
  }
  return z.object(shape);
}

/** Every key the configuration reads, with the registry's modules (`.env.example` and the README list exactly these). */
export function configKeys(modules: readonly ChannelModule[] = channelModules): string[] {
  return Object.keys(composedSchema(modules).shape);
}

export const CONFIG_KEYS = configKeys();

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parse an environment-like record for these modules (default: the registry). Throws ConfigError with one line per problem. */
export function parseConfig(env: Record<string, string | undefined>, modules: readonly ChannelModule[] = channelModules): Config {
  const result = composedSchema(modules).safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const key = issue.path.join('.') || '(root)';
      return `${key}: ${issue.message} (got ${JSON.stringify(env[key] ?? null)})`;
    });
    throw new ConfigError(problems);
  }
  // The core's keys once more through their own schema (it cannot fail now): the same values, typed.
  const config: Config = { ...result.data, ...coreConfigSchema.parse(env) };
  const problems: string[] = [];
  if (config.STORAGE_TYPE === 'dynamodb' && !config.DYNAMODB_TABLE) problems.push('DYNAMODB_TABLE: required with STORAGE_TYPE=dynamodb');
  if (config.OUTGOING_WEBHOOK_URLS.length && !config.OUTGOING_WEBHOOK_SECRET)
    problems.push('OUTGOING_WEBHOOK_SECRET: required with OUTGOING_WEBHOOK_URLS (receivers verify the Freeda-Signature header with it)');
  if (problems.length) throw new ConfigError(problems);
  return config;
}

/** One module's configuration, typed by its fragment (tests, or a tool that drives one adapter). */
export function parseModuleConfig<S extends z.ZodRawShape>(
  module: ChannelModule<S>,
  env: Record<string, string | undefined>,
): FragmentValues<S> & SharedConfig {
  return { ...parseConfig(env, [module]), ...module.config.schema.parse(env) };
}

/**
 * Loads `path` (default `.env` in the working directory) into `env`: a key already set in the environment keeps its value
 * (the environment wins over the file). No file: nothing happens. Written into process.env so libraries that read it
 * themselves (the AWS SDK's credentials chain) see the file's keys too. Returns the keys taken from the file.
 */
export function loadDotEnv(path = resolve('.env'), env: NodeJS.ProcessEnv = process.env): string[] | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ConfigError([`.env: cannot read ${path}: ${(error as Error).message}`]);
  }
  const taken: string[] = [];
  for (const [key, value] of Object.entries(parseEnv(text))) {
    if (value === undefined || env[key] !== undefined) continue;
    env[key] = value;
    taken.push(key);
  }
  return taken;
}

/** Reads process.env (after `.env`, see loadDotEnv). The only place in the code base that does. */
export function loadConfig(): Config {
  loadDotEnv();
  return parseConfig(process.env);
}

/** The base URL providers call us on: PUBLIC_BASE_URL, or the local listener when unset. */
export function publicBaseUrl(config: Config, listeningPort?: number): string {
  const base = config.PUBLIC_BASE_URL ?? `http://localhost:${listeningPort ?? config.PORT}`;
  return base.replace(/\/+$/, '');
}
