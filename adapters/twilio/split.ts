// Long text → parts Twilio accepts. Pure.

/**
 * Split `text` into parts of at most `maxChars` characters (code points, so an emoji is never cut),
 * breaking at the last whitespace before the limit; a word longer than the limit is cut hard.
 */
export function splitText(text: string, maxChars: number): string[] {
  const chars = Array.from(text);
  if (chars.length <= maxChars) return [text];
  const parts: string[] = [];
  let start = 0;
  while (chars.length - start > maxChars) {
    let end = start + maxChars;
    let breakAt = -1;
    for (let i = end; i > start; i--) {
      if (/\s/.test(chars[i] ?? '')) {
        breakAt = i;
        break;
      }
    }
    if (breakAt > start) end = breakAt;
    const part = chars.slice(start, end).join('').trimEnd();
    if (part) parts.push(part);
    start = end;
    while (start < chars.length && /\s/.test(chars[start])) start++;
  }
  const last = chars.slice(start).join('').trim();
  if (last) parts.push(last);
  return parts;
}
