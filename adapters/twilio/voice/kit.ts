// What every voice route shares: the paths, the URLs written into TwiML, and the shape of an answer.
import type { IngestOutcome } from '../../../src/domain/events.js';
import type { WebhookResponse } from '../../../src/domain/channel.js';
import { ValidationError } from '../../../src/errors.js';
import type { Parsed } from './parse.js';
import type { GatherPosition } from './types.js';

export const VOICE_PATHS = {
  call: '/webhooks/twilio/voice',
  gather: '/webhooks/twilio/voice/gather',
  recorded: '/webhooks/twilio/voice/recorded',
  recording: '/webhooks/twilio/voice/recording',
  transcription: '/webhooks/twilio/voice/transcription',
  status: '/webhooks/twilio/voice/status',
} as const;

/** TwiML answer; the ticket id rides in `X-Freeda-Ticket-Id` (read by `freeda simulate`, ignored by Twilio). */
export function twimlResponse(xml: string, ticketId?: string | null): WebhookResponse {
  return {
    status: 200,
    contentType: 'text/xml; charset=utf-8',
    body: xml,
    ...(ticketId ? { headers: { 'x-freeda-ticket-id': ticketId } } : {}),
  };
}

export function storedTicketId(outcome: IngestOutcome): string | null {
  return outcome.kind === 'stored' ? outcome.ticket.ticket_id : null;
}

/** A payload Twilio would never send (no CallSid…): 400 through the core's error mapping. */
export function requireParsed<T>(parsed: Parsed<T>): T {
  if (!parsed.ok) throw new ValidationError('invalid_twilio_voice_payload', `Twilio voice payload refused: ${parsed.reason}.`);
  return parsed.value;
}

/** Absolute URLs on PUBLIC_BASE_URL, as Twilio must call them back (and sign them). */
export function voiceUrls(publicBaseUrl: () => string) {
  const url = (path: string, query: Record<string, string | number> = {}): string => {
    const search = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)])).toString();
    return `${publicBaseUrl().replace(/\/+$/, '')}${path}${search ? `?${search}` : ''}`;
  };
  const gather = (position: GatherPosition): string =>
    url(VOICE_PATHS.gather, position.attempt > 1 ? { step: position.step, attempt: position.attempt } : { step: position.step });
  return { url, gather };
}

export type VoiceUrls = ReturnType<typeof voiceUrls>;
