// The need a customer states, read from the turns the bot has not answered yet (folded text). Pure.
// Order matters: the most specific need wins ("prélevé deux fois sur ma facture" is a double debit, not an invoice copy).
import { normalizeForMatching } from '../analytics/text.js';

/** Needs the bot answers directly (ids of the answers file's `intents`), plus the conversational ones. */
export const NEEDS = [
  'invoice_copy',
  'invoice_error',
  'double_debit',
  'outage',
  'no_network',
  'slow_connection',
  'password_login',
  'cancellation',
  'offers',
  'opening_hours',
  'moving_house',
] as const;
export type Need = (typeof NEEDS)[number];
export type Intent = Need | 'human' | 'thanks' | 'unclear';

const INVOICE = /\b(factur\w*|invoice\w*|bills?|billing|duplicata|releve|echeancier|statement)\b/;

const RULES: Array<[Intent, RegExp]> = [
  [
    'human',
    /\b(conseill(er|ere)s?|humain|human|real person|vraie personne|une personne (reelle|physique)|quelqu'un de (reel|vrai)|un agent|an agent|a person|someone real|operat(eur|rice|or) humain|human operator|(parler a|talk to|speak to) (un|une|an?) operat(eur|rice|or)|parler a (un|une|quelqu'un)|talk to (someone|a|an|somebody|a human)|speak (to|with) (someone|a|an|somebody)|live agent|service client humain|(etre|me faire) rappeler|call me back|appelez-moi|rappelez-moi)\b/,
  ],
  [
    'double_debit',
    /\b((preleve|debite|facture|paye|charged|billed|debited|taken|paid)\w* (\w+ ){0,4}(deux|2|two|twice|trois|3) (fois|times)|(double|deux|2|two) (prelevements?|debits?|paiements?|payments?|charges?|transactions?)|(charged|billed|debited|paid) (\w+ ){0,3}twice|twice (charged|billed|debited)|doublon|en double|prelevement double|double (charge|debit|billing|prelevement))\b/,
  ],
  [
    'double_debit',
    /(?=.*\b(twice|deux fois|2 fois|en double|duplicate|doublon|identical|identiques)\b).*\b(pa(y|id|yment)s?|debit\w*|charg\w*|preleve\w*|prelevement\w*|paiements?|factur\w*|bill\w*|€|eur)/s,
  ],
  [
    'invoice_error',
    new RegExp(
      `(?=.*${INVOICE.source}|.*\\b(montant|amount|preleve|debite|charged?|charges|frais|fees?|factur\\w*|tarif)\\b).*\\b(trop (elevee?|chere?|haute?)|plus (chere?|elevee?)|(tres|super|vachement) chere?|exorbitant\\w*|anormal\\w*|pas normal|incorrect\\w*|errone\\w*|erreur|error|mistake|wrong|faux|fausse|too (high|much|expensive)|higher than|more than (usual|expected|normal)|overcharg\\w*|augment\\w*|increase\\w*|gone up|went up|double|doubled|ne correspond pas|doesn't match|does not match|pas d'accord|contest\\w*|dispute|don't recognise|don't recognize|je ne comprends pas|i don't understand|why (is|has|did|am i|was i|are you|do you)|pourquoi (ma|mon|le|la|les|est|j'ai|vous|il|y a|on)|c'est quoi (ce|cette|ces)|what is (this|that) (charge|fee|amount)|je (ne )?comprends? pas|sais pas (du tout )?(ce que|a quoi)|never (subscribed|ordered|signed up|asked|used)|jamais (souscrit|commande|demande|utilise)|rien (achete|commande|demande)|didn't (order|buy|subscribe|ask)|remove (it|this|that|the)|retir\\w*|promis|promised|au lieu de|instead of)\\b`,
      's',
    ),
  ],
  [
    'invoice_copy',
    new RegExp(
      `(?=.*${INVOICE.source}).*\\b(copie|copy|copies|duplicata|pdf|parvenir|transmett\\w*|forward|previous|envoy\\w*|renvoy\\w*|send|resend|re-send|email me|mail me|recevoir|recu|received|receive|get|obtenir|avoir|telecharg\\w*|download|\\w*trouve\\w*|find|where|ou (est|sont|trouver)|retrouve\\w*|acces|access|besoin|need|voudrais|would like|want|manque|missing|dernieres?|last|latest|mois|month|arrive\\w*|jamais|never|pas eu|see|voir|consulter)\\b`,
      's',
    ),
  ],
  [
    'password_login',
    /\b(mot de passe|mdp|password|passcode|identifiants?|login|log in|log on|logging in|sign in|signing in|se connecter a (mon|l'|la|votre) (espace|compte|appli|application|site)|me connecter a (mon|l'|la|votre) (espace|compte|appli|application|site)|connexion a (mon|l'|votre) (espace|compte|appli)|(acceder|acces) a (mon|l'|votre) (espace|compte)|(espace client|compte|account)( \w+){0,2} (bloque|verrouille|inaccessible|locked|blocked)|locked out|can't (access|get into) my account|code de (verification|validation|confirmation)|verification code|two-factor|2fa|otp)\b/,
  ],
  [
    'cancellation',
    /\b(resili\w*|cancel\w*|terminat\w*|end my (contract|subscription|plan)|close my (account|line)|mettre fin a|arret\\w* (mon|ma|l'|son|sa|le|la) (\\w+ ){0,3}(abonnement|contrat|forfait|ligne)|fermer (sa|ma|la|mon|son|le) (ligne|compte|contrat|abonnement)|close (his|her|my|the) (line|account)|(partir|pars|passer|passe) chez (un autre|la concurrence|sfr|orange|bouygues|free)|stop my (subscription|contract|plan)|rio|porting code|pac code|quitter (freeda|votre|vos)|je (vous )?quitte|leave (freeda|you)|changer d'operateur|partir chez|switch(ing)? (provider|to another|operator|network)|cloturer)\b/,
  ],
  [
    'moving_house',
    /\b(demenag\w*|emmenag\w*|moving (house|home|out|to|flat|next)|i'm moving|we're moving|we are moving|i am moving|move (house|home|to a new)|moved (house|to)|relocat\w*|new (address|flat|home|house|apartment)|nouvel (appartement|logement)|nouvelle (adresse|maison)|changement d'adresse|chang\\w* (d'|de )(appartement|appart|logement|adresse|maison|domicile)|nouveau (logement|domicile|appartement|appart)|change (of|my) address|transfer\w* (my|the) (line|box|internet|contract|subscription))\b/,
  ],
  [
    'outage',
    /\b(tv|tele|television|decodeur|chaines?|channels?)\b.{0,40}\b(not working|ne (marche|fonctionne)|no signal|pas de signal|aucun signal|ecran noir|black screen)\b|\b(internet|wifi|wi-fi|box|broadband|connexion|connection)('s| is| has| est)?( been)? (dead|down|out|gone|morte?|coupee?)\b/,
  ],
  [
    'no_network',
    /\b((pas|plus|aucun|zero|0) (de )?(reseau|signal|barres?|service mobile)|capte (plus|pas|rien|mal)|ne capte|capte que|captent? (plus|pas)|no (mobile )?(signal|network|service|bars|reception|coverage)|zero bars|network (is )?(down|gone|not working)|(reseau|network) (mobile )?(ne marche|ne fonctionne|hs|down|absent|coupe)|(appels?|calls?) (impossibles?|ne passent pas|don't go through|keep failing|fail)|can't (make|receive) (calls|texts|sms)|(peux|peut) (plus|pas) (appeler|telephoner|passer d'appel|envoyer de sms)|impossible d'(appeler|telephoner|envoyer des sms|passer (un|des) appels?)|(sms|textos?|texts|messages) (ne )?partent (pas|plus)|(appels?|calls?) (ne )?(passent|aboutissent) (pas|plus)|no service|sos (uniquement|only)|emergency calls only|urgence uniquement|sim (not detected|non detectee|invalide))\b/,
  ],
  [
    'slow_connection',
    /\b(lent\w*|rame|ramer|rament|ralenti\w*|slow\w*|sluggish|lag\w*|debit (faible|bas|pourri|mediocre)|faible debit|low speed|speed (is|has)|vitesse|mbps|mb\/s|buffer\w*|saccade\w*|se coupe (souvent|tout le temps|regulierement)|coupe (souvent|sans arret|tout le temps|plusieurs fois)|decroche|intermitt\w*|instable|unstable|keeps (dropping|cutting|disconnecting)|drops (out|every)|keeps cutting|ne charge pas|pages? (take|prend)\w* (forever|des plombes))\b/,
  ],
  [
    'outage',
    /\b(panne|pannes|en panne|outage|coupure|coupe|incident|down|hs|(plus|pas|aucune?) (d'internet|dinternet|internet|de connexion|connexion|de wifi|wifi|de tele|tele|tv|de television|television|de ligne|ligne fixe)|no (internet|connection|wifi|wi-fi|tv|broadband|landline)|internet (is )?(down|out|gone|not working|doesn't work|stopped)|(wifi|wi-fi|box|internet|router|modem|tv|tele|decodeur|fibre|ligne) (\w+ ){0,2}(ne (marche|fonctionne|s'allume|repond)|marche plus|fonctionne plus|not working|doesn't work|isn't working|won't (turn on|connect|work)|stopped working|dead|clignote|blinking|flashing|voyant rouge|red light|eteinte?)|(ne )?(marche|fonctionne) (plus|pa|pas)|not working|stopped working|voyant (rouge|orange)|red light)\b/,
  ],
  [
    'opening_hours',
    /\b(horaires?|heures? d'ouverture|opening (hours|times)|ouvert\w*|open (on|at|today|tomorrow|until|till|late|sunday|saturday)|are you open|what time (do|does|are)|a quelle heure|jusqu'a quelle heure|ferme\w* a|close (at|on)|closing time|boutique|magasin|agence|store|shop|joignables?|reachable|when can i (call|reach))\b/,
  ],
  [
    'offers',
    /\b(offres?|offer|offers|forfaits?|plans?|promo\w*|deals?|tarifs?|prix|price|prices|pricing|moins cher\w*|cheaper|meilleur prix|better (deal|price)|souscri\w*|subscribe|abonner|m'abonner|sign up|eligib\w*|disponible|available|fibre|fiber|fibre optique|5g|4g|option\w*|upgrade|changer (de|d') (forfait|offre|box)|change (my )?(plan|package|tariff)|ajouter une ligne|add a line|nouvelle ligne|new line|sim only|combien coute|c'est combien|combien (en plus|par mois|ca coute)|how much (is|does|for|extra|more)|devis|quote|chaines?|channels|bouquet|ajouter (\\w+ ){1,3}(a|sur) (mon|ma) (abonnement|forfait|offre|box)|add (\\w+ ){1,3}to my (plan|package|subscription))\b/,
  ],
];

const THANKS =
  /^(ok|okay|d'accord|merci|merci beaucoup|merci bien|thanks|thank you|parfait|super|top|nickel|great|perfect|cool|c'est (bon|note|parfait)|bonne (journee|soiree)|have a (nice|good) day|bye|au revoir|[\s!.,👍🙏😊])+$/u;

export function detectIntent(text: string): Intent {
  const n = normalizeForMatching(text);
  if (!n) return 'unclear';
  if (THANKS.test(n)) return 'thanks';
  for (const [intent, pattern] of RULES) if (pattern.test(n)) return intent;
  return 'unclear';
}

/** Asked for right now, in so many words ("c'est urgent", "ASAP"): the customer cannot wait for a bot exchange. */
const URGENT_WORDS =
  /\b(urgent\w*|urgence|au plus vite|des que possible|immediatement|tout de suite|asap|right now|right away|emergency|immediately|as soon as possible)\b/;

/** "appels d'urgence uniquement" describes a phone's state, not the customer's hurry. */
const EMERGENCY_CALLS_ONLY = /\b(appels? d'urgence|urgence uniquement|emergency calls?( only)?|sos only)\b/g;

export function saysUrgent(text: string): boolean {
  return URGENT_WORDS.test(normalizeForMatching(text).replace(EMERGENCY_CALLS_ONLY, ' '));
}
