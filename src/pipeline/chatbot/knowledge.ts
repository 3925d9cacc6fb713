// What the Mistral path may state: the team's Markdown FAQ (KNOWLEDGE_FILE), or the bot's own answers when none is
// given. The links and figures it contains are the only ones a generated reply may carry.
import { readFileSync } from 'node:fs';
import type { BotAnswers } from './answers.js';
import type { Language } from './language.js';

/** Longest knowledge text put in a prompt (a larger FAQ is cut: keep KNOWLEDGE_FILE focused). */
export const KNOWLEDGE_MAX_CHARS = 12_000;

export interface Knowledge {
  /** Markdown given to the model. */
  text: string;
  source: string;
}

export class KnowledgeFileError extends Error {
  constructor(file: string, reason: string) {
    super(`KNOWLEDGE_FILE ${file} ${reason}`);
    this.name = 'KnowledgeFileError';
  }
}

export function loadKnowledge(file: string): Knowledge {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new KnowledgeFileError(file, `cannot be read: ${(err as Error).message}`);
  }
  if (text.trim() === '') throw new KnowledgeFileError(file, 'is empty');
  return { text: text.slice(0, KNOWLEDGE_MAX_CHARS), source: file };
}

/** Without a KNOWLEDGE_FILE, the offline answers are the facts the team wrote down. */
export function knowledgeFromAnswers(answers: BotAnswers): Knowledge {
  const section = (lang: Language) =>
    Object.entries(answers.intents)
      .map(([need, texts]) => `- ${need}: ${texts[lang]}`)
      .join('\n');
  return { text: `# FAQ (fr)\n${section('fr')}\n\n# FAQ (en)\n${section('en')}\n`, source: 'BOT_ANSWERS_FILE' };
}

const URL_RE = /\b(?:https?:\/\/|www\.)[^\s<>()"'`]+/gi;

/** URLs in a text, without trailing punctuation, lower-cased scheme and host for comparison. */
export function linksIn(text: string): string[] {
  return [...text.matchAll(URL_RE)].map((m) => canonicalLink(m[0]));
}

export function canonicalLink(link: string): string {
  return link
    .replace(/[.,;:!?)\]]+$/, '')
    .replace(/^https?:\/\//i, '')
    .replace(/^www\./i, '')
    .replace(/\/+$/, '')
    .toLowerCase();
}
