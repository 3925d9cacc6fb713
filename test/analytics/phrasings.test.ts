// The label guide's triggers and decision rules said in other words (fixtures/analytics/phrasings.jsonl: 300 hand-written
// phrases, FR/EN, SMS spelling, voice fillers): the rules must read each one as the guide says, and the shipped analyzer
// (model + rules) nearly all of them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { z } from 'zod';
import type { AnalysisInput } from '../../src/domain/intelligence.js';
import { FIELD_VALUES, LABEL_FIELDS } from '../../src/pipeline/analytics/dataset.js';
import { analyzeOffline } from '../../src/pipeline/analytics/fallback.js';
import { ruleLabels } from '../../src/pipeline/analytics/rules.js';

const phraseSchema = z.object({ field: z.enum(LABEL_FIELDS), label: z.string(), text: z.string().min(1) });
const phrases = readFileSync(fileURLToPath(new URL('../../fixtures/analytics/phrasings.jsonl', import.meta.url)), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => phraseSchema.parse(JSON.parse(line)));
const input = (text: string): AnalysisInput => ({ channel: 'sms', messages: [{ author: 'customer', text }] });

describe('the label guide in other words', () => {
  it('covers every field with labels the guide defines', () => {
    for (const field of LABEL_FIELDS) assert.ok(phrases.filter((p) => p.field === field).length >= 35, field);
    for (const p of phrases) assert.ok(FIELD_VALUES[p.field].includes(p.label), `${p.field}=${p.label}`);
  });

  for (const field of LABEL_FIELDS) {
    it(`${field}: the rules read every phrase as the guide says`, () => {
      const misses = phrases
        .filter((p) => p.field === field)
        .map((p) => ({ ...p, got: ruleLabels(input(p.text))[field] }))
        .filter((p) => p.got !== p.label)
        .map((p) => `${p.text} → ${p.got} (guide: ${p.label})`);
      assert.deepEqual(misses, []);
    });

    it(`${field}: the shipped analyzer agrees on at least 95% of them`, () => {
      const mine = phrases.filter((p) => p.field === field);
      const misses = mine.filter((p) => analyzeOffline(input(p.text))[field] !== p.label);
      assert.ok(misses.length <= mine.length * 0.05, misses.map((p) => p.text).join('\n'));
    });
  }
});
