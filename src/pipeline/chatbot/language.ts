// Customer language, French or English, from function words (French wins ties: the service is French first).
import { normalizeForMatching } from '../analytics/text.js';

export type Language = 'fr' | 'en';

const FRENCH =
  /\b(je|j'|le|la|les|de|des|du|un|une|est|et|pas|mon|ma|mes|vous|votre|vos|bonjour|bonsoir|salut|merci|pour|avec|sur|ne|c'est|s'il|oui|non|facture|plus|quand|quels?|quelles?|comment|pourquoi|ou|suis|ai|avez|voudrais|veux|resilier|horaires|conseiller|depuis|rien|toujours|ca|mais|aussi)\b/g;
const ENGLISH =
  /\b(i|i'm|i've|the|my|is|are|you|your|to|and|not|hi|hello|hey|thanks|thank|please|can|could|what|how|when|where|why|with|for|it|yes|no|bill|invoice|want|need|would|like|cancel|hours|open|agent|human|person|since|still|but|also|do|does|don't|have)\b/g;

/** Function words of each language found in the text. */
export function languageScores(text: string): Record<Language, number> {
  const norm = normalizeForMatching(text);
  return { fr: norm.match(FRENCH)?.length ?? 0, en: norm.match(ENGLISH)?.length ?? 0 };
}

export function detectLanguage(customerTexts: string[]): Language {
  // The latest turns speak loudest; older ones break ties.
  for (const text of [customerTexts.join(' '), ...customerTexts.slice().reverse()]) {
    const { fr, en } = languageScores(text);
    if (en > fr) return 'en';
    if (fr > en) return 'fr';
  }
  return 'fr';
}
