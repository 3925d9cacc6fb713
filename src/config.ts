// The only reader of process.env. One zod schema; invalid values fail start-up with one line per problem.
import { z } from 'zod';
import type { ChannelConfig } from './domain/config.js';

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'], { message: 'must be true, false, 1 or 0' })
    .optional()
    .transform((v) => (v === undefined ? fallback : v === 'true' || v === '1'));

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const optionalUrl = optionalString.pipe(z.url({ message: 'must be an absolute URL (http:// or https://)' }).optional());

const intInRange = (fallback: number, min: number, max: number) =>
  optionalString
    .pipe(
      z.coerce
        .number<string | undefined>({ message: 'must be a whole number' })
        .int('must be a whole number')
        .min(min, `must be between ${min} and ${max}`)
        .max(max, `must be between ${min} and ${max}`)
        .optional(),
    )
    .transform((v) => v ?? fallback);
const positiveInt = (fallback: number) => intInRange(fallback, 1, Number.MAX_SAFE_INTEGER);

export const configSchema = z.object({
  PORT: intInRange(8000, 0, 65535),
  PUBLIC_BASE_URL: optionalUrl,
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      message: 'must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .optional()
    .transform((v) => v ?? 'info'),
  API_TOKENS: optionalString.transform((v) =>
    v === undefined
      ? []
      : v
          .split(',')
          .map((t) => t.trim())
          .filter((t) => t.length > 0),
  ),
  STORAGE_TYPE: z
    .enum(['json', 'dynamodb'], { message: 'must be json or dynamodb' })
    .optional()
    .transform((v) => v ?? 'json'),
  DATA_DIR: optionalString.transform((v) => v ?? './data'),
  /** Journal size (bytes) past which the json store writes a snapshot and starts a fresh journal. */
  JOURNAL_COMPACT_BYTES: positiveInt(64 * 1024 * 1024),
  DYNAMODB_TABLE: optionalString.transform((v) => v ?? 'freeda'),
  DYNAMODB_ENDPOINT: optionalUrl,
  AWS_REGION: optionalString.transform((v) => v ?? 'eu-west-3'),
  MISTRAL_API_KEY: optionalString,
  MISTRAL_MODEL: optionalString.transform((v) => v ?? 'mistral-small-latest'),
  MISTRAL_SERVER_URL: optionalUrl,
  MISTRAL_TIMEOUT_MS: positiveInt(8000),
  ENABLE_AUTO_ANALYTICS: bool(true),
  ENABLE_CHATBOT: bool(true),
  /** The bot's offline answers (YAML or JSON), validated at start; the shipped French/English default when unset. */
  BOT_ANSWERS_FILE: optionalString,
  /** Markdown FAQ the Mistral chatbot may quote (and the only links/figures it may give); the answers file when unset. */
  KNOWLEDGE_FILE: optionalString,
  TWILIO_ACCOUNT_SID: optionalString,
  TWILIO_AUTH_TOKEN: optionalString,
  TWILIO_SMS_FROM: optionalString,
  TWILIO_WHATSAPP_FROM: optionalString,
  TWILIO_MESSAGING_SERVICE_SID: optionalString,
  TWILIO_API_BASE_URL: optionalUrl,
  SENDGRID_API_KEY: optionalString,
  SENDGRID_API_BASE_URL: optionalUrl,
  SUPPORT_EMAIL_FROM: optionalString.pipe(z.email({ message: 'must be an email address' }).optional()),
  INBOUND_EMAIL_SECRET: optionalString,
  /** Largest attachment stored per email (bytes); bigger ones keep metadata only. */
  EMAIL_MAX_ATTACHMENT_BYTES: positiveInt(10 * 1024 * 1024),
  /** Base delay of outbound retries (ms); doubles per attempt. */
  OUTBOUND_RETRY_BASE_MS: positiveInt(2000),
  OUTBOUND_MAX_ATTEMPTS: positiveInt(6),
  /** Delay before analysing a ticket after its last customer message (a burst = one analysis). */
  ANALYTICS_DEBOUNCE_MS: positiveInt(1500),
  /** Secret used to sign web-chat visitor tokens; generated per start when unset (visitors then cannot resume after a restart). */
  WEBCHAT_SECRET: optionalString,
});

export type Config = z.infer<typeof configSchema>;
// Adapters read their settings through the domain's ChannelConfig: keep Config assignable to it.
const configFitsChannels = (config: Config): ChannelConfig => config;
void configFitsChannels;
export type ConfigKey = keyof typeof configSchema.shape;
export const CONFIG_KEYS = Object.keys(configSchema.shape) as ConfigKey[];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parse an environment-like record. Throws ConfigError with one line per problem. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = configSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const key = issue.path.join('.') || '(root)';
      return `${key}: ${issue.message} (got ${JSON.stringify(env[key] ?? null)})`;
    });
    throw new ConfigError(problems);
  }
  const config = result.data;
  const problems: string[] = [];
  if (config.STORAGE_TYPE === 'dynamodb' && !config.DYNAMODB_TABLE) problems.push('DYNAMODB_TABLE: required with STORAGE_TYPE=dynamodb');
  if (problems.length) throw new ConfigError(problems);
  return config;
}

/** Reads process.env. The only place in the code base that does. */
export function loadConfig(): Config {
  return parseConfig(process.env);
}

/** The base URL providers call us on: PUBLIC_BASE_URL, or the local listener when unset. */
export function publicBaseUrl(config: Config, listeningPort?: number): string {
  const base = config.PUBLIC_BASE_URL ?? `http://localhost:${listeningPort ?? config.PORT}`;
  return base.replace(/\/+$/, '');
}
