// The bot's answers: an editable YAML or JSON file (BOT_ANSWERS_FILE), validated at start, or the default shipped
// next to this module. A support team rewrites its texts without touching code.
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { NEEDS, type Need } from './intents.js';
import type { Language } from './language.js';

export type HandoffReason = 'customer_request' | 'urgency_high' | 'negative_sentiment' | 'max_bot_turns' | 'still_unclear';

export const DEFAULT_ANSWERS_FILE = fileURLToPath(new URL('./answers.default.yaml', import.meta.url));

const text = z.string().trim().min(1, 'must be a non-empty text');
const bilingual = z.strictObject({ fr: text, en: text });

const answersSchema = z.strictObject({
  greeting: bilingual,
  intents: z.strictObject(Object.fromEntries(NEEDS.map((need) => [need, bilingual])) as Record<Need, typeof bilingual>),
  clarify: bilingual,
  thanks: bilingual,
  handoff: z.strictObject({
    customer_request: bilingual,
    urgency_high: bilingual,
    negative_sentiment: bilingual,
    max_bot_turns: bilingual,
    still_unclear: bilingual,
  }),
});

export type BotAnswers = z.infer<typeof answersSchema>;
export type Bilingual = Record<Language, string>;

export class BotAnswersError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`BOT_ANSWERS_FILE ${file} is not usable:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'BotAnswersError';
  }
}

/** Parses and validates answers from the file's text. `.json` is read as JSON, anything else as YAML. */
export function parseBotAnswers(source: string, file: string): BotAnswers {
  let data: unknown;
  try {
    data = extname(file).toLowerCase() === '.json' ? JSON.parse(source) : parseYaml(source);
  } catch (err) {
    throw new BotAnswersError(file, [`cannot be parsed: ${(err as Error).message.split('\n')[0]}`]);
  }
  const parsed = answersSchema.safeParse(data);
  if (!parsed.success) {
    throw new BotAnswersError(
      file,
      parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
    );
  }
  return parsed.data;
}

/** Reads BOT_ANSWERS_FILE (or the shipped default). Throws BotAnswersError naming the file and each bad path. */
export function loadBotAnswers(file: string = DEFAULT_ANSWERS_FILE): BotAnswers {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (err) {
    throw new BotAnswersError(file, [`cannot be read: ${(err as Error).message}`]);
  }
  return parseBotAnswers(source, file);
}

let defaults: BotAnswers | null = null;
/** The shipped answers, read once. */
export function defaultBotAnswers(): BotAnswers {
  return (defaults ??= loadBotAnswers(DEFAULT_ANSWERS_FILE));
}
