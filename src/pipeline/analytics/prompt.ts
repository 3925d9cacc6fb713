// Prompt for the Mistral analytics call: label definitions condensed from docs/analytics-labels.md, in French.
import type { AnalysisInput } from '../../domain/intelligence.js';
import { stripQuotedHistory } from './text.js';

export const ANALYTICS_SYSTEM_PROMPT = `Tu analyses des conversations du support client d'un opérateur télécom (SMS, WhatsApp, appel transcrit, email, chat).
Réponds UNIQUEMENT par un objet JSON : {"sentiment": "...", "category": "...", "urgency": "...", "summary": "..."}.
Valeurs exactes, en minuscules sans accents :
- sentiment : positif | neutre | negatif
- category : facturation | technique | commercial | resiliation | autre
- urgency : basse | moyenne | haute
- summary : une seule phrase, 200 caractères maximum, dans la langue du client.

Règles :
- Seuls les messages du client comptent comme preuve ; les messages du bot et de l'agent sont du contexte (un "oui" à "Voulez-vous résilier ?" est une demande de résiliation). Ignore l'historique cité, les signatures, l'orthographe SMS et les hésitations orales.
- sentiment = attitude du client envers nous. negatif : plainte, reproche, frustration, colère, déception, sarcasme ("Bravo, encore une coupure 👏", "merci pour rien"), menace de partir ou de poursuivre, insistance sur un problème qui persiste malgré des contacts. La politesse n'annule pas le mécontentement. neutre : questions et problèmes exposés calmement, même graves ; les formules (merci d'avance, cordialement) ne sont pas positives. positif : satisfaction sincère, remerciements pour une action, éloges. Problème non résolu + éloge = negatif ; problème résolu et client qui remercie = positif. Lis les négations ("pas content" = negatif, "pas de souci" n'est pas négatif).
- category = ce que le client veut qu'on traite (en premier). facturation : factures, montants, prélèvements (doubles ou inconnus), remboursements, avoirs, frais, hausse sur la facture, moyens de paiement, impayés. technique : panne, lenteur, réseau, TV, box, SIM/eSIM, appli ou site en erreur (même la page de paiement), connexion, compte piraté, aide à l'utilisation. commercial : offres, prix avant achat, éligibilité, souscription, options, changement de forfait en restant, offre pour rester, commandes et livraisons. resiliation : intention ou décision de résilier/partir, code RIO/portabilité pour partir, questions sur préavis et frais de résiliation ; une menace conditionnelle ("sinon je résilie") garde la catégorie du problème ; déjà résilié mais encore prélevé = facturation. autre : coordonnées, attestations, comportement du personnel, dommages, RGPD et publicité, arnaques et faux techniciens, boutiques et horaires, remerciements seuls, faux numéros, spam, emploi.
- urgency. haute : perte totale du service principal (plus d'internet, plus de réseau, plus d'appels, TV totalement coupée, ligne suspendue), activité professionnelle bloquée, échéance sous 24 h, menace juridique (avocat, tribunal, mise en demeure, plainte, UFC, médiateur, CNIL), sécurité ou fraude (compte piraté, prélèvement inconnu, victime d'arnaque), au moins deux contacts précédents sans réponse ni résultat. moyenne : service dégradé ou partiel, erreur ou double facturation, remboursement manquant, commande en retard, demande de résiliation décidée, réclamation à suivre. basse : questions, devis, changements d'offre sans délai, copies de facture, explication de facture, mises à jour de coordonnées, aide à l'utilisation, remerciements, faux numéros. Le ton seul n'augmente pas l'urgence.`;

const ROLE_LABEL = { customer: 'client', bot: 'bot', agent: 'agent', system: 'systeme' } as const;

export function buildAnalysisUserPrompt(input: AnalysisInput): string {
  const lines = [`Canal : ${input.channel}`];
  if (input.subject) lines.push(`Objet : ${input.subject}`);
  lines.push('Conversation :');
  for (const turn of input.messages) {
    const text = turn.author === 'customer' ? stripQuotedHistory(turn.text) : turn.text;
    if (!text.trim()) continue;
    lines.push(`[${ROLE_LABEL[turn.author]}] ${text.replace(/\s+/g, ' ').trim().slice(0, 2000)}`);
  }
  return lines.join('\n');
}
