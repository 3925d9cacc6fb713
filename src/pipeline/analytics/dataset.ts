// Labelled analytics dataset (fixtures/analytics/*.jsonl): loading and scoring, shared by the eval script and tests.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { AnalysisInput, AnalysisLabels } from '../../domain/intelligence.js';
import { CATEGORIES, SENTIMENTS, URGENCIES } from '../../domain/types.js';

const labelledTicketSchema = z.object({
  id: z.string(),
  channel: z.string().min(1),
  subject: z.string().optional(),
  messages: z.array(z.object({ author: z.enum(['customer', 'bot', 'agent', 'system']), text: z.string() })).min(1),
  labels: z.object({ sentiment: z.enum(SENTIMENTS), category: z.enum(CATEGORIES), urgency: z.enum(URGENCIES) }),
});
export type LabelledTicket = z.infer<typeof labelledTicketSchema>;

export const LABEL_FIELDS = ['sentiment', 'category', 'urgency'] as const;
export type LabelField = (typeof LABEL_FIELDS)[number];
export const FIELD_VALUES: Record<LabelField, readonly string[]> = { sentiment: SENTIMENTS, category: CATEGORIES, urgency: URGENCIES };

export function loadDataset(path: string): LabelledTicket[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line, i) => {
      const parsed = labelledTicketSchema.safeParse(JSON.parse(line));
      if (!parsed.success) throw new Error(`${path}:${i + 1}: ${parsed.error.message}`);
      return parsed.data;
    });
}

export function toInput(ticket: LabelledTicket): AnalysisInput {
  return { id: ticket.id, channel: ticket.channel, subject: ticket.subject ?? null, messages: ticket.messages };
}

export interface FieldReport {
  accuracy: number;
  correct: number;
  total: number;
  /** confusion[expected][predicted] = count */
  confusion: Record<string, Record<string, number>>;
}

export interface Prediction {
  ticket: LabelledTicket;
  predicted: AnalysisLabels;
}

export function evaluate(predictions: Prediction[]): Record<LabelField, FieldReport> {
  const report = {} as Record<LabelField, FieldReport>;
  for (const field of LABEL_FIELDS) {
    const values = FIELD_VALUES[field];
    const confusion: Record<string, Record<string, number>> = {};
    for (const expected of values) confusion[expected] = Object.fromEntries(values.map((v) => [v, 0]));
    let correct = 0;
    for (const { ticket, predicted } of predictions) {
      const expected = ticket.labels[field];
      const got = predicted[field];
      confusion[expected][got] += 1;
      if (expected === got) correct += 1;
    }
    report[field] = { accuracy: predictions.length ? correct / predictions.length : 0, correct, total: predictions.length, confusion };
  }
  return report;
}
