// Twilio Voice webhooks: an inbound call becomes a `telephone` ticket, each speech turn a customer message,
// each spoken bot answer a bot message. Flow and console set-up: ./README.md. The speech turn itself: ./gather.ts.
import type { LookupFunction } from 'node:net';
import type { InboundEvent } from '../../../src/domain/events.js';
import type { ChannelContext, WebhookRequest, WebhookRoute } from '../../../src/domain/channel.js';
import type { TwilioParams } from '../parse.js';
import { checkedTwilioParams } from '../ids.js';
import { verifyTwilioWebhook } from '../verify.js';
import { gatherRoute } from './gather.js';
import { requireParsed, storedTicketId, twimlResponse, VOICE_PATHS, voiceUrls } from './kit.js';
import {
  callEndEvent,
  callerAddress,
  callStartedEvent,
  hasRecordedAudio,
  recordingMediaUrl,
  twilioTranscriptionEvent,
  voicemailMessageEvent,
  voicemailMissingEvent,
} from './normalize.js';
import { parseCallStatus, parseRecordingCallback, parseTranscriptionCallback, parseVoiceCall, type Parsed } from './parse.js';
import { configuredOrigin, fetchRecording, recordingSource, rewriteToApiBase } from './recording.js';
import { emptyTwiml, greetingTwiml, voicemailSavedTwiml, type TwimlStyle } from './twiml.js';
import type { RecordingCallback, VoicemailTranscriber } from './types.js';

export { VOICE_PATHS } from './kit.js';

/** Bot budget inside a call: Twilio drops the request at 15 s, storage and TwiML need the rest. */
export const DEFAULT_BOT_TIMEOUT_MS = 8000;

export interface VoiceRoutesOptions {
  /** TWILIO_AUTH_TOKEN: checks X-Twilio-Signature; without it every voice webhook is refused (403). */
  authToken: string | undefined;
  /** TWILIO_ACCOUNT_SID: with the auth token, the Basic credentials for recording downloads. */
  accountSid: string | undefined;
  /** PUBLIC_BASE_URL (no trailing slash): the absolute action/callback URLs written into the TwiML. */
  publicBaseUrl: () => string;
  /** TWILIO_API_BASE_URL: recordings on api.twilio.com are fetched from there instead (regional edge, fake Twilio); its origin is the only other one fetched from. */
  twilioApiBaseUrl?: string;
  /** Voicemail speech-to-text; null (no MISTRAL_API_KEY) stores the recording with a "transcription unavailable" text. */
  transcriber: VoicemailTranscriber | null;
  botTimeoutMs?: number;
  /** Budget for downloading one recording. */
  recordingFetchTimeoutMs?: number;
  recordingMaxBytes?: number;
  /** Ask Twilio for its own transcription too (English only, paid): adds transcribe + transcribeCallback to `<Record>`. */
  twilioTranscription?: boolean;
  /** `<Say voice>`, e.g. `Polly.Lea`. */
  voice?: string;
  /** DNS resolution for api.twilio.com recording downloads (tests); default dns.lookup. */
  lookup?: LookupFunction;
}

/** The recording's media URL as we may fetch it (api.twilio.com, or rewritten to TWILIO_API_BASE_URL), or null when not Twilio's. */
function twilioMediaUrl(recordingUrl: string, apiBaseUrl: string | undefined): URL | null {
  try {
    const url = new URL(rewriteToApiBase(recordingMediaUrl(recordingUrl), apiBaseUrl));
    return recordingSource(url, configuredOrigin(apiBaseUrl)) ? url : null;
  } catch {
    return null;
  }
}

/** A callback's recording URL kept on the ticket only when it is Twilio's (no link to a host a forged payload chose). */
function onlyTwilioRecording<T extends { recordingUrl: string | null }>(value: T, apiBaseUrl: string | undefined): T {
  return value.recordingUrl && !twilioMediaUrl(value.recordingUrl, apiBaseUrl) ? { ...value, recordingUrl: null } : value;
}

