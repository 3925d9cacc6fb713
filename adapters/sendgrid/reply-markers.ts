// Where the customer's new text ends in a reply: quote headers, forwarded/original-message separators and Outlook
// header blocks in many languages, mobile footers, and a trailing sign-off block (closing formula + name, phone,
// email). Everything from there on goes to `full_text` only. Pure; lines in, the kept lines out.

/** A whole line (or two joined lines: clients wrap long headers) that introduces quoted history. */
const QUOTE_HEADERS: RegExp[] = [
  /^le\b.{3,160}\b(a\s+)?[ée]crit\s*:?$/i, // fr: Le lun. 3 mars 2025 à 10:12, X <x@y> a écrit :
  /^on\b.{3,200}\bwrote\s*:?$/i, // en: On Mon, Mar 3, 2025 at 10:12 AM X <x@y> wrote:
  /^am\b.{3,200}\bschrieb\b.{0,200}:$/i, // de: Am 03.03.2025 um 10:12 schrieb X <x@y>:
  /^.{3,200}\bschrieb\s+am\b.{3,100}:$/i, // de: X <x@y> schrieb am 03.03.2025 10:12:
  /^el\b.{3,200}\bescribi[óo]\s*:?$/i, // es: El lun, 3 mar 2025 a las 10:12, X (<x@y>) escribió:
  /^il\b.{3,200}\bha scritto\s*:?$/i, // it: Il giorno lun 3 mar 2025 alle ore 10:12 X <x@y> ha scritto:
  /^em\b.{3,200}\bescreveu\s*:?$/i, // pt: Em seg., 3 de mar. de 2025 às 10:12, X <x@y> escreveu:
  /^op\b.{3,200}\bschreef\b.{0,200}:$/i, // nl: Op ma 3 mrt 2025 om 10:12 schreef X <x@y>:
  /^.{3,200}\sнаписал(а|\(а\))?\s*:$/i, // ru: 3 марта 2025 г., в 10:12, X <x@y> написал(а):
  /^w dniu\b.{3,200}\bpisze\s*:?$/i, // pl: W dniu 3.03.2025 o 10:12, X <x@y> pisze:
  /^.{3,200}(写道|寫道)\s*[:：]$/, // zh: X <x@y> 于2025年3月3日周一 10:12写道：
  /^\d{4}年\d{1,2}月\d{1,2}日.{0,200}[:：]$/, // ja/zh: 2025年3月3日(月) 10:12 X <x@y>:
  /^.{3,200}(のメッセージ|さんは書きました|が書きました)\s*[:：]?$/, // ja
  /^-{2,}\s*(message d'origine|original message|forwarded message|message transf[ée]r[ée]|urspr[üu]ngliche nachricht|weitergeleitete nachricht|mensaje original|mensaje reenviado|messaggio originale|messaggio inoltrato|mensagem original|mensagem encaminhada|oorspronkelijk bericht|doorgestuurd bericht|исходное сообщение|пересылаемое сообщение|wiadomo[śs][ćc] oryginalna|przekazana wiadomo[śs][ćc]|原始邮件|原始郵件|元のメッセージ|転送されたメッセージ)\s*-{0,}$/i,
  /^_{10,}$/, // Outlook's rule above its header block
];

/** First line of an Outlook-style header block (`From:` then `Sent:`/`Date:` within the next lines), any language. */
const BLOCK_FROM = /^\*?(de|from|von|da|van|od|от|från|fra|lähettäjä|差出人|发件人|寄件者)\s*:\*?\s*\S/i;
const BLOCK_NEXT =
  /^\*?(envoy[ée]|sent|date|datum|gesendet|inviato|data|verzonden|enviado|fecha|wys[łl]ano|отправлено|дата|skickat|sendt|送信日時|发送时间|日期|à|to|an|a|aan|para|do|кому|objet|subject|betreff|oggetto|onderwerp|asunto|assunto|temat|тема|件名|主题)\s*:/i;

/** Footers a phone or mail app adds under the text. */
const MOBILE_FOOTER =
  /^(envoy[ée] (de|depuis) (mon|l'application|outlook|yahoo)|sent from (my|outlook|yahoo|mail for)|get outlook for|t[ée]l[ée]chargez outlook|von meinem .{1,40} gesendet|gesendet von|enviado (desde|do|de) (mi|meu|o|my)|inviato da|verzonden (vanaf|met) (mijn)?|отправлено (с|из)|wys[łl]ane z|iphoneから送信|(android|galaxy|スマートフォン)から送信|发自我的|從我的 ?iphone 傳送|sent with|envoy[ée] avec)\b/i;

/**
 * Closing formulas that open a sign-off block. Emphatic thanks ("merci beaucoup", "thank you so much") are not
 * among them: they are what the customer says, and the analytics read them.
 */
const CLOSING_FORMULA =
  /^(cordialement|bien cordialement|bien [àa] (vous|toi)|salutations( distingu[ée]es)?|sinc[èe]res salutations|merci( d'avance| par avance)?|bonne (journ[ée]e|soir[ée]e)|[àa] bient[ôo]t|best( regards| wishes)?|kind regards|warm regards|regards|thanks( in advance)?|thank you|cheers|sincerely|yours( sincerely| faithfully| truly)?|mit freundlichen gr[üu][ßs]en|freundliche gr[üu][ßs]e|viele gr[üu][ßs]e|beste gr[üu][ßs]e|liebe gr[üu][ßs]e|gr[üu][ßs]e|saludos( cordiales)?|un saludo|atentamente|cordiali saluti|distinti saluti|saluti|met vriendelijke groet(en)?|vriendelijke groet(en)?|groeten|atenciosamente|cumprimentos|с уважением|всего доброго|pozdrawiam|z powa[żz]aniem|よろしくお願いいたします|よろしくお願いします|此致)/iu;
/** After the formula: nothing but punctuation, or a name ("Cordialement, Jean Dupont"). */
const CLOSING_TAIL = /^[\s,.!]*$|^[\s,–-]+\p{Lu}[\p{L}.'-]*( \p{Lu}[\p{L}.'-]*){0,3}[\s.]*$/u;

function isClosing(line: string): boolean {
  const m = CLOSING_FORMULA.exec(line.trim());
  return m !== null && CLOSING_TAIL.test(line.trim().slice(m[0].length));
}

const CONTACT = /(\+?\d[\d .()-]{6,}\d|[^\s@]+@[^\s@]+\.[a-z]{2,}|https?:\/\/|www\.)/i;

/** A line a sign-off block is made of: a name, a title, a company, an address, a phone number, an email, a link. */
function looksLikeSignatureLine(line: string): boolean {
  const t = line.trim();
  if (t === '') return true;
  if (/\?\s*$/.test(t) || /^p\.?\s?s\b/i.test(t)) return false;
  return CONTACT.test(t) || (t.length <= 60 && t.split(/\s+/).length <= 8);
}

function isQuoteHeader(line: string): boolean {
  const t = line.trim();
  return t !== '' && QUOTE_HEADERS.some((re) => re.test(t));
}

/** Index of the first line that starts quoted history (after some new text), or -1. */
export function quoteStart(lines: string[]): number {
  for (let i = 1; i < lines.length; i++) {
    if (isQuoteHeader(lines[i]) || (i + 1 < lines.length && isQuoteHeader(`${lines[i].trim()} ${lines[i + 1].trim()}`))) return i;
    if (BLOCK_FROM.test(lines[i].trim()) && lines.slice(i + 1, i + 5).some((l) => BLOCK_NEXT.test(l.trim()))) return i;
  }
  return -1;
}

/** Index of a mobile footer line (after some new text), or -1. */
export function mobileFooterStart(lines: string[]): number {
  for (let i = 1; i < lines.length; i++) if (MOBILE_FOOTER.test(lines[i].trim())) return i;
  return -1;
}

/**
 * Index of a trailing sign-off: a closing formula followed by a short block of signature lines (at most 8, none a
 * question), with new text above it. -1 when there is none.
 */
export function signOffStart(lines: string[]): number {
  let last = lines.length - 1;
  while (last >= 0 && lines[last].trim() === '') last--;
  for (let i = Math.max(1, last - 8); i <= last; i++) {
    if (!isClosing(lines[i])) continue;
    if (!lines.slice(0, i).some((l) => l.trim() !== '')) return -1;
    const block = lines.slice(i + 1, last + 1);
    // A bare formula at the very end stays (it may be all the warmth there is); with a signature under it, it goes.
    if (block.some((l) => l.trim() !== '') && block.every(looksLikeSignatureLine)) return i;
  }
  return -1;
}

/** The customer's own lines: everything before the first quote header, footer or sign-off. */
export function cutReplyLines(lines: string[]): string[] {
  let kept = lines;
  for (const find of [quoteStart, mobileFooterStart, signOffStart]) {
    const at = find(kept);
    if (at > 0) kept = kept.slice(0, at);
  }
  return kept;
}
