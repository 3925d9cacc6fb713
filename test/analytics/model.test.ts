// The trained half of the offline analyzer: the shipped weights are what the committed training script produces,
// small, trained without the held-out set, and combined with the rules for the cues the label guide insists on.
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { describe, it } from 'node:test';
import { analyzeOffline } from '../../src/pipeline/analytics/fallback.js';
import { WEIGHTS_FILE } from '../../src/pipeline/analytics/model.js';
import { shippedWeightsJson, TRAINING_SETS } from './train.js';

describe('offline analytics model', () => {
  it('the shipped weights are exactly what test/analytics/train.ts produces (deterministic training)', () => {
    assert.equal(readFileSync(WEIGHTS_FILE, 'utf8'), shippedWeightsJson(), 'run: node --import tsx test/analytics/train.ts');
  });
  it('is small and never trained on the held-out set', () => {
    assert.ok(statSync(WEIGHTS_FILE).size < 1024 * 1024, `${statSync(WEIGHTS_FILE).size} bytes`);
    assert.ok(!TRAINING_SETS.includes('heldout.jsonl'));
  });
  it('labels the issue #20 first messages as the label guide says', () => {
    const label = (text: string) => {
      const { sentiment, category, urgency } = analyzeOffline({ channel: 'sms', messages: [{ author: 'customer', text }] });
      return `${sentiment}/${category}/${urgency}`;
    };
    assert.equal(label("je n'ai pas reçu ma facture"), 'neutre/facturation/basse');
    assert.equal(label('prélevé deux fois ce mois-ci'), 'neutre/facturation/moyenne');
    assert.equal(label('ma facture est trop élevée'), 'neutre/facturation/moyenne');
    assert.equal(label("mon portable ne capte plus… c'est urgent"), 'neutre/technique/haute');
    assert.equal(label('mon téléphone capte mal dans la cuisine'), 'neutre/technique/moyenne');
  });
  it('legal footers of an email are not read as the customer’s words', () => {
    const r = analyzeOffline({
      channel: 'email',
      subject: 'Demande de factures',
      messages: [
        {
          author: 'customer',
          text: "Bonjour,\nPourriez-vous m'envoyer les factures de juillet et août ?\nMerci\n\nCe message et ses pièces jointes sont confidentiels. Si vous avez reçu ce message par erreur, merci de le détruire.",
        },
      ],
    });
    assert.equal(r.urgency, 'basse');
  });
});
