// Pure parts of urgent notifications: which tickets are urgent (NOTIFY_RULES), quiet hours (NOTIFY_QUIET_HOURS,
// "22:00-07:00@Europe/Paris", timezone-aware through Intl), and the digest window.
import type { Analytics } from '../domain/types.js';

/** One rule = every condition must hold, e.g. `category=resiliation+sentiment=negatif`. Rules are alternatives. */
export type NotifyRule = Array<{ field: 'urgency' | 'category' | 'sentiment'; value: string }>;

const FIELDS = ['urgency', 'category', 'sentiment'] as const;

/** `urgency=haute,category=resiliation+sentiment=negatif` → rules; throws with the reason on a bad one. */
export function parseNotifyRules(text: string): NotifyRule[] {
  return text
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean)
    .map((rule) =>
      rule.split('+').map((condition) => {
        const [field, value] = condition.split('=').map((p) => p?.trim());
        if (!(FIELDS as readonly string[]).includes(field) || !value)
          throw new Error(`"${condition}" is not field=value with field urgency, category or sentiment`);
        return { field: field as NotifyRule[number]['field'], value };
      }),
    );
}

export function isUrgent(analytics: Analytics | null, rules: readonly NotifyRule[]): boolean {
  if (!analytics) return false;
  return rules.some((rule) => rule.every((c) => analytics[c.field] === c.value));
}

export interface QuietHours {
  /** Minutes after local midnight. */
  start: number;
  end: number;
  timeZone: string;
  text: string;
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** `22:00-07:00@Europe/Paris`; throws with the reason when malformed or the time zone is unknown. */
export function parseQuietHours(text: string): QuietHours {
  const match = /^(\d\d:\d\d)-(\d\d:\d\d)@(.+)$/.exec(text.trim());
  const start = match && HHMM.exec(match[1]);
  const end = match && HHMM.exec(match[2]);
  if (!match || !start || !end) throw new Error('must look like 22:00-07:00@Europe/Paris');
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: match[3] });
  } catch {
    throw new Error(`unknown time zone ${match[3]}`);
  }
  return {
    start: Number(start[1]) * 60 + Number(start[2]),
    end: Number(end[1]) * 60 + Number(end[2]),
    timeZone: match[3],
    text: text.trim(),
  };
}

/** Minutes after local midnight of `at` in `timeZone` (DST handled by Intl). */
export function localMinutes(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return get('hour') * 60 + get('minute');
}

/** Inside [start, end) local time; a window over midnight (22:00-07:00) wraps. */
export function inQuietHours(at: Date, quiet: QuietHours | null): boolean {
  if (!quiet || quiet.start === quiet.end) return false;
  const t = localMinutes(at, quiet.timeZone);
  return quiet.start < quiet.end ? t >= quiet.start && t < quiet.end : t >= quiet.start || t < quiet.end;
}
