// Phone/contact normalisation for Twilio addresses. Pure. Shared with the voice routes.
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

export interface NormalizedPhone {
  /** `+E164` for sms, `whatsapp:+E164` for WhatsApp. */
  address: string;
  channel: 'sms' | 'whatsapp';
}

const WHATSAPP_PREFIX = /^whatsapp:/i;

/** E.164 form of a phone number, or null when it is not a possible phone number. */
export function toE164(raw: string, defaultCountry?: CountryCode): string | null {
  const cleaned = raw.trim();
  if (!cleaned) return null;
  // Twilio sends E.164; `defaultCountry` only helps with national numbers typed by a person (`--from 06…`).
  const parsed = parsePhoneNumberFromString(cleaned, defaultCountry);
  // isPossible (length check) rather than isValid: Twilio test and 555 numbers are not "valid" but are real addresses.
  if (!parsed || !parsed.isPossible()) return null;
  return parsed.number;
}

/** `+33612345678` → sms; `whatsapp:+33612345678` → whatsapp (keeps the prefix). Null when not a phone number. */
export function normalizePhone(raw: string, defaultCountry?: CountryCode): NormalizedPhone | null {
  const trimmed = raw.trim();
  if (WHATSAPP_PREFIX.test(trimmed)) {
    const e164 = toE164(trimmed.replace(WHATSAPP_PREFIX, ''), defaultCountry);
    return e164 ? { address: `whatsapp:${e164}`, channel: 'whatsapp' } : null;
  }
  const e164 = toE164(trimmed, defaultCountry);
  return e164 ? { address: e164, channel: 'sms' } : null;
}

/** The bare E.164 number of an address (drops a `whatsapp:` prefix), or null. */
export function phoneOf(address: string): string | null {
  return toE164(address.replace(WHATSAPP_PREFIX, ''));
}
