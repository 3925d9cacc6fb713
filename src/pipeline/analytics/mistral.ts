// Mistral-backed analyzer: JSON mode, zod-validated labels, bounded concurrency, offline fallback on any failure.
import type { MistralChatClient } from './mistral-client.js';
import { z } from 'zod';
import type { LoggerLike } from '../../domain/channel.js';
import type { AnalysisInput, AnalysisLabels, Analyzer } from '../../domain/intelligence.js';
import { CATEGORIES, SENTIMENTS, URGENCIES, type Analytics } from '../../domain/types.js';
import { analyzeOffline, SUMMARY_MAX_CHARS } from './fallback.js';
import { describeMistralError, firstChoiceText } from './mistral-client.js';
import { ANALYTICS_SYSTEM_PROMPT, buildAnalysisUserPrompt } from './prompt.js';
import type { Semaphore } from '../semaphore.js';

export const aiLabelsSchema = z.object({
  sentiment: z.enum(SENTIMENTS),
  category: z.enum(CATEGORIES),
  urgency: z.enum(URGENCIES),
  summary: z
    .string()
    .transform((s) => s.replace(/\s+/g, ' ').trim())
    .pipe(z.string().min(1, 'summary is empty'))
    .transform((s) => (s.length <= SUMMARY_MAX_CHARS ? s : `${s.slice(0, SUMMARY_MAX_CHARS - 1).trimEnd()}…`)),
});

export type AiOutcome = { ok: true; labels: AnalysisLabels } | { ok: false; reason: string };

/** Parses the model's text answer. Pure. Tolerates a ```json fence around the object. */
export function parseAiAnswer(text: string | null): AiOutcome {
  if (text === null || text.trim() === '') return { ok: false, reason: 'empty_answer' };
  const unfenced = text
    .trim()
    .replace(/^```(?:json)?\s*/i, '')
    .replace(/\s*```$/, '');
  let json: unknown;
  try {
    json = JSON.parse(unfenced);
  } catch {
    return { ok: false, reason: 'invalid_json' };
  }
  const parsed = aiLabelsSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return { ok: false, reason: `invalid_labels: ${first.path.join('.') || '(root)'} ${first.message}` };
  }
  return { ok: true, labels: parsed.data };
}

export interface MistralAnalyzerDeps {
  client: MistralChatClient;
  model: string;
  timeoutMs: number;
  logger: LoggerLike;
  semaphore: Semaphore;
  now: () => Date;
}

export interface AnalyzerStats {
  ai: number;
  fallback: number;
  fallback_reasons: Record<string, number>;
}

export function createMistralAnalyzer(deps: MistralAnalyzerDeps): Analyzer & { stats(): AnalyzerStats } {
  const stats: AnalyzerStats = { ai: 0, fallback: 0, fallback_reasons: {} };

  async function callModel(input: AnalysisInput): Promise<AiOutcome> {
    try {
      const response = await deps.client.chat.complete(
        {
          model: deps.model,
          temperature: 0,
          maxTokens: 300,
          responseFormat: { type: 'json_object' },
          messages: [
            { role: 'system', content: ANALYTICS_SYSTEM_PROMPT },
            { role: 'user', content: buildAnalysisUserPrompt(input) },
          ],
        },
        { timeoutMs: deps.timeoutMs, retryCodes: ['429', '500', '502', '503', '504'] },
      );
      return parseAiAnswer(firstChoiceText(response));
    } catch (err) {
      return { ok: false, reason: describeMistralError(err) };
    }
  }

  return {
    async analyze(input: AnalysisInput): Promise<Analytics> {
      const outcome = await deps.semaphore.run(() => callModel(input));
      if (outcome.ok) {
        stats.ai += 1;
        return { ...outcome.labels, analyzed_at: deps.now().toISOString(), source: 'ai', model: deps.model };
      }
      stats.fallback += 1;
      const reasonKey = outcome.reason.split(':')[0];
      stats.fallback_reasons[reasonKey] = (stats.fallback_reasons[reasonKey] ?? 0) + 1;
      deps.logger.warn(
        { event: 'analytics_fallback', ticket_id: input.id ?? null, model: deps.model, reason: outcome.reason },
        'Mistral analysis failed, using the offline analyzer',
      );
      return offlineAnalytics(input, deps.now);
    },
    stats: () => structuredClone(stats),
  };
}

export function offlineAnalytics(input: AnalysisInput, now: () => Date): Analytics {
  return { ...analyzeOffline(input), analyzed_at: now().toISOString(), source: 'fallback', model: null };
}
