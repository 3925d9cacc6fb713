// Weighted patterns for the offline analyzer, matched on folded text (lower case, no accents, SMS spelling expanded).
// Each list is FR + EN. Weights are relative inside one list. Category patterns: lexicon-category.ts.
export interface WeightedPattern {
  re: RegExp;
  w: number;
}

export const weighted = (re: RegExp, w = 1): WeightedPattern => ({ re, w });
const p = weighted;
/** One pattern matching any of the given ones (flags of the first). */
export const anyOf = (...res: RegExp[]): RegExp => new RegExp(res.map((re) => `(?:${re.source})`).join('|'), res[0].flags);

// ---------- sentiment ----------

export const NEGATIVE: WeightedPattern[] = [
  p(
    /\b(inadmissible|inacceptable|unacceptable|honteu(x|se)|honte|scandal(eux|euse|e)|scandalise\w*|lamentable|pitoyable|minable|ridicule|ridiculous|disgrace(ful)?|outrageous|shameful)\b/,
    2,
  ),
  p(/\b(c'est|votre [a-z0-9]+ c'est|vraie|une) (une )?(vraie )?blague\b|\bthis is a joke\b|\b(is|a) (complete |total )?joke\b/, 2),
  p(
    /\b(nul(le)?s?|pourri|naze|catastrophique|deplorable|terrible|awful|rubbish|useless|pathetic|worst|horrible|appalling|shocking)\b/,
    1.5,
  ),
  p(
    /\b(marre|ras le bol|j'en ai (vraiment |franchement )?assez|en ai (vraiment )?assez|ca commence a bien faire|ca devient (lourd|penible|n'importe quoi)|fed up|sick (and tired )?of|had enough|i'm done|j'en peux plus|je n'en peux plus|vous attendez quoi|what are you waiting for|leger de votre part|ca devient (lassant|fatigant|insupportable)|lassant|on se (fout|moque) de (moi|nous)|you're kidding me|nothing (has )?changed)\b/,
    2,
  ),
  p(
    /\b(decu|decue|decevant|decevante|deception|disappointed|disappointing|dissatisfied|mecontent|mecontente|choquee?s?|shocked|meprisant\w*|condescend\w*|la moindre des choses|the least you could do|c'est (quand meme|un peu|vraiment) fort|pour rien( du tout)?|for nothing)\b/,
    2,
  ),
  p(
    /\bpas (du tout )?(content|contente|satisfait|satisfaite|serieux|normal|acceptable|professionnel)\b|\bnot (happy|satisfied|ok|okay|acceptable|good enough)\b|\bunhappy\b/,
    2,
  ),
  p(
    /\bn'importe quoi\b|\bvous vous moquez\b|\bse moque\b|\bon se moque\b|\bc'est du vol\b|\bdu vol\b|\barnaqueurs?\b|\bvoleurs?\b|\bincompetent/,
    2,
  ),
  p(
    /\b(penible|agac(ant|ee?s?|er|e)|enervant|enervee?|ca suffit|that's enough|enough is enough|insupportable|galere|abuse|abusez|lourd|saoule?|soule|a bout|cavalier|pas capable|n'est capable|incapables?|vous vous fichez|vous vous foutez|fichez de|foutez de|perds patience|perdre patience|trop c'est trop|je regrette|regrette d'avoir|vous faites quoi|annoying|frustrat(ed|ing)|irritating|infuriating|exasperat(ed|ing)|angry|furious|getting on my nerves|driving me (mad|crazy|nuts)|poor (customer )?service|pretty poor|when is (someone|anyone|somebody) going to|ne regle rien|ne resout rien|doesn't (solve|fix) anything|solves nothing|quand (est-ce que )?(quelqu'un|vous) (va|allez)|chacun me dit|on me dit (tout et son contraire|autre chose)|pas (du tout )?d'accord|pas (cela |ca )?correct|injuste|unfair|not fair|avec surprise|vous etes serieux|are you serious|serieusement|(fait|faire) perdre (assez de |mon |du )?temps|waste[ds]? (my|enough) time|wasting my time|lousy|shambles|unbelievable|not good enough|i regret)\b/,
    1.5,
  ),
  p(/\b(merci pour rien|thanks for nothing|love paying|love it\b.*(again|twice))|\boh great\b|\bjust great\b/, 2),
  p(
    /\b(c'est quoi ce (delire|bordel|cirque|travail|service|binz)|what the (hell|heck|f\w*)|wtf|je (ne )?paye? pas pour (ca|rien)|(for|with) what i(?:'m)? pay(ing)?|vu (le prix|ce) que je (paie|paye)|pour le prix (que je paie|qu'on paie))\b/,
    1.5,
  ),
  // Insistence: the customer already asked, called or wrote about it ("c'est la deuxième fois que je demande").
  p(
    /\b((deuxieme|2e|second|2nd|troisieme|3e|third) (fois|time) (que je (le )?(demande|signale|relance|vous ecris|reclame)|(that )?i(?:'m| am| have|'ve) (asking|asked|written|reporting|reported|calling|called))|this is the (second|2nd|third|3rd) time|(\d+|deux|trois|des|plusieurs) (ans|mois|semaines) que je (vous )?(demande|reclame|attends|relance)|(years|months|weeks) (that )?i('ve| have) been asking|c'est seulement maintenant que|only now (do|that|you)|qu'on m'avait promis|que vous m'aviez promis|you promised me|c'est la (deuxieme|2e|troisieme|3e) (fois|erreur)|(j'ai )?deja (relance|reclame|signale|ecrit|appele|demande)\w* (\w+ ){0,3}(deux|2|trois|3|plusieurs) fois|already (asked|called|written|reported)\w* (\w+ ){0,3}(twice|two times|three times|several times))/,
    1.5,
  ),
  p(
    /\b(aucune reponse|sans (aucune )?reponse|personne ne (repond|rappelle|m'a rappele|fait rien|vient)|personne (n'est venu|fait rien)|nobody (has )?(bothered|answer|repl|call|came|seems)|no one (answer|repl|call)|no (answer|reply|response) (at all|from you)|pas (de|eu de) (reponse|retour|nouvelles))/,
    1.5,
  ),
  p(
    /\b(pas cool( du tout)?|not cool|(je trouve ca|c'est|c'est un peu|un peu) limite|ca commence bien|off to a great start|foutage de gueule|(se )?fout(re|ent|ez)? de (ma|notre|nos) gueule|who (authori[sz]ed|approved|allowed) (this|that)|qui (vous )?a autorise|reussi l'exploit|quel exploit|(vraiment|bravo|franchement),? chapeau|hats off|(trouve )?pas (ca|cela) (normal|correct|acceptable|juste)|degoutee?s?|plein le dos|la cata|c'est la catastrophe|annoyed|fed-up|this is how you treat|c'est comme ca que vous traitez|insult(ant|ing|e)?|rude|impoli|malpoli|desagreable|mal aimable|unpleasant|unfriendly|menti|lied|mensonge|raccroche au nez|hung up on me)\b/,
    2,
  ),
  p(
    /\b(porter plainte|je porte plainte|avocat|tribunal|mise en demeure|mets en demeure|ufc|que choisir|mediateur|lawyer|sue you|small claims|signaler a la cnil|dgccrf|c'est grave|association de consommateurs|consumer (association|group|rights)|trading standards|ofcom|ombudsman)\b/,
    1.5,
  ),
  p(/\b(so-called|soi-disant (reparation|solution|fix))\b|\bvotre soi-disant\b/, 1),
  p(/\bvraiment pas\b|\bc'est pas normal\b|\bpas normal du tout\b|\bit's not normal\b/, 1),
  p(/\bmalgre (vos|mes|les) (promesses|appels|relances|courriers|messages|demandes)\b|\bdespite (your|my) (promises|calls|emails)\b/, 1.5),
  p(/\bseriously\?+|\bvous etes ou\b|\bwhere are you\b/, 1),
  p(/[😡🤬😠😤🙄😒👎💩😑🙃]/u, 2),
  p(
    /\b((3e|4e|5e|troisieme|quatrieme|cinquieme|third|fourth|fifth) (fois|time) (que j'|i'm|i am|que je)|(this is|c'est) (the|la) (3e|4e|5e|troisieme|quatrieme|cinquieme|third|fourth|fifth) (fois|time))/,
    1.5,
  ),
];

/** Praise words that, next to a problem word, signal sarcasm rather than praise. */
export const SARCASM_PRAISE =
  /\b(bravo|genial|super|merci|top|au top|great|brilliant|love|fantastic|perfect|wonderful|amazing|thanks|great job|well done|nice one)\b|[👏🙃]/u;

export const POSITIVE: WeightedPattern[] = [
  p(
    /\b(merci (beaucoup|infiniment|mille fois|bien|enormement)|mille mercis|un grand merci|thank you (so|very) much|thanks (a lot|so much)|many thanks|much appreciated|je tenais a (vous )?remercier|voulais (juste )?(vous )?(dire )?merci|(pour|juste) (vous )?dire merci|juste (un petit mot )?(pour )?(vous )?dire merci|thank(s)? (to )?[a-z]+ for)\b/,
    1.5,
  ),
  p(
    /\b(trop bien|trop cool|j'adore|adore|super|genial|geniale|excellent|excellente|parfait|parfaitement|nickel|impeccable|top|au top|formidable|efficace|rapide|sympa|adorable|gentil(le)?s?|aimable|serviable|(tres|super|vraiment) professionnel(le)?s?|ravie?s?|enchantee?|satisfaite?s?|contente?s?|heureu(x|se|ses)|bravo|felicitations|rien a redire|great|amazing|awesome|brilliant|fantastic|excellent|perfect|perfectly|wonderful|love|loving|happy|pleased|delighted|well done|impressed|not bad at all|way (faster|better)|spot on)\b/,
    1,
  ),
  // 🙏 is not among them: it says "please" as often as "thank you", the words around it decide.
  p(/[😊😍🥰👍💪🙌😃😄❤♥👌🤩]/u, 1),
];

/** Courtesy formulas that never count as praise. */
export const COURTESY =
  /\b(merci d'avance|merci par avance|d'avance merci|merci de (votre|bien vouloir|me|m'|mettre|resilier|corriger|regarder|verifier|traiter|rembourser|retirer|la|le|les)|cordialement|bien a vous|bonne (journee|soiree)|thanks in advance|kind regards|best regards|regards|many thanks in advance|merci pour votre retour)\b/g;

/** The problem has been solved in the conversation. */
export const RESOLVED =
  /\b(ca (re)?marche|ca fonctionne|tout (re)?marche|tout (re)?fonctionne|remarche|refonctionne|c'est (bon|regle|resolu|repare)|(is )?(working|works|fixed|sorted|resolved|solved)( (again|now|perfectly))?|(faster|better) now|bien recu)\b/;

/** Phrases that look negative but are not (negation of a negative). */
export const NOT_NEGATIVE =
  /\b(pas (de|d'autre) (souci|probleme)|pas grave|pas urgent|no problem|no worries|not (a )?problem|rien a redire|not bad at all|no rush|sans souci|(jamais|jamais eu|never had) (de |d'|a |any )?(souci|probleme|panne|issue|problem)s?|aucun (souci|probleme) (jusqu'ici|jusqu'a present|depuis))\b/g;

/** Problem vocabulary, used to spot sarcasm ("bravo, encore une coupure"). */
export const PROBLEM_WORDS =
  /\b(coupure|coupe|panne|plante|rame|lent|bug|marche (pas|plus)|fonctionne (pas|plus)|down|outage|works one day|drop|charged|debite|preleve|hors forfait|facture|bill|wrong|faux|fausse|erreur|mistake|hausse|reseau|internet|box)\b/;

// ---------- resiliation ----------

export const CANCEL_INTENT: WeightedPattern[] = [
  p(
    /\b(resilie\w*|resiliation|cancel\w*|terminate|termination|close my (\w+ )?(line|account|contract|subscription)|if i close|clotur\w*|arret(er|e) (mon|ma|sa|son|la|le) (\w+ ){0,2}(abonnement|contrat|forfait|ligne|box)|fermer (sa|ma|la|son|le) (ligne|box|contrat|abonnement)|j'arrete mon|(voudrais|veux|souhaite|souhaiterais|faut) l'arreter|(est |etait )?decedee?|passed away)\b/,
    3,
  ),
  p(/\b(rio|code rio|porting code|pac code|portabilite sortante|preavis|notice period)\b/, 3),
  p(
    /\b(if i leave|new provider|nouveau fournisseur|autre fournisseur|another (supplier|operator)|mettre fin (a|au)|end my (contract|subscription)|switch\w* (provider|network|operator|to another)|another (provider|network)|autre operateur|concurrence|concurrent|changer d'operateur|partir chez|je pars chez|leave (you|your)|want to leave|i'd like to leave|quitter votre|vous quitter)\b/,
    3,
  ),
  p(/\b(je ne veux plus (de )?(ma|mon|votre)|don't need it anymore|n'en ai plus besoin|i'm done)\b/, 2),
];

/** "je ne veux pas résilier", "sinon je pars", "fix it or I leave": not a cancel intent. */
export const CANCEL_NEGATED =
  /\b(ne veux pas (resilier|partir)|veux pas (resilier|partir)|pas (resilier|partir)|don't want to (cancel|leave)|not (cancel|leave)|without cancell?ing|sans resilier|(n'ai |ai )?jamais (resilie|demande (la|de) resili\w*)|n'ai pas resilie|never (cancelled|canceled|asked to cancel)|(didn't|did not|haven't|have not) cancell?ed)\b/;
/** Cancelling something that is not a contract (an order, an appointment, one's own calls): not a cancel intent. */
export const CANCEL_NOT_CONTRACT =
  /\b(cancel\w*|annul\w*) (\w+ ){0,3}(order|orders|commande|appointment|rendez-vous|rdv|visit|visite|intervention|call|calls|appels?|meetings?|reunions?|booking|reservation|payment|paiement|transfer|virement|request|engineer|technician|technicien)\b/g;
/** Hypotheses, not decisions: "si un jour je résilie", "if I ever cancel". */
export const CANCEL_HYPOTHESIS = /\b(si (un jour |jamais |par hasard |demain )?(je|j'|on) ?\w+|if i (ever |were to |decide to )?\w+)\b/g;
export const CANCEL_CONDITIONAL =
  /\b(sinon|otherwise|or (else )?i('ll)? (leave|cancel|switch)|or (else )?i('m| am) (leaving|going|switching|cancell?ing)|si (ce n'est pas|c'est pas|rien|vous ne|pas)[^.!?]{0,60}(resilie|pars|quitte)|if (you don't|not|nothing)[^.!?]{0,60}(cancel|leave|switch))\b/;
/** Cancellation already done, now a billing dispute. */
export const CANCELLED_BUT_CHARGED =
  /\b(j'ai (deja )?resilie|after cancell?ing|i cancelled|already cancelled|abonnement resilie|contrat resilie|after i cancelled|resilie en \w+)\b[^]{0,160}\b(prelev\w*|debit\w*|factur\w*|charg\w*|fees?|frais|rembours\w*|refund)|\b(m'avez|you('ve| have)|on m'a|charged me|billed me)( \w+)? (facture|preleve|debite|charged|billed)[^.]{0,40}(frais de resiliation|termination fees?|cancellation fees?)|\b(prelev\w*|debit\w*|factur\w*|charged)\b[^]{0,80}\b(even though i cancelled|although i cancelled|after i cancelled|alors que j'ai resilie|apres avoir resilie)\b/;
/** Cancelling an option while keeping the service is a plan change. */
export const CANCEL_OPTION_ONLY =
  /\b(cancel|resilier|remove|retirer|enlever)\b[^.!?]{0,30}\boption\b[^]{0,60}\b(keep|garder|only|seulement|uniquement)/;
/** Questions about cancelling without a stated decision. */
export const CANCEL_QUESTION =
  /\b(combien (coute|ca coute|je dois|devrai)|frais|fees?|fee\b|preavis|notice|garder mon numero|keep (my|the) (\w+ )?(number|router|email|address)|if i leave|est-ce que je garde|if i cancel|if i close|si je (ferme|cloture)|what happens|que se passe-t-il|qu'est-ce qui se passe|si je resilie|si je pars|si j'arrete|comment (ca marche|faire|on fait) pour resilier|il faut envoyer|how (much|does)|what's the notice|pourquoi je dois payer|pas encore decide|je reflechis|combien de temps|how long)\b/;
export const CANCEL_DECISION =
  /\b(je (veux|voudrais|souhaite|vais) (resilier|arreter|partir|clotur)|merci de (resilier|clotur)|please (cancel|terminate|close)|i (want|would like|need|'d like) to (cancel|terminate|leave|close)|need to cancel|(?<!si )je resilie|i'm switching|switching to|je passe chez|je viens de souscrire chez|j'ai (deja )?un autre operateur|send me my|envoyer mon rio|envoyez-moi|send my|cancel (everything|my)|terminate (all|my)|je ne veux plus|demande la resiliation|demande de resiliation|j'ai demande la resiliation|want to leave|decide|mettre fin|je vais chez)\b/;

// ---------- urgency ----------

export const HIGH_URGENCY: WeightedPattern[] = [
  // total loss of the main service
  p(
    anyOf(
      /\b((plus|pas|aucun) (du tout )?(d')?acces (a|au) (internet|reseau|la tele|la tv)|no (internet )?access at all|impossible de regarder la (tele|tv|television)|can't watch (any )?tv|redemarre (en boucle|sans arret)|reboots? (constantly|non-stop|in a loop)|boot ?loop)\b|\b((?<!\b(avec|option|offre|forfait|besoin|avoir|veux|voudrais|souhaite|souhaiterais|aimerais|encore|un peu|beaucoup|bien|obtenir|donne|ajouter) )plus (du tout |aucune? |de |d')?(internet|connexion|reseau|tele|tv|telephone|tel|television|tonalite|data)|plus rien ne (marche|fonctionne)|n'ai plus rien|plus aucun appel|(plus|pas|n'ai|ai|avons|a) (\w+ ){0,3}ni appel ni (sms|data)|ni (telephone|internet|tel)( fixe)? ni|ne capte plus rien|ne s'allum(e|ait) plus|ecran noir sur toutes|(ligne|line) (est )?(suspendue|coupee|suspended)|(ligne|line)( \w+){0,2} (est |is |a ete |has been |was |got )?(suspendue|suspended|cut off|coupee|disconnected|deconnectee)|suspendu ma ligne|coupe (ma|la) ligne|toujours pas (de|d') (internet|tele|tv|reseau)|pas d'internet (du tout|depuis)|no (internet|signal|service|dial tone|network)( at all)?|internet (is )?(completely |totally )?down|(completely|totally) down|no picture at all|can't call (or text )?anyone|lines? (have been |are )?dead|still no internet|no internet at all|encore coupe ce soir|plus aucune? lignes?|(je suis|on est|nous sommes|toujours|encore|depuis [^.!?]{1,25}|jours?|heures?|semaines?|cabinet|bureau|boutique|magasin|commerce|entreprise|maison|foyer|office|shop|home|\w+ d'avocats) sans (internet|tele|tv|telephone|television|reseau|connexion|ligne)|sans (internet|tele|tv|telephone|television|reseau|connexion|ligne) depuis|plus aucun (service|reseau|signal)|(completement|totalement) (coupee?|hs|morte?|down)|(completely|totally) (off|gone|dead|out|down)|(n'a|n'ai|n'avons) plus de (ligne|telephone|internet|reseau|tele|tv)|(line|landline|phone|internet|connection)('s| is| has| est)( been)?( completely| totally)? (dead|morte?)|(internet|connection|line|wifi|broadband|it)('s| is| has been| has gone| went|'s been) (completely |totally )?down|(tv|tele|television|box|landline|network|reseau|fibre|fiber|mobile|phone line) (is |has been |went |has gone |'s )?(completely |totally )?down\b(?! to)|(ligne|line)( \w+){0,4} (est )?coupee|aucune (connexion|chaine|tonalite)|toujours aucune|(toujours )?pas (de|d') ?(reseau|internet|tele|tv|connexion|tonalite)|no (phone )?line at all|no (phone|tv|network) (line )?at all|(completely|totally) (gone|dead|out)|internet'?s? (is )?(completely |totally )?gone|hors service|\bhs\b|plus rien du tout|ne capte (plus|rien|pas du tout)(?! (bien|tres|tout|dans|a l'|au|en))|(box|internet|wifi|fibre|connexion|decodeur|tele|tv) (ne )?(marche|fonctionne) plus(?! (bien|tres|correctement|comme))|(aucun|zero|0) (reseau|signal|network|barre)|rien ne passe|nothing (works|gets through|comes through)|totalement interrompue?|(completely|totally) (interrupted|cut off)|aucun appareil (ne )?(parvient|arrive|peut)|no device can|(ligne|internet|box|telephone|tel|reseau|connexion|tele|tv|wifi|fixe)\b[^.!?]{0,40}\b(ne )?(marche|fonctionne)n?t? plus du tout|no (tv|television|phone|mobile) (signal|service|reception)( at all)?|all (our|the|my) (phone )?lines (went|are|have gone|have been|have) (down|dead|out)|(phone )?lines went down)\b/,
      /\b(plus du tout (de |d')(internet|connexion|reseau|tele|tv|telephone|tonalite|data|wifi)|(ligne|fixe|telephone) (est )?muet(te)?|line is (dead|silent)|(box|modem|routeur|router|decodeur) (est )?(morte?|dead|hs)|(tous les )?voyants (sont )?eteints|(all the )?lights are (off|out)|(sos|urgence|emergency)( calls?)? (only|uniquement|seulement)|only (sos|emergency calls)|impossible de (passer|recevoir|joindre) (le moindre|aucun|un seul) appel|(can't|cannot|unable to) (make|receive|send) (or (make|receive|send) )?(any )?(calls?|texts?|sms) (or|and|nor) (make |receive |send )?(any )?(calls?|texts?|sms)|(can't|cannot|unable to) make or receive (any )?calls?|no (broadband|wifi|fibre|fiber|phone|tv|television|mobile data) (at all|since|for)|(had|have|has|got) no (internet|broadband|wifi|signal|network|service|tv|phone line|landline|line|phone) (at all|since|for|all day)|(been |is |are |went |gone )?offline (all|since|for|depuis)|hors ligne depuis|s'allum(e|ait) plus)\b/,
    ),
    3,
  ),
  // business impact
  p(
    anyOf(
      /\b((mon|ma|notre|nos|le|la|au|our|my|the|a)( small| petit| petite)? (magasin|commerce|boutique|restaurant|restaurant's|boulangerie|cabinet|bureau|office|practice|shop|entreprise|societe|business|agence( immobiliere)?|surgery|clinic|clinique|pharmacie|garage|salon de coiffure|hair salon)|clients? ne peuvent (pas|plus)|clientes? ne peuvent (pas|plus)|can't take payments|vital|urgence vitale|medical alarm|alarme medicale|teleassistance|assistance respiratoire|life-threatening|(?<!\b(been|be|am|is|are|was|very|so|too|et|suis|reste|etre|ete|rester|patiente?|tres|trop|assez) )patients?(?! (avec|with))|patient records|medecin|docteur|\bgp\b|on ne peut plus (envoyer|travailler|encaisser|servir|prendre|recevoir)|we can't (access|work|serve|take|open)|nos clients|our customers|mes clients|my (clients|customers)|(je )?perds? (des|mes) (chantiers|clients|contrats|ventes|commandes)|losing (customers|clients|business|jobs|orders|sales)|need (my|the) (phone|line|internet|connection|mobile) for (work|my (job|business|work))|(i )?run my (\w+ )?business|je suis (artisan|plombier|electricien|commer[cs]ant\w*|infirmi\w+|kine\w*|auto-?entrepreneu\w+)|i'm a (plumber|electrician|tradesman|builder|nurse)|entretien d'embauche|job interview|clients ne peuvent|servir mes clients|perd des clients|encaisser|terminal de paiement|personne (ne )?peut (plus )?travailler|(je )?(ne )?(peux|peut|pouvons) (plus|pas) travailler|clients? qui (m')?attend\w*|customers (are )?waiting|je suis a mon compte|independant\w*|freelance\w*|self-employed|can't work|cannot work|people can't work|infirmiere|work from home|teletravail|officine|pharmacien\w*|call cent(re|er)|(agents|employees|staff|salaries|employes|collegues|colleagues) (can't|cannot|ne peuvent (pas|plus))|(for|pour) (my|our|mon|notre|ma) (company|entreprise|societe|boutique)|(peuvent|pouvons) (pas|plus) nous joindre|can't reach us)\b/,
      /\b((nobody|no one|none of us|personne) (here )?(can|ne peut) (work|travailler|do anything|rien faire)|(my|our|mon|notre|ma) (b&b|bnb|gite|hotel|chambres d'hotes|guest ?house|camping)|(guests|clients|customers|patients) (have|had|ont|n'ont) (no|plus|pas)|dossiers? (des )?patients|patient (files|records))\b/,
    ),
    1.5,
  ),
  // deadline within 24h
  p(
    /\b(avant ce soir|ce soir minuit|(?<!\b(still|encore|toujours|even|meme|actif|active|jusqu'a|as of|up to|until) (\w+ )?)(aujourd'hui|today)(?! encore)|tonight|demain|tomorrow|in an hour|dans une heure|dans \d+ ?(h|heures?|min(utes)?)|in (\d+|two|three|an?) hours?|cet apres-midi|this afternoon|deadlines? today|examen|exam)\b/,
    1.5,
  ),
  // legal threat
  p(
    anyOf(
      /\b(avocat|tribunal|mise en demeure|mets en demeure|porter plainte|porte plainte|(deposer|depose|deposerai) (une )?plainte|plainte (contre|aupres|au commissariat|a la police|penale)|ufc|que choisir|mediateur|cnil|dgccrf|lawyer|court|sue|small claims|ombudsman)\b/,
      /\b(en justice|devant (la justice|les tribunaux)|action (en justice|juridique)|poursuites judiciaires|legal action|take (you|this|it) to court|solicitor|attorney|association de consommateurs|consumer (association|group|rights)|trading standards|ofcom|arcep|signal ?conso)\b/,
    ),
    3,
  ),
  // security / fraud
  p(
    anyOf(
      /\b(pirat\w*|hack\w*|ne (le )?reconnais pas|reconnais pas|don't recognise|don't recognize|not even a customer|pas client|suis meme pas client|jamais souscrit (chez|a|aupres de) vous|jamais souscrit (de|aucun) (contrat|abonnement)|n'ai jamais ete (client|abonne)|never (signed up|subscribed) (with|to) you|never (signed|subscribed) (anything|any contract)|fraud\w*|usurpation|faux (technicien|conseiller)|soi-disant (technicien|de chez vous)|fake technician|vole mon telephone|stolen|(on m'a |on a |m'a )?vole (mon|le|ma|son|sa) (portable|telephone|mobile|tel|iphone|smartphone|carte sim)|(portable|telephone|mobile|iphone|smartphone) (\w+ ){0,2}(a ete |s'est fait )?vole|commande (de telephone )?(sur mon compte )?que je n'ai pas passee|ordered .* in my name|fuite|d'un autre client|data leak|donne mes codes|donne ma carte|connais pas du tout|bloquez (le|mon) compte|lock (the|my) account|i did not do this|wasn't me|didn't make|did not make|n'ai rien commande|didn't order anything|never ordered (this|that|anything)|i didn't do (it|this|that)|i did not do (it|this|that)|ce n'etait pas moi|pas autorises?|non autorises?|unauthori[sz]ed|swapped|didn't authori[sz]e|not authori[sz]ed|je n'ai pas (fait|effectue|autorise)|changed my (bank|password)|peur qu'on ait acces|jamais ete client|never been (a |your )?customer|(i'm|i am) not (a |your )customer|(i'm|i am) not one of your customers|never ordered any\w*|(password|mot de passe) (was |has been |a ete )?(changed|change|modifie) (without|sans|by someone|par quelqu'un)|the password was changed|(someone|quelqu'un) (a )?(ordered|commande) [^.!?]{0,40}(on|sur) (my|mon) (\w+ )?(account|compte)|je ne suis pas (votre )?client|reconnais (absolument |vraiment |pas du tout )?pas|quelqu'un (s'est connecte|a change|a modifie|a eu acces)|someone (logged in|changed|accessed)|a change mon (rib|iban|mot de passe)|never seen (that|this|it|them|these)( \w+)? before|jamais vu (ce|cet|cette|ces) (prelevement|debit|paiement)\w*)\b|(ce n'est|c'est) pas moi\b(?! qui)/,
      /\b(never authori[sz]ed|(n'ai )?jamais autorise|(prelevement|debit|paiement|charge|payment|transaction)s? [^.!?]{0,25}\b(inconnue?s?|unknown|que je ne connais pas)|(unknown|unrecognised|unrecognized) (debit|charge|payment|transaction)s?|(using|used|utilise|a utilise) (my|mon) (identity|identite|name|nom)|identity theft|vol d'identite|(tape|saisi|entre|donne|communique)e? (mes|mon|ma) (coordonnees bancaires|code|codes|numero de carte|carte|identifiants)|(entered|typed|gave|shared) (in )?my (card|bank|banking|login) (details|number|code))\b/,
    ),
    3,
  ),
  // repeated contacts without answer or result
  p(
    anyOf(
      /\b((3e|troisieme|4e|quatrieme|5e|cinquieme|third|fourth|fifth) (fois que j'appelle|relance|demande|message|email|mail|time i'm|time i am|appel|report|signalement|ticket|complaint|reclamation|contact)|(pour la|for the) (3e|troisieme|4e|quatrieme|third|fourth) fois (que j'|pour le meme|i'm|que je)|j'appelle pour la (3e|troisieme|4e|quatrieme)|(fois|time) (que j'appelle|i('m| am) (contacting|calling|writing))|fois que j'appelle|deja appele (deux|2|trois|3) fois|called (you )?(two|three|four|2|3|4) times|j'ai appele \w+, j'ai appele|(\d|deux|trois|quatre) demandes|sans (aucune )?reponse|personne ne (repond|rappelle)|personne ne m'a rappele|no (answer|reply) at all|nobody has bothered|ecrit le \d+ et le \d+|courriers des \d+ et \d+|malgre mes (courriers|relances|appels)|(appele|called|contacted|ecrit|written|wrote|relance)\w* (\w+ ){0,3}(\d+|deux|trois|quatre|plusieurs|twice|three|four|several) (fois|times)|(contacted|called|phoned|wrote|written|appele|relance)\w* (\w+ ){0,4}twice|(contacted|called) you twice|tous les jours depuis|every day since|(deux|trois|2|3|two|three) (courriers|mails|emails|messages|appels|calls|relances) (restes )?sans reponse|(toujours )?aucune reponse|(2|3|4|5|deux|trois|quatre|cinq|two|three|four|five|plusieurs|several) (messages|appels|mails|emails|calls|relances|courriers|conseillers( differents)?|different (agents|advisors)|agents)\b(?! manques)|jamais de reponse|(2e|deuxieme|second|2nd|nouvelle|n-ieme|another) (relance|reminder)|relance (n ?)?\d|reste sans (la moindre |aucune )?reponse|(msg|message|mail|email|e-mail) (\w+ )?(no|sans) (answer|reply|reponse)|(still )?no (answer|reply|response) to my (previous |last |earlier )?(message|email|mail|msg)|never (got|received) (a|any) (reply|answer|response)|je vous ecris (ici )?(depuis|sans))\b/,
      /\b((phoned|rang|ai telephone|ecrit|emailed|messaged|sent)\w* (\w+ ){0,3}(\d+|deux|trois|quatre|plusieurs|twice|three|four|five|several) (fois|times)|never heard back|no reply (yet|since)|(jamais|toujours pas) eu de (retour|reponse)|toujours aucune nouvelle de votre part|never got back to me|(nobody|no one) (has )?(got|gets|ever got) back|personne ne m'a (jamais )?(repondu|rappele|recontacte))\b/,
    ),
    3,
  ),
];

export const MEDIUM_URGENCY: WeightedPattern[] = [
  p(
    /\b(coup(e|ure|ures|ait)|panne|plant(e|ent)|crash\w*|bug\w*|freez\w*|redemarre|rame|lente?s?|slow|instable|drop(s|ped|ping|out)?(?! off)|decroche|deconnex\w*|disconnect\w*|sos|bruit|sifflement|no sound|pas de signal|erreur|error)\b/,
    2,
  ),
  p(
    /\b(marche (pas|plus)|fonctionne (pas|plus)|works one day|won't|not working|doesn't work|stopped|ne (re)?recois plus|can't (send|receive|log)|n'arrive (pas|plus) a(?! trouver)|refuse|ne trouve plus|ne vois plus|ne peux plus)\b/,
    2,
  ),
  p(
    /\b(deux fois|2 fois|twice|double|en double|au lieu de \d+|instead of (£|€)?\d+|au lieu d'une?|instead of one|pas arrive|n'est pas arrive|not arrived|hasn't (changed|arrived)|toujours (rien|pas)|still (no|not|hasn't)|missing|manquante?|wasn't in|n'etait pas|wrong (colour|color|item)|pas (recu|livre)|rien recu|jamais (recu|demande\w*)|never (received|asked|ordered)|que je n'ai (jamais|pas) (demande|passe)\w*|aucune confirmation)\b/,
    2,
  ),
  p(
    /\b(rembours\w*|refund\w*|corrig\w*|rectifi\w*|retir\w*|annuler ces frais|remove it|dedommagement|geste commercial|credit on)\b|\b(un|l'|cet|d'un|votre|mon) ?avoir\b/,
    2,
  ),
  p(
    /\b(no longer (work|receiv|send|load|connect|open|function|show|ring)\w*|(rien n'est|n'est (toujours )?pas|not|still not|isn't|is not) (encore |yet )?(actif|active|activee?|activated)|(line|ligne|subscription|abonnement|contrat|contract) (is )?(still|toujours|encore) (active|actif|running|en cours)|still (being )?(active|running))\b/,
    2,
  ),
  p(
    /\b(?<!\bpas )((ne |n')?(peux|peut|pouvons|pouvez) (plus|pas) (recevoir|passer|appeler|envoyer|joindre|me connecter|nous connecter|acceder|utiliser)|(can't|cannot|unable to) (receive|make|send|get|connect|access|use)|(calls?|appels?) (go|goes|vont|tombent|tombe) (straight|direct\w*))\b/,
    2,
  ),
  p(/\b(indemnis\w*|prise en charge|explication|apology|excuses|plainte|complain\w*|volee?|stolen)\b/, 1.5),
  p(/\b(verifier|check|regarder|look into)\b/, 0.5),
  p(
    /\b(pixelis\w*|gresill\w*|son decale|bloquee?|stuck|ne (se )?connecte (pas|plus)|won't (connect|pair|work|load|open)|doesn't (pair|connect|load)|ne s'appaire|deconnecte|cuts? (out|after|off)|coupe (au bout|apres)|cracked|casse|remplacer|replacement|echanger|exchange|marque livre|marked (as )?delivered|jamais eu|never got|not (been )?applied|pas (ete )?appliquee?|pas venu|jamais venu|personne n'est venu|nobody (came|showed up)|(commande|ordered)\w*\b[^.!?]{0,40}\b(et|mais|but)( j'ai| i)? (recu|received|got) (le|la|les|un|une|l'|the|a)\b|didn't (come|show up)|never (showed|turned) up|no-show|no sim|appels d'urgence|emergency calls only|code puk|erreur \d+|error \d+|pas le (bon )?modele|not the (right )?model|annule ma commande|cancelled my order|rate le (rdv|rendez-vous)|missed (the|my) appointment|nobody called|personne n'a rappele|callback)\b/,
    2,
  ),
  p(
    /\b(degats?|dommages?|damage\w*|abime|dedommage\w*|raye|rayure|scratch\w*|plaindre|insult\w*|rude|menti|lied|sans prevenir|without (notice|warning)|fausse|erronee?|incorrect|wrong)\b/,
    1.5,
  ),
  p(
    /\b(alors que|even though|although|for not returning|j'ai la preuve|i have the (tracking|proof|receipt)|n'ai plus (la|le|les|de|d'|mes)|une fois sur deux|par moments|de temps en temps|on and off|plusieurs fois|several times|perdu la connexion|lost (the )?connection|capte mal|\d barres?|une barre|\d+ ?mbps|j'attends (mon|ma|le|la|mes|toujours)|been waiting|waiting for (my|the)|where is (the|my) [^?]{0,40}(ordered|order)|que j'attends|still being (capped|charged|billed|limited|throttled)|toujours (bride|limite|plafonne)e?|sans (le|la|les) \w+( \w+)? (prevue?s?|commandee?s?|inclus\w*))\b/,
    2,
  ),
];

/** The HIGH_URGENCY groups by name, in the order of the array above. */
export const [OUTAGE, BUSINESS, DEADLINE, LEGAL, SECURITY, REPEATED] = HIGH_URGENCY;

export const LOW_URGENCY_HINTS =
  /\b(pas urgent|no rush|not urgent|c'est pas urgent|quand vous (pouvez|aurez)|when you (can|get a chance)|(c'est |ce n'est )?pas (tres |bien |si )?grave|rien de grave|not a big deal|no big deal|nothing serious|not serious|pas presse|no hurry|in no hurry|rien d'urgent|nothing urgent|pas d'urgence|no urgency|ca peut attendre|it can wait)\b/;

// ---------- helpers ----------

/** Sum of the weights of the patterns that match. */
export function score(patterns: WeightedPattern[], text: string): number {
  return patterns.reduce((sum, pt) => (pt.re.test(text) ? sum + pt.w : sum), 0);
}

export function matchesAny(patterns: WeightedPattern[], text: string): boolean {
  return patterns.some((pt) => pt.re.test(text));
}

export function firstPosition(patterns: WeightedPattern[], text: string): number {
  let first = Infinity;
  for (const pt of patterns) {
    const m = pt.re.exec(text);
    if (m && m.index < first) first = m.index;
  }
  return first;
}
