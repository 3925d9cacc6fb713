// The urgency cues the model reads (urgency.ts urgencyCues): read on folded text like the urgency rules read it, so
// a cue negated, past and fixed, or said "pas urgent" does not count, and the guide's distinctions stay apart.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeForMatching } from '../../src/pipeline/analytics/text.js';
import { urgencyCues } from '../../src/pipeline/analytics/urgency.js';

const cues = (text: string) => urgencyCues(normalizeForMatching(text));

describe('urgency cues for the model', () => {
  it('tells a total loss from a partial one', () => {
    assert.ok(cues("plus d'internet du tout depuis hier soir").includes('outage'));
    assert.ok(cues('no internet since last night, the box is completely off').includes('outage'));
    const partial = cues('pas de réseau dans la cuisine, ailleurs ça va');
    assert.ok(partial.includes('partial') && !partial.includes('outage'), partial.join());
  });
  it('reads business impact, deadlines, repeated contacts, legal threats and how long it has lasted', () => {
    assert.ok(cues("je suis artisan plombier, mes clients n'arrivent plus à me joindre").includes('business'));
    assert.ok(cues('Deuxième relance, mon mail est resté sans réponse').includes('repeated'));
    assert.ok(cues('sans retour sous 8 jours je saisis le médiateur').includes('legal'));
    assert.ok(cues('la connexion rame depuis 3 jours').includes('duration'));
    assert.ok(cues("j'ai un entretien demain matin et plus de réseau").includes('deadline'));
  });
  it('does not count a problem said to be past and fixed, nor a state that mentions today', () => {
    const fixed = cues('internet was down last week (fixed), I want a credit');
    assert.ok(!fixed.includes('outage'), fixed.join());
    assert.ok(!cues('the line is still active today').includes('deadline'));
  });
  it('keeps "pas urgent" and the bill questions apart from corrections', () => {
    assert.ok(cues("ce n'est pas urgent, quand vous pouvez").includes('not-urgent'));
    assert.ok(cues("Pourriez-vous m'expliquer d'où vient cette différence de 5 euros ?").includes('explain'));
    assert.ok(!cues('Vous avez fait une erreur, expliquez-moi et remboursez-moi').includes('explain'));
  });
  it('tells a decision to cancel from a question about cancelling', () => {
    assert.ok(cues('Merci de résilier mon forfait à la fin du mois.').includes('cancel-decision'));
    const question = cues('Quel est le préavis si je résilie ?');
    assert.ok(question.includes('cancel-question') && !question.includes('cancel-decision'), question.join());
  });
});
