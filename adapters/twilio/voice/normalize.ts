// Typed Twilio Voice values → the shared InboundEvent model. Pure: the clock value is passed in.
import type { InboundEvent, InboundMessageEvent, SystemNoteEvent } from '../../../src/domain/events.js';
import type { Attachment, Contact } from '../../../src/domain/types.js';
import { toE164 } from '../phone.js';
import {
  VOICE_CHANNEL,
  type CallStatusUpdate,
  type GatherPosition,
  type GatherResult,
  type RecordingCallback,
  type TranscriptionCallback,
  type VoiceCall,
} from './types.js';

export { VOICE_CHANNEL } from './types.js';

/** Text of a voicemail we could not transcribe (no Mistral key, download or transcription failure). */
export const VOICEMAIL_UNTRANSCRIBED_TEXT = '[Message vocal — transcription indisponible]';

// Twilio's spellings of a withheld caller id; +266696687 is the pseudo-number some carriers hand over.
const WITHHELD = new Set(['anonymous', 'restricted', 'unknown', 'unavailable', 'private', '+266696687']);

/**
 * The ticket contact of a caller: E.164 for a phone number, `client:<id>` / `sip:<uri>` kept as is,
 * and a per-call `anonymous:<CallSid>` for a withheld number (so two hidden callers never share a ticket).
 */
export function callerAddress(from: string, callSid: string): string {
  const trimmed = from.trim();
  if (WITHHELD.has(trimmed.toLowerCase())) return `anonymous:${callSid}`;
  if (/^(client|sip):/i.test(trimmed)) return trimmed.replace(/^(client|sip):/i, (p) => p.toLowerCase());
  return toE164(trimmed) ?? `anonymous:${callSid}`;
}

export function callerContact(call: Pick<VoiceCall, 'from' | 'callSid' | 'callerName'>): Contact {
  return { address: callerAddress(call.from, call.callSid), display_name: call.callerName };
}

export function gatherExternalId(callSid: string, step: number): string {
  return `${callSid}:${step}`;
}
export function botTurnExternalId(callSid: string, step: number): string {
  return `${callSid}:${step}:bot`;
}
export function voicemailExternalId(callSid: string): string {
  return `${callSid}:voicemail`;
}

function callMeta(call: VoiceCall): Record<string, unknown> {
  return { call_sid: call.callSid, to: call.to, direction: call.direction };
}

/** The ticket is opened (or joined) when the call starts, so notes and voicemail always have a ticket to land on. */
export function callStartedEvent(call: VoiceCall, receivedAt: string): SystemNoteEvent {
  const contact = callerContact(call);
  const who = contact.address.startsWith('anonymous:') ? 'un numéro masqué' : contact.address;
  return {
    kind: 'system_note',
    channel: VOICE_CHANNEL,
    external_id: `${call.callSid}:start`,
    contact,
    text: `Appel entrant de ${who}`,
    received_at: receivedAt,
    may_open_ticket: true,
    meta: { ...callMeta(call), call_event: 'started' },
  };
}

export function speechMessageEvent(
  result: GatherResult & { speech: string },
  position: GatherPosition,
  receivedAt: string,
): InboundMessageEvent {
  return {
    kind: 'message',
    channel: VOICE_CHANNEL,
    external_id: gatherExternalId(result.call.callSid, position.step),
    contact: callerContact(result.call),
    author: 'customer',
    text: result.speech,
    attachments: [],
    received_at: receivedAt,
    meta: { ...callMeta(result.call), source: 'twilio_gather', step: position.step, confidence: result.confidence },
  };
}

export function callEndEvent(update: CallStatusUpdate, receivedAt: string): InboundEvent {
  const { call, end } = update;
  if (end.kind === 'unsupported') {
    // in-progress / ringing callbacks (when subscribed) carry nothing worth a note.
    return { kind: 'ignored', channel: VOICE_CHANNEL, reason: `call status ${end.status} is not recorded` };
  }
  const text =
    end.kind === 'completed'
      ? end.durationSeconds === null
        ? 'Appel terminé'
        : `Appel terminé (durée ${end.durationSeconds} s)`
      : `Appel non abouti (${end.status})`;
  const status = end.kind === 'completed' ? 'completed' : end.status;
  return {
    kind: 'system_note',
    channel: VOICE_CHANNEL,
    external_id: `${call.callSid}:status:${status}`,
    contact: callerContact(call),
    text,
    received_at: receivedAt,
    may_open_ticket: true,
    meta: { ...callMeta(call), call_event: status, duration_seconds: end.kind === 'completed' ? end.durationSeconds : null },
  };
}

