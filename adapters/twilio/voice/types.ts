// Types of the Twilio Voice part of the Twilio adapter (phone calls → `telephone` tickets).
import { declareChannel, type ChannelDeclaration } from '../../../src/domain/capabilities.js';
import type { TwilioConfig } from '../config.js';

export const VOICE_CHANNEL = 'telephone';

/** The rule the generative model gets for a spoken answer. */
const SPOKEN_STYLE = {
  fr: 'Appel vocal lu par une synthèse vocale : deux phrases courtes, pas de lien, pas d’emoji, pas de symbole.',
  en: 'Voice call read by text-to-speech: two short sentences, no link, no emoji, no symbols.',
};

/**
 * A phone call: the bot speaks inside the call (its turn is asked for synchronously in the gather webhook), nobody can
 * answer a call in writing (an agent calls back), and what is said must be speakable.
 */
export const VOICE_CHANNEL_DECLARATION: ChannelDeclaration = declareChannel(
  { name: VOICE_CHANNEL, label: 'Téléphone' },
  { speakable: true, max_chars: 280, style: SPOKEN_STYLE },
  { bot_turns: 'synchronous', written_replies: false },
);

/** The call fields every Twilio voice request carries (call start, gather action, status callback). */
export interface VoiceCall {
  callSid: string;
  accountSid: string | null;
  /** Caller as Twilio sent it (`+33…`, `anonymous`, `client:alice`). */
  from: string;
  to: string | null;
  callStatus: string | null;
  direction: string | null;
  callerName: string | null;
}

/** Where the caller is in the gather loop, carried in the action URL (`?step=N&attempt=M`). */
export interface GatherPosition {
  /** Speech turn number, 1-based; the customer message of turn N has external_id `${CallSid}:${N}`. */
  step: number;
  /** 1 for the first try of this step, 2 after one empty result (re-prompt). */
  attempt: number;
}

export interface GatherResult {
  call: VoiceCall;
  /** Trimmed transcript, null when Twilio heard nothing (or only sent DTMF). */
  speech: string | null;
  /** Twilio's confidence 0..1, null when absent (Twilio says not to rely on it being sent). */
  confidence: number | null;
}

export type CallEnd =
  | { kind: 'completed'; durationSeconds: number | null }
  | { kind: 'not_connected'; status: 'busy' | 'no-answer' | 'failed' | 'canceled' }
  | { kind: 'unsupported'; status: string };

export interface CallStatusUpdate {
  call: VoiceCall;
  end: CallEnd;
}

export interface RecordingCallback {
  callSid: string;
  recordingSid: string;
  recordingUrl: string | null;
  /** `completed`, `failed`, `absent` (nothing recorded), or null when absent from the payload. */
  recordingStatus: string | null;
  durationSeconds: number | null;
}

export interface TranscriptionCallback {
  callSid: string;
  recordingSid: string | null;
  transcriptionSid: string | null;
  status: 'completed' | 'failed' | 'unsupported';
  text: string | null;
  recordingUrl: string | null;
  from: string | null;
}

/** Turns a recording's audio into text. Throws on any failure (the caller falls back to an attachment note). */
export type VoicemailTranscriber = (audio: { bytes: Uint8Array; contentType: string; fileName: string }) => Promise<string>;

/** Config keys the voice routes read: Twilio's own, and Mistral's (shared core keys) for voicemail transcription. */
export type VoiceConfig = Pick<
  TwilioConfig,
  'TWILIO_ACCOUNT_SID' | 'TWILIO_AUTH_TOKEN' | 'TWILIO_API_BASE_URL' | 'MISTRAL_API_KEY' | 'MISTRAL_SERVER_URL' | 'MISTRAL_TIMEOUT_MS'
>;
