// Twilio resource ids in a webhook, checked against Twilio's format before anything is stored. Pure.
//
// Why: the signature covers keys and values concatenated without separators, so a captured request can be replayed with
// a shifted boundary (`MessageSid=<sid>NumMedia0` and no `NumMedia`) and still verify. The shifted value is no longer a
// SID, and every id we deduplicate on (or look a message up by) must be one.
import type { WebhookRequest } from '../../src/domain/channel.js';
import { ValidationError } from '../../src/errors.js';
import { nonEmptyParam, param, type TwilioParams } from './parse.js';
import { twilioParams } from './verify.js';

/** Twilio SIDs: a two-letter type prefix and 32 hex digits (34 characters). */
const sid = (...prefixes: string[]) => new RegExp(`^(?:${prefixes.join('|')})[0-9a-fA-F]{32}$`);

export const MESSAGE_SID = sid('SM', 'MM');
export const CALL_SID = sid('CA');
export const RECORDING_SID = sid('RE');
export const TRANSCRIPTION_SID = sid('TR');
export const ACCOUNT_SID = sid('AC');
export const MESSAGING_SERVICE_SID = sid('MG');

/** Every id parameter we read from a Twilio webhook (dedup keys, lookups, our own account) and its format. */
const ID_PARAMS: ReadonlyArray<readonly [string, RegExp]> = [
  ['MessageSid', MESSAGE_SID],
  ['SmsMessageSid', MESSAGE_SID],
  ['SmsSid', MESSAGE_SID],
  ['OriginalRepliedMessageSid', MESSAGE_SID],
  ['CallSid', CALL_SID],
  ['ParentCallSid', CALL_SID],
  ['RecordingSid', RECORDING_SID],
  ['TranscriptionSid', TRANSCRIPTION_SID],
  ['AccountSid', ACCOUNT_SID],
  ['MessagingServiceSid', MESSAGING_SERVICE_SID],
];

/** The three names Twilio gives the same message id (SmsSid and SmsMessageSid are deprecated copies of MessageSid). */
const MESSAGE_ID_ALIASES = ['MessageSid', 'SmsMessageSid', 'SmsSid'];

export type IdCheck = { ok: true } | { ok: false; code: 'invalid_twilio_id' | 'wrong_twilio_account'; message: string };

/**
 * Whether the ids of a webhook are Twilio's: each id parameter present has its SID format (sent twice = refused), the
 * message id aliases agree, and `AccountSid` is ours when TWILIO_ACCOUNT_SID is configured.
 */
export function checkTwilioIds(params: TwilioParams, ourAccountSid: string | undefined): IdCheck {
  for (const [name, format] of ID_PARAMS) {
    const value = params[name];
    if (value === undefined || value === '') continue;
    if (Array.isArray(value)) return { ok: false, code: 'invalid_twilio_id', message: `${name} is sent more than once.` };
    if (!format.test(value)) {
      return { ok: false, code: 'invalid_twilio_id', message: `${name} is not a Twilio id (${JSON.stringify(value.slice(0, 64))}).` };
    }
  }
  const messageIds = new Set(MESSAGE_ID_ALIASES.map((name) => nonEmptyParam(params, name)).filter((v) => v !== undefined));
  if (messageIds.size > 1) return { ok: false, code: 'invalid_twilio_id', message: 'MessageSid, SmsMessageSid and SmsSid disagree.' };
  if (ourAccountSid && param(params, 'AccountSid') !== ourAccountSid) {
    return { ok: false, code: 'wrong_twilio_account', message: 'AccountSid is not the account this server is configured for.' };
  }
  return { ok: true };
}

/** Throws the 400 the core answers (`{"error":{code,message}}`) when the ids are not Twilio's; nothing is stored then. */
export function requireTwilioIds(params: TwilioParams, ourAccountSid: string | undefined): TwilioParams {
  const check = checkTwilioIds(params, ourAccountSid);
  if (!check.ok) throw new ValidationError(check.code, `Twilio webhook refused: ${check.message}`);
  return params;
}

/** The form parameters of a verified Twilio webhook, ids checked (every Twilio route's first step in `handle`). */
export function checkedTwilioParams(
  req: Pick<WebhookRequest, 'method' | 'publicUrl' | 'rawBody'>,
  ourAccountSid: string | undefined,
): TwilioParams {
  return requireTwilioIds(twilioParams(req), ourAccountSid);
}
