// One place that builds a Mistral SDK client with our timeout and retry discipline (shared by analytics and chatbot).
// The SDK takes seconds to import, so it is loaded on the first call, never at start-up without a key.
import type { Mistral } from '@mistralai/mistralai';
import type { LoggerLike } from '../../domain/channel.js';
import { createSemaphore, type Semaphore } from '../semaphore.js';

/** The part of the SDK client we use. */
export interface MistralChatClient {
  chat: Pick<Mistral['chat'], 'complete'>;
}

export interface MistralClientOptions {
  apiKey: string;
  serverUrl?: string;
  /** Whole-call budget: the SDK arms one abort timer per call, shared by all its retries. */
  timeoutMs: number;
  /** First backoff delay (ms); tests lower it. */
  retryInitialIntervalMs?: number;
}

export function createMistralClient(opts: MistralClientOptions): MistralChatClient {
  let client: Promise<Mistral> | null = null;
  const load = () => (client ??= import('@mistralai/mistralai').then(({ Mistral }) => buildClient(Mistral, opts)));
  return {
    chat: {
      complete: async (...args: Parameters<Mistral['chat']['complete']>) => (await load()).chat.complete(...args),
    },
  };
}

/** What a Mistral-backed step (analytics, reply generation) needs, from its options: one client, one concurrency cap. */
export function mistralCallDeps(opts: MistralClientOptions & { model: string; logger: LoggerLike; maxConcurrency?: number }): {
  client: MistralChatClient;
  model: string;
  timeoutMs: number;
  logger: LoggerLike;
  semaphore: Semaphore;
} {
  return {
    client: createMistralClient(opts),
    model: opts.model,
    timeoutMs: opts.timeoutMs,
    logger: opts.logger,
    semaphore: createSemaphore(opts.maxConcurrency ?? 4),
  };
}

function buildClient(MistralSdk: typeof Mistral, opts: MistralClientOptions): Mistral {
  const initial = opts.retryInitialIntervalMs ?? Math.min(500, Math.max(50, Math.floor(opts.timeoutMs / 10)));
  return new MistralSdk({
    apiKey: opts.apiKey,
    ...(opts.serverUrl ? { serverURL: opts.serverUrl.replace(/\/+$/, '').replace(/\/v1$/, '') } : {}),
    timeoutMs: opts.timeoutMs,
    // The SDK default is no retry and a 5-minute timeout: always override both. Backoff gives up at 60% of the
    // budget so a persistent 5xx surfaces as its status rather than as a timeout.
    retryConfig: {
      strategy: 'backoff',
      backoff: {
        initialInterval: initial,
        maxInterval: Math.max(initial, Math.floor(opts.timeoutMs / 4)),
        exponent: 2,
        maxElapsedTime: Math.floor(opts.timeoutMs * 0.6),
      },
      retryConnectionErrors: true,
    },
  });
}

/** Text of the first choice, whether the SDK returns a string or content chunks. */
export function firstChoiceText(response: {
  choices?: Array<{ message?: { content?: unknown } | null } | undefined> | null;
}): string | null {
  const content = response.choices?.[0]?.message?.content;
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    const text = content

      .map((chunk: unknown) => (chunk && typeof chunk === 'object' && 'text' in chunk && typeof chunk.text === 'string' ? chunk.text : ''))
      .join('');
    return text || null;
  }
  return null;
}

/** Short, log-friendly reason for a failed call (status code, timeout, connection...). */
export function describeMistralError(err: unknown): string {
  if (err && typeof err === 'object') {
    const e = err as { name?: string; statusCode?: number; message?: string };
    if (typeof e.statusCode === 'number') return `http_${e.statusCode}`;
    if (e.name === 'RequestTimeoutError' || e.name === 'TimeoutError') return 'timeout';
    if (e.name === 'ConnectionError') return 'connection_error';
    if (e.name === 'RequestAbortedError' || e.name === 'AbortError') return 'aborted';
    if (e.name) return `${e.name}: ${String(e.message ?? '').slice(0, 120)}`;
  }
  return String(err).slice(0, 120);
}
