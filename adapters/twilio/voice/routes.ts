// Twilio Voice webhooks: an inbound call becomes a `telephone` ticket, each speech turn a customer message,
// each spoken bot answer a bot message. Flow and console set-up: ./README.md. The speech turn itself: ./gather.ts.
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
import { fetchRecording, isTwilioHost, rewriteToApiBase } from './recording.js';
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
  /** TWILIO_API_BASE_URL: recordings on api.twilio.com are fetched from there instead (fake Twilio). */
  twilioApiBaseUrl?: string;
  /** Voicemail speech-to-text; null (no MISTRAL_API_KEY) stores the recording with a "transcription unavailable" text. */
  transcriber: VoicemailTranscriber | null;
  /** Who may receive Twilio credentials on a recording fetch. Default: https *.twilio.com, plus the TWILIO_API_BASE_URL origin. */
  mayReceiveTwilioCredentials?: (url: URL) => boolean;
  botTimeoutMs?: number;
  /** Budget for downloading one recording. */
  recordingFetchTimeoutMs?: number;
  recordingMaxBytes?: number;
  /** Ask Twilio for its own transcription too (English only, paid): adds transcribe + transcribeCallback to `<Record>`. */
  twilioTranscription?: boolean;
  /** `<Say voice>`, e.g. `Polly.Lea`. */
  voice?: string;
  fetch?: typeof fetch;
}

function defaultCredentialPolicy(apiBaseUrl: string | undefined): (url: URL) => boolean {
  let fakeOrigin: string | null = null;
  if (apiBaseUrl) {
    try {
      fakeOrigin = new URL(apiBaseUrl).origin;
    } catch {
      fakeOrigin = null;
    }
  }
  return (url) => isTwilioHost(url) || (fakeOrigin !== null && url.origin === fakeOrigin);
}

export function createVoiceRoutes(options: VoiceRoutesOptions): WebhookRoute[] {
  const style: TwimlStyle = options.voice ? { voice: options.voice } : {};
  const mayReceiveCredentials = options.mayReceiveTwilioCredentials ?? defaultCredentialPolicy(options.twilioApiBaseUrl);
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
  async function transcribe(recording: RecordingCallback & { recordingUrl: string }, ctx: ChannelContext): Promise<string | null> {
    if (!options.transcriber) return null;
    try {
      const audio = await fetchRecording(rewriteToApiBase(recordingMediaUrl(recording.recordingUrl), options.twilioApiBaseUrl), {
        accountSid: options.accountSid,
        authToken: options.authToken,
        mayReceiveCredentials,
        timeoutMs: options.recordingFetchTimeoutMs ?? 5000,
        maxBytes: options.recordingMaxBytes ?? 25 * 1024 * 1024,
        ...(options.fetch ? { fetch: options.fetch } : {}),
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
    const transcript = await transcribe({ ...recording, recordingUrl: recording.recordingUrl }, ctx);
    return voicemailMessageEvent({ recording, contact, transcript, transcriptionSource: transcript ? 'mistral' : null, receivedAt });
  });

  const transcription = callback(VOICE_PATHS.transcription, parseTranscriptionCallback, (transcription, req, ctx) =>
    twilioTranscriptionEvent(transcription, contactFromQuery(req, transcription.callSid, transcription.from), ctx.now().toISOString()),
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
