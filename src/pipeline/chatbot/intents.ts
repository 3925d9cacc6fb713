// Intents the bot answers by itself, read from the customer's latest turns (folded text). Pure.
import { normalizeForMatching } from '../analytics/text.js';

export type Intent = 'human' | 'invoice_copy' | 'outage_status' | 'opening_hours' | 'cancel_procedure' | 'thanks' | 'greeting' | 'unknown';

const HUMAN =
  /\b(conseill(er|ere)|humain|human|real person|vraie personne|une personne|quelqu'un de (reel|vrai)|un agent|an agent|a person|someone real|operat(eur|or) humain|parler a (un|une|quelqu'un)|talk to (someone|a|an|somebody)|speak (to|with) (someone|a|an|somebody)|live agent|service client humain)\b/;
const INVOICE = /\b(factur\w*|invoice\w*|bills?|duplicata|releve)\b/;
const INVOICE_COPY =
  /\b(copie|copy|duplicata|envoyer|envoyez|renvoyer|send|resend|recevoir|obtenir|get|telecharger|download|ou (trouver|est)|where|retrouve|trouve pas|besoin|need)\b/;
const OUTAGE =
  /\b(panne|pannes|outage|coupure|incident|down|reseau|network|internet (ne )?(marche|fonctionne) (pas|plus)|no internet|plus d'internet|service status|etat du reseau|perturbation)\b/;
const HOURS = /\b(horaires?|heures? d'ouverture|opening (hours|times)|ouvert\w*|open|close|ferme\w*|boutique|magasin|store|shop)\b/;
const CANCEL = /\b(resili\w*|cancel\w*|terminate|rio|porting code|pac code|quitter|changer d'operateur|switch provider)\b/;
const THANKS =
  /^(ok|okay|d'accord|merci|merci beaucoup|thanks|thank you|parfait|super|top|nickel|great|perfect|cool|c'est (bon|note|parfait)|bonne (journee|soiree)|have a (nice|good) day|bye|au revoir|[\s!.,👍🙏😊])+$/u;
const GREETING = /^(bonjour|bonsoir|salut|coucou|hello|hi|hey|allo|good (morning|afternoon|evening))[\s!.,]*$/;

export function detectIntent(text: string): Intent {
  const n = normalizeForMatching(text);
  if (!n) return 'unknown';
  if (HUMAN.test(n)) return 'human';
  if (THANKS.test(n)) return 'thanks';
  if (GREETING.test(n)) return 'greeting';
  if (CANCEL.test(n)) return 'cancel_procedure';
  if (INVOICE.test(n) && INVOICE_COPY.test(n)) return 'invoice_copy';
  if (OUTAGE.test(n)) return 'outage_status';
  if (HOURS.test(n)) return 'opening_hours';
  return 'unknown';
}
