// Category patterns of the offline analyzer (see lexicon.ts for the conventions): what the customer wants us to act on.
import type { Category } from '../../domain/types.js';
import { weighted as p, type WeightedPattern } from './lexicon.js';

/** Scams, phishing and fake technicians in our name: category autre, urgency haute. */
export const SCAM: WeightedPattern = p(
  /\b(arnaque|escroquer\w*|scam\w*|phishing|hameconnage|faux (technicien|conseiller)|fake (technician|agent)|soi-disant (technicien|conseiller|de chez vous)|qui (disait|se disait) (appeler )?de chez vous|se presentant de chez vous|lien pour un remboursement|clicked (on )?(a|the) link|clique sur (un|le) lien|j'ai clique|se faisant passer|(disant|pretendant) qu'(il|elle) venait de chez vous|en disant qu'il venait|(pretending|claiming) to be from you|m'a demande (ma carte|mes codes|mon code)|asked (me )?for my (card|bank)|(appele|contacte|ecrit) de votre part|me demander (mon|mes|ma) (code|codes|carte|identifiant|mot de passe)|j'ai donne (le|mon|mes) code|(mail|e-?mail|sms|message|appel|courrier) (a|en) votre nom|(email|text|message|call) (in|under) your name|rempli (le|un) formulaire|filled (in|out) (the|a) form|c'etait bien vous|was (it|that) really you|(dit|dis|disait|pretend|pretendait|affirme|affirmait) (qu'il|qu'elle) (vient|venait) (de votre part|de chez vous)|(says|said|claims|claimed) (he's|she's|he is|she is|they're|they are) from (you|your company)|(pas de|sans|no) badge|(se presentant|s'est presente|se presente|presente) comme (un |le |votre )?(technicien|conseiller|agent|employe)|(demande|demandait|demandant|asks?|asking|asked) (\w+ ){0,2}(mes|mon|ma|my) (identifiants?|codes?|cb|carte bancaire|mot de passe|password|login details|bank details|card details|pin)|avec votre logo|with your logo|est-ce (vraiment|bien) (quelqu'un de )?(chez vous|vous)|c'est un vrai \?|is (this|it|that) (really )?(legit|genuine|real) \?)\b/,
  4,
);

/** Account security (guide §3 rule 6): a hacked account or changes the customer did not make → technique. */
export const ACCOUNT_TAKEOVER =
  /\b(pirat\w*|hack\w*|someone (has )?(logged|accessed|changed|got into|used) (into )?my|quelqu'un (s'est connecte|a change|a modifie|a eu acces|a acces|utilise mon compte)|unauthori[sz]ed (changes?|access|login)|(changements?|modifications?|connexions?) non autorisee?s?|(did not|didn't) make (any of )?(these|those|the) changes|n'ai (pas|jamais) (fait|demande) ces (changements|modifications))/;

/** The money is wrong (guide §3 rule 4): a balance the customer disputes, a promised credit or refund missing. */
export const MONEY_WRONG =
  /\b(je vous dois|je vous devrais|says i owe|i owe you|solde (debiteur|du|restant)|outstanding balance|(credit|avoir|rembours\w*|refund|geste)\b[^.!?]{0,60}\b(not on my|isn't on|hasn't (arrived|appeared|been applied)|pas (encore )?(apparu|arrive|applique|ete applique|recu|vu)|toujours pas|still not)|(credit|refund|compensation|dedommagement|geste|rembours\w*) (\w+ ){0,3}(for|pour) (the |la |le |l'|last week's |cette |this )?(outage|coupure|panne|interruption))\b/;

/** The price of the current plan changed: "mon forfait est passé de 15,99 à 18,99". */
export const PRICE_CHANGED =
  /\b((est |a )?(passee?|augmentee?) de \d+([,.]\d+)? ?(€|euros?)? a \d+|(m'avez|vous avez|on m'a) augmente|augmente de \d+ ?(€|euros?)|revenir a mon ancien (prix|tarif)|back to my old price|remettez[- ]moi (mon|l'ancien) (tarif|prix)|my old price back)\b/;

/** Spam written to the support address (prizes, SEO offers): nothing to do, not praise (guide §2 rule 8). */
export const SPAM =
  /\b(vous avez ete selectionnee?|you('ve| have) been selected|(gagner|win|won) (un|une|a|an) (iphone|samsung|smartphone|cadeau|prize|gift|voucher|bon d'achat)|reclamez votre (cadeau|lot|prix)|claim your (prize|gift|reward)|rank on google|organic traffic|free (seo )?audit)\b/;

export const CATEGORY_PATTERNS: Record<Exclude<Category, 'autre' | 'resiliation'> | 'autre', WeightedPattern[]> = {
  facturation: [
    p(/\b(factur\w*|invoice\w*|bill|bills|billed|billing|statement)\b/, 1.5),
    p(
      /\b((fait|faire) payer|charged me|billed me|you('ve| have) charged|m'avez (facture|preleve|debite|compte)|on m'a (facture|preleve|debite|compte)|vous me facturez|you('re| are) charging|surtaxe\w*|premium rate|payment of|paiement de \d+)\b/,
      2,
    ),
    p(
      /\b(preleve\w*|prelevement\w*|debit(e|ee|es|ees|er|ez|ed|ing)|debits? (of|de) \d|charged?|charges|payments?|paiements?|paye|payer|payez|paid|pay|regle la facture|reglement)\b/,
      1.5,
    ),
    p(
      /\b(rembours\w*|refund\w*|credit|geste commercial|dedommagement|compensation|indemnite)\b|\b(un|l'|cet|d'un|votre|mon) ?avoir\b|\bavoir (de|promis|annonce)\b/,
      2,
    ),
    p(/\b(frais|fees?|penalit\w*|hors[- ]forfait|surcharge|roaming)\b/, 1.5),
    p(/\b(rib|iban|coordonnees bancaires|bank details|direct debit|changed banks|virement|carte bancaire|cb)\b/, 1.5),
    p(/\b(impaye|non-paiement|pour impaye|unpaid|late payment)\b/, 2),
    p(MONEY_WRONG, 3),
    p(PRICE_CHANGED, 2.5),
    p(
      /\b(augment\w*|hausse|price (went|increase|rise)|went (up|from)|plus elevee?|ecart|montant|amount|\d+ ?(euros?|eur|pounds|quid))\b|[€£]/,
      1,
    ),
  ],
  technique: [
    p(
      /\b(erreur|error|bug\w*|plante|crash\w*|bloque|ne (se )?charge pas|won't load|doesn't load)\b[^.!?]{0,40}\b(site|appli|app|espace client|page|website)\b|\b(site|appli|app|espace client|page|website)\b[^.!?]{0,40}\b(erreur|error|bug\w*|plante|crash\w*|ne (se )?charge pas|won't load|doesn't load)\b|\berreur \d{3}\b|\berror \d{3}\b/,
      3,
    ),
    p(
      /\b(internet|connexion|connection|wifi|wi-fi|reseau|network|signal|capte|4g|5g|fibre optique|adsl|debit internet|speed|download|upload|mbps|latence|ping|telephone|portable|ligne|lines?|fixe|landline|phone|numbers?|numeros?)\b/,
      1,
    ),
    p(/\b(box|routeur|router|modem|decodeur|tv|tele|television|chaines?|channels?|ecran|telecommande|remote|repeteur|extender|mesh)\b/, 1),
    p(
      /\b(coup(e|ee|ure|ures|ait)|panne|outage|down|plant(e|ent)|crash\w*|bug\w*|freez\w*|fige|redemarre|rame|lent(e)?|slow|instable|unstable|drop(s|ped|ping|out)?(?! off)|decroche|deconnexion|disconnect\w*|no service|sos|tonalite|dial tone|sonne plus|ecran noir|no picture|pas de signal|no sound|error|erreur|e-\d+)\b/,
      2,
    ),
    p(
      /\b(marche (pas|plus)|fonctionne (pas|plus)|ne s'allume plus|ne capte|won't|not working|doesn't work|isn't working|stopped|ne recois plus|can't (send|receive|call|log)|impossible d'|n'arrive (pas|plus) a(?! trouver)|refuse)\b/,
      2,
    ),
    p(
      /\b(appli|app|application|site|website|espace client|mot de passe|password|login|log in|connecter|identifiant|compte (a ete )?pirate|pirat\w*|hack\w*|securis\w*|bloquer (la|ma) ligne|vole mon|stolen)\b/,
      1.5,
    ),
    p(
      /\b(sim|esim|puk|messagerie|voicemail|sms|appels?|calls?|text|boite mail|mail sur|outlook|emails? stopped|contacts|wifi calling|parental|mode invite|enregistrer|record)\b/,
      0.8,
    ),
    p(
      /\b(comment (on |je |j')?(fai(s|t)|configur|activ|chang|transfer|bloqu)\w*|how (do|to|can) i (set|turn|change|block|pair|record|configure|use)|how to|a way to (block|set|change|turn))\b/,
      1.5,
    ),
    p(
      /\b(how (do|can) i \w+|data|donnees mobiles|internet mobile|consommation|ma conso|mms|pixelis\w*|gresill\w*|son decale|no sim|appels d'urgence|emergency calls|puk)\b/,
      1,
    ),
    p(
      /\b((le |du |mon |son )?debit (est|internet|descendant|montant|divise|a baisse|faible|de \d+ ?(mb|mega|gb|kb))|\d+ ?(mb|mbps|mega|gb\/s) au lieu de|stops? working|stopped working|arrete de (fonctionner|marcher)|speed is \d+|\d+ ?mbps|vitesse|debit (de|est) \d+|\d barres?|une barre|capte mal|couverture|coverage|block (unknown|numbers|calls))\b/,
      2,
    ),
  ],
  commercial: [
    p(
      /\b(transferer (ma|la|mon) (box|ligne|abonnement|contrat|offre|internet)|transfert (de|d'|du) (ma |la |mon )?(ligne|box|abonnement|contrat)|(move|transfer) my (broadband|box|line|service|contract)|(new|nouveau|another|autre) (appointment|rendez-vous|rdv)|(droit|eligible) a la fibre|(avoir|get|have) (la |the )?(fibre|fiber|4g|5g) (a|au|at|in|chez)|(la meme chose|le meme forfait|la meme offre|the same( plan| one| thing)?) (pour|for)|souscrire (une |un |a |l')?(box|forfait|offre|abonnement|ligne|fibre)|sign up for (a |the )?(box|plan|broadband|fibre))\b/,
      3,
    ),
    // Availability, advice before buying, the price of something new, delivery of an order, staying for a better offer.
    p(
      /\b((vous )?(faites|proposez|installez|couvrez|passez) (la fibre|l'adsl|la 4g|la 5g|internet)|(fibre|4g|5g) (est )?(dispo|disponible|available)|(vous me )?(conseillez|recommandez) quoi|(que|qu'est-ce que) (vous )?(me )?(conseillez|recommandez)|what (plan|offer|package) (do you|would you) (recommend|suggest)|which plan (should|would)|c'est combien|combien (par|le|au) mois|(know|learn|find out) more about your|en savoir plus sur vos|des (infos|informations) sur vos|how much (per|a|each) month|(quand|when) (est-ce que )?(je vais |vais-je |will i |do i |is my |will my )?(recevoir|receive|get|avoir|arrive)\b[^.!?]{0,20}\b(carte sim|sim|box|colis|commande|telephone|phone|router|order|parcel)|je reste(?! (a |disponible|joignable|dans l'attente|en attente|sans|bloque|chez moi|a la maison))|on reste chez vous|i'll stay|i will stay|i'm staying|rester chez vous|stay with you)\b/,
      2.5,
    ),
    p(
      /\b(offres?|forfaits?|plans?|packages?|bundles?|deals?|abonnement fibre|promos?|promotions?|bouquets?|options?|devis|quote|tarifs?|prix|price|cheaper|moins cher|pas trop cher)\b/,
      1,
    ),
    p(
      /\b(souscri\w*|subscribe|m'abonne|abonner|eligib\w*|disponibles?|dispo|available|availability|nouveau client|pas encore client|new customer|students?|etudiants?|seniors?|famille|family)\b/,
      1.5,
    ),
    p(
      /\b(command\w*|order\w*|livr(e|ee|ees|es|er|ez|aisons?|eurs?)|deliver\w*|colis|parcel|suivi|tracking|activ(e|ee|ation|ated)|pre-order|reconditionnes?|refurbished|reprise)\b/,
      1.5,
    ),
    p(
      /\b(passer (au|a l'|a|de)|changer (de|d') (forfait|offre)|upgrade|downgrade|switch to|baisser|r?ajouter|add|deuxieme ligne|second line|extra line|nouvelle ligne|ligne (mobile )?(supplementaire|pour ma|pour mon)|carte sim data|remove|retirer l'option|enlever)\b/,
      1.5,
    ),
    p(/\b(iphone|samsung|pixel|s24|smartphone|netflix|option internationale)\b/, 1),
    p(
      /\b(do you have (fibre|fiber)|(fibre|fiber) (in|at) my|compatible|compatibilite|vous vendez|do you sell|combien (ca )?coute|how much (is|does|are|would)|quel (est le )?prix)\b/,
      2,
    ),
    p(
      /\b(il n'y a pas (le|la|les)|il manque|missing from|wasn't (in|included)|n'etait pas (dans|inclus)|pas le (bon )?modele|not the (right )?model|wrong model|cracked|fissure|marque livre|marked (as )?delivered|says (it was )?delivered|jamais eu|never got it|annule ma commande|cancelled my order|changement de forfait|portabilite|(get|avoir|obtenir|recevoir) (the|a|la|le|une|un) (new|nouvelle?) (box|router|decodeur|tv box|phone|telephone)|installer la fibre|installation de la fibre|rendez-vous d'installation|reprendre (un )?rendez-vous|au lieu d'une?|instead of one|renvoie laquelle|which one (do i|should i) (send|return)|(changement|change|change) d'offre|changed (my )?(plan|offer)|n'a pas ete appliquee?|not (been )?applied)\b/,
      2.5,
    ),
    p(
      /\b(proposez|propose(z|s)?-vous|vous avez (des|une|un) (offres?|forfaits?|promos?|telephones?|smartphones?|reductions?|remises?)|do you (have|offer|sell) (any )?(plans?|offers?|deals?|phones?)|infos sur vos|information on your|dans le carton|in the box|reprise|trade-in)\b/,
      1.5,
    ),
  ],
  autre: [
    p(/\b(horaires?|opening hours|ouvert\w*|ferme\w*|open|close on|stores?|boutiques?|magasin le plus|nearest store|shop in)\b/, 1.5),
    p(
      /\b(numero de (telephone de )?contact|contact (number|details|email)|adresse (e-?mail |email )?de contact|billing address|adresse de facturation|update (my|the) (address|details|name|phone number|mobile number|email|e-mail)|attestation|certificat|justificatif|adresse postale|nouvelle adresse|new address|demenage\w*|changement d'adresse|titulaire|holder|nom du|mettre le contrat a mon nom|mariee?)\b/,
      2,
    ),
    p(
      /\b(rgpd|gdpr|donnees personnelles|mes donnees|my personal data|delete my data|share my data|cnil|publicites?|pubs?|prospection|demarch\w*|m'appeler pour (me )?vendre|(arretez|arreter|stop) (de )?m'appeler|cold calls?|sales calls|stop calling me|marketing|unsubscribe|desinscri\w*|stop pub|newsletter|sms publicitaires?|mails? commerciaux|commercial (emails|texts|messages)|ne plus (en )?recevoir|stop (sending|receiving))\b/,
      2.5,
    ),
    SCAM,
    p(/\b(wrong number|trompee?s? de numero|erreur de numero|pas moi qui|mauvais numero)\b/, 4),
    p(
      /\b(recrut\w*|(looking for|apply(ing)? for|application for) a job|job (offer|opening|application|vacanc\w*)|(offre|demande) d'emploi|(cherche|recherche) (un )?(emploi|travail|stage)|cv|alternance|apprenti\w*|candidature|hiring)\b/,
      3,
    ),
    p(/\b(conseill(er|ere)|vendeur|agent i spoke|agent was|livreur|technicien (a|est) (abime|perce|casse))\b/, 1),
    p(
      /\b(raye|rayure|scratch\w*|parquet|meuble|a casse (mon|ma)|broke (my|the)|rappel (promis|prevu)|promised (me )?a call ?back|pas le bon numero|not the right number|wrong person|annuaire|directory|date de naissance|birth ?date|date of birth|email address you use|adresse (mail|e-mail) de contact|service presse|press office|journaliste|partenariat|partnership|recycl\w*|drop off my old)\b/,
      2.5,
    ),
    p(/\b(degats?|dommages?|damage\w*|abime|perce|casse|indemnisation|prise en charge|canalisation)\b/, 2),
    p(/\b(fuite de donnees|data (leak|breach)|coordonnees bancaires d'un autre|d'un autre client)\b/, 3),
  ],
};
