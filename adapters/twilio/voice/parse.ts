// Twilio Voice form params → typed values. Pure: no I/O, no SDK.
import { nonEmptyParam, type TwilioParams } from '../parse.js';
import type { CallStatusUpdate, GatherPosition, GatherResult, RecordingCallback, TranscriptionCallback, VoiceCall } from './types.js';

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Longest call we keep gathering on: past it, an agent calls back (no endless bot loops). */
export const MAX_GATHER_STEPS = 30;

export function parseVoiceCall(params: TwilioParams): Parsed<VoiceCall> {
  const callSid = nonEmptyParam(params, 'CallSid');
  if (!callSid) return { ok: false, reason: 'CallSid is missing' };
  return {
    ok: true,
    value: {
      callSid,
      accountSid: nonEmptyParam(params, 'AccountSid') ?? null,
      // Twilio sends From on every call request; an empty one is a withheld number.
      from: nonEmptyParam(params, 'From') ?? nonEmptyParam(params, 'Caller') ?? 'anonymous',
      to: nonEmptyParam(params, 'To') ?? nonEmptyParam(params, 'Called') ?? null,
      callStatus: nonEmptyParam(params, 'CallStatus') ?? null,
      direction: nonEmptyParam(params, 'Direction') ?? null,
      callerName: nonEmptyParam(params, 'CallerName') ?? null,
    },
  };
}

function positiveInt(raw: string | undefined): number | null {
  if (raw === undefined || !/^\d{1,6}$/.test(raw.trim())) return null;
  const value = Number(raw.trim());
  return value >= 1 ? value : null;
}

/** `?step=N&attempt=M` of a gather action URL. Missing or odd values fall back to step 1, attempt 1. */
export function parseGatherPosition(query: Record<string, string>): GatherPosition {
  const step = Math.min(positiveInt(query.step) ?? 1, MAX_GATHER_STEPS + 1);
  const attempt = Math.min(positiveInt(query.attempt) ?? 1, 2);
  return { step, attempt };
}

function parseConfidence(raw: string | undefined): number | null {
  if (raw === undefined) return null;
  const value = Number(raw);
  return Number.isFinite(value) && value >= 0 && value <= 1 ? value : null;
}

export function parseGatherResult(params: TwilioParams): Parsed<GatherResult> {
  const call = parseVoiceCall(params);
  if (!call.ok) return call;
  // Collapse the whitespace Twilio sometimes leaves between recognised segments.
  const speech = nonEmptyParam(params, 'SpeechResult')?.replace(/\s+/g, ' ') ?? null;
  return { ok: true, value: { call: call.value, speech, confidence: parseConfidence(nonEmptyParam(params, 'Confidence')) } };
}

function parseDuration(raw: string | undefined): number | null {
  if (raw === undefined || !/^\d+$/.test(raw)) return null;
  return Number(raw);
}

const NOT_CONNECTED = ['busy', 'no-answer', 'failed', 'canceled'] as const;

export function parseCallStatus(params: TwilioParams): Parsed<CallStatusUpdate> {
  const call = parseVoiceCall(params);
  if (!call.ok) return call;
  const status = call.value.callStatus ?? '';
  if (status === 'completed') {
    return {
      ok: true,
      value: { call: call.value, end: { kind: 'completed', durationSeconds: parseDuration(nonEmptyParam(params, 'CallDuration')) } },
    };
  }
  const notConnected = NOT_CONNECTED.find((s) => s === status);
  if (notConnected) return { ok: true, value: { call: call.value, end: { kind: 'not_connected', status: notConnected } } };
  return { ok: true, value: { call: call.value, end: { kind: 'unsupported', status: status || '(none)' } } };
}

export function parseRecordingCallback(params: TwilioParams): Parsed<RecordingCallback> {
  const callSid = nonEmptyParam(params, 'CallSid');
  const recordingSid = nonEmptyParam(params, 'RecordingSid');
  if (!callSid) return { ok: false, reason: 'CallSid is missing' };
  if (!recordingSid) return { ok: false, reason: 'RecordingSid is missing' };
  return {
    ok: true,
    value: {
      callSid,
      recordingSid,
      recordingUrl: nonEmptyParam(params, 'RecordingUrl') ?? null,
      recordingStatus: nonEmptyParam(params, 'RecordingStatus') ?? null,
      durationSeconds: parseDuration(nonEmptyParam(params, 'RecordingDuration')),
    },
  };
}

export function parseTranscriptionCallback(params: TwilioParams): Parsed<TranscriptionCallback> {
  const callSid = nonEmptyParam(params, 'CallSid');
  if (!callSid) return { ok: false, reason: 'CallSid is missing' };
  const rawStatus = nonEmptyParam(params, 'TranscriptionStatus');
  const status = rawStatus === 'completed' || rawStatus === 'failed' ? rawStatus : 'unsupported';
  return {
    ok: true,
    value: {
      callSid,
      recordingSid: nonEmptyParam(params, 'RecordingSid') ?? null,
      transcriptionSid: nonEmptyParam(params, 'TranscriptionSid') ?? null,
      status,
      text: nonEmptyParam(params, 'TranscriptionText')?.replace(/\s+/g, ' ') ?? null,
      recordingUrl: nonEmptyParam(params, 'RecordingUrl') ?? null,
      from: nonEmptyParam(params, 'From') ?? null,
    },
  };
}