export function createVoiceRoutes(options: VoiceRoutesOptions): WebhookRoute[] {
  const style: TwimlStyle = options.voice ? { voice: options.voice } : {};
  const apiOrigin = configuredOrigin(options.twilioApiBaseUrl);
  const urls = voiceUrls(options.publicBaseUrl);
  const verify: WebhookRoute['verify'] = (req) => verifyTwilioWebhook(req, options.authToken);

  /** A callback that becomes one stored event, answered with an empty TwiML naming the ticket. */
  const callback = <T>(
    path: string,
    parse: (params: TwilioParams) => Parsed<T>,
    toEvent: (value: T, req: WebhookRequest, ctx: ChannelContext) => InboundEvent | Promise<InboundEvent>,
  ): WebhookRoute => ({
    method: 'POST',
    path,
    verify,
    async handle(req, ctx) {
      const event = await toEvent(requireParsed(parse(checkedTwilioParams(req, options.accountSid))), req, ctx);
      return twimlResponse(emptyTwiml(), storedTicketId(await ctx.ingest(event)));
    },
  });

  const callStart: WebhookRoute = {
    method: 'POST',
    path: VOICE_PATHS.call,
    verify,
    async handle(req, ctx) {
      const call = requireParsed(parseVoiceCall(checkedTwilioParams(req, options.accountSid)));
      let ticketId: string | null = null;
      try {
        ticketId = storedTicketId(await ctx.ingest(callStartedEvent(call, ctx.now().toISOString())));
      } catch (err) {
        // The greeting matters more than the note: the first speech turn opens the ticket anyway.
        ctx.logger.error({ err, call_sid: call.callSid }, 'voice: could not record the call start');
      }
      return twimlResponse(greetingTwiml(urls.gather({ step: 1, attempt: 1 }), style), ticketId);
    },
  };

  const recorded: WebhookRoute = {
    method: 'POST',
    path: VOICE_PATHS.recorded,
    verify,
    handle() {
      // The file may not be downloadable yet: the recording status callback stores it.
      return Promise.resolve(twimlResponse(voicemailSavedTwiml(style)));
    },
  };

  const contactFromQuery = (req: WebhookRequest, callSid: string, from: string | null) => ({
    address: req.query.caller?.trim() || callerAddress(from ?? 'anonymous', callSid),
    display_name: null,
  });

  /** Voicemail speech-to-text, or null (no transcriber, download or transcription failed: the recording is kept anyway). */
  async function transcribe(recording: RecordingCallback, mediaUrl: URL, ctx: ChannelContext): Promise<string | null> {
    if (!options.transcriber) return null;
    try {
      const audio = await fetchRecording(mediaUrl.href, {
        accountSid: options.accountSid,
        authToken: options.authToken,
        apiOrigin,
        timeoutMs: options.recordingFetchTimeoutMs ?? 5000,
        maxBytes: options.recordingMaxBytes ?? 25 * 1024 * 1024,
        ...(options.lookup ? { lookup: options.lookup } : {}),
      });
      ctx.logger.debug({ call_sid: recording.callSid, hops: audio.hops }, 'voice: recording downloaded');
      return await options.transcriber({ bytes: audio.bytes, contentType: audio.contentType, fileName: `${recording.recordingSid}.mp3` });
    } catch (err) {
      ctx.logger.warn(
        { err, call_sid: recording.callSid, recording_sid: recording.recordingSid },
        'voice: voicemail transcription unavailable, storing the recording only',
      );
      return null;
    }
  }

  const recording = callback(VOICE_PATHS.recording, parseRecordingCallback, async (recording, req, ctx) => {
    const contact = contactFromQuery(req, recording.callSid, null);
    const receivedAt = ctx.now().toISOString();
    if (!hasRecordedAudio(recording) || !recording.recordingUrl) return voicemailMissingEvent(recording, contact, receivedAt);
    const mediaUrl = twilioMediaUrl(recording.recordingUrl, options.twilioApiBaseUrl);
    if (!mediaUrl) {
      // Signed, yet not a Twilio URL: nothing is fetched and no link kept; the caller's message is still recorded.
      ctx.logger.warn(
        { call_sid: recording.callSid, recording_sid: recording.recordingSid },
        "voice: RecordingUrl is not Twilio's: not fetched",
      );
      const withoutUrl = { ...recording, recordingUrl: null };
      return voicemailMessageEvent({ recording: withoutUrl, contact, transcript: null, transcriptionSource: null, receivedAt });
    }
    const transcript = await transcribe(recording, mediaUrl, ctx);
    return voicemailMessageEvent({ recording, contact, transcript, transcriptionSource: transcript ? 'mistral' : null, receivedAt });
  });

  const transcription = callback(VOICE_PATHS.transcription, parseTranscriptionCallback, (transcription, req, ctx) =>
    twilioTranscriptionEvent(
      onlyTwilioRecording(transcription, options.twilioApiBaseUrl),
      contactFromQuery(req, transcription.callSid, transcription.from),
      ctx.now().toISOString(),
    ),
  );

  const status = callback(VOICE_PATHS.status, parseCallStatus, (update, _req, ctx) => callEndEvent(update, ctx.now().toISOString()));

  const gather = gatherRoute({
    verify,
    accountSid: options.accountSid,
    urls,
    style,
    botTimeoutMs: options.botTimeoutMs ?? DEFAULT_BOT_TIMEOUT_MS,
    twilioTranscription: options.twilioTranscription ?? false,
  });

  return [callStart, gather, recorded, recording, transcription, status];
}
