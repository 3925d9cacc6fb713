// Analytics entry point: createAnalyzer picks the Mistral path when a key is set, the offline analyzer otherwise.
import type { LoggerLike } from '../../domain/channel.js';
import type { AnalysisInput, Analyzer } from '../../domain/intelligence.js';
import type { Analytics } from '../../domain/types.js';
import { mistralCallDeps } from './mistral-client.js';
import { createMistralAnalyzer, offlineAnalytics, type AnalyzerStats } from './mistral.js';

export { analyzeOffline } from './fallback.js';
export type { AnalyzerStats } from './mistral.js';

export interface AnalyzerOptions {
  apiKey?: string;
  model: string;
  serverUrl?: string;
  timeoutMs: number;
  logger: LoggerLike;
  /** Most Mistral calls in flight at once (default 4); the rest wait their turn. */
  maxConcurrency?: number;
  now?: () => Date;
  /** First retry delay in ms (tests lower it). */
  retryInitialIntervalMs?: number;
}

export function createAnalyzer(opts: AnalyzerOptions): Analyzer & { stats(): AnalyzerStats } {
  const now = opts.now ?? (() => new Date());
  if (!opts.apiKey) {
    let fallback = 0;
    return {
      analyze(input: AnalysisInput): Promise<Analytics> {
        fallback += 1;
        return Promise.resolve(offlineAnalytics(input, now));
      },
      stats: (): AnalyzerStats => ({ ai: 0, fallback, fallback_reasons: fallback ? { no_api_key: fallback } : {} }),
    };
  }
  return createMistralAnalyzer({ ...mistralCallDeps({ ...opts, apiKey: opts.apiKey }), now });
}