/** Twilio's media URL of a recording, as mp3 (smaller than the default WAV). */
export function recordingMediaUrl(recordingUrl: string): string {
  return /\.(mp3|wav)$/i.test(recordingUrl) ? recordingUrl : `${recordingUrl}.mp3`;
}

export function recordingAttachment(recording: Pick<RecordingCallback, 'recordingUrl' | 'recordingSid'>): Attachment[] {
  if (!recording.recordingUrl) return [];
  return [
    { content_type: 'audio/mpeg', size: null, filename: `${recording.recordingSid}.mp3`, url: recordingMediaUrl(recording.recordingUrl) },
  ];
}

/** True when a recording callback has audio worth storing. */
export function hasRecordedAudio(recording: RecordingCallback): boolean {
  if (recording.recordingStatus && recording.recordingStatus !== 'completed') return false;
  if (recording.durationSeconds === 0) return false;
  return recording.recordingUrl !== null;
}

export function voicemailMessageEvent(input: {
  recording: RecordingCallback;
  contact: Contact;
  transcript: string | null;
  transcriptionSource: string | null;
  receivedAt: string;
}): InboundMessageEvent {
  const { recording, contact, transcript } = input;
  return {
    kind: 'message',
    channel: VOICE_CHANNEL,
    external_id: voicemailExternalId(recording.callSid),
    contact,
    author: 'customer',
    text: transcript ?? VOICEMAIL_UNTRANSCRIBED_TEXT,
    attachments: recordingAttachment(recording),
    received_at: input.receivedAt,
    meta: {
      call_sid: recording.callSid,
      source: 'voicemail',
      recording_sid: recording.recordingSid,
      recording_duration_seconds: recording.durationSeconds,
      transcription: input.transcriptionSource,
    },
  };
}

export function voicemailMissingEvent(recording: RecordingCallback, contact: Contact, receivedAt: string): SystemNoteEvent {
  return {
    kind: 'system_note',
    channel: VOICE_CHANNEL,
    external_id: voicemailExternalId(recording.callSid),
    contact,
    text: `Messagerie vocale : aucun message enregistré (${recording.recordingStatus ?? 'durée 0'})`,
    received_at: receivedAt,
    may_open_ticket: true,
    meta: { call_sid: recording.callSid, recording_sid: recording.recordingSid, recording_status: recording.recordingStatus },
  };
}

/** Twilio's own (English-only) transcription: a second customer message next to the voicemail, or a note when it failed. */
export function twilioTranscriptionEvent(transcription: TranscriptionCallback, contact: Contact, receivedAt: string): InboundEvent {
  const externalId = `${transcription.callSid}:voicemail:twilio-transcription`;
  const meta = {
    call_sid: transcription.callSid,
    recording_sid: transcription.recordingSid,
    transcription_sid: transcription.transcriptionSid,
  };
  if (transcription.status === 'completed' && transcription.text) {
    return {
      kind: 'message',
      channel: VOICE_CHANNEL,
      external_id: externalId,
      contact,
      author: 'customer',
      text: transcription.text,
      attachments: recordingAttachment({
        recordingUrl: transcription.recordingUrl,
        recordingSid: transcription.recordingSid ?? 'recording',
      }),
      received_at: receivedAt,
      meta: { ...meta, source: 'twilio_transcription' },
    };
  }
  if (transcription.status === 'unsupported') {
    return {
      kind: 'unsupported',
      channel: VOICE_CHANNEL,
      external_id: externalId,
      reason: 'unknown TranscriptionStatus',
      raw: transcription,
    };
  }
  return {
    kind: 'system_note',
    channel: VOICE_CHANNEL,
    external_id: externalId,
    contact,
    text: 'Transcription Twilio du message vocal indisponible',
    received_at: receivedAt,
    may_open_ticket: true,
    meta,
  };
}

function foldText(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[’`]/g, "'");
}

const HUMAN_WORDS = /\b(conseiller|conseillere|humain|humaine|operateur|operatrice|standardiste)s?\b/;
const HUMAN_PHRASES =
  /\b(parler|discuter|joindre|avoir|pass\w*|mett\w* en relation|transf\w*)\b.{0,30}\b(quelqu'un|une (vraie |autre )?personne|un agent|une agente|un responsable)\b/;

/** The caller asks for a person ("je veux parler à un conseiller"): ends the bot loop even when the bot is off or slow. */
export function asksForHuman(speech: string): boolean {
  const folded = foldText(speech);
  return HUMAN_WORDS.test(folded) || HUMAN_PHRASES.test(folded);
}
