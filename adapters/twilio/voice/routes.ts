// Twilio Voice webhooks: an inbound call becomes a `telephone` ticket, each speech turn a customer message,
// each spoken bot answer a bot message. Flow and console set-up: ./README.md.
import type { IngestOutcome } from '../../../src/domain/events.js';
import type { BotTurn, ChannelContext, WebhookRequest, WebhookResponse, WebhookRoute } from '../../../src/domain/channel.js';
import { ValidationError } from '../../../src/errors.js';
import { twilioParams, verifyTwilioWebhook } from '../verify.js';
import {
  asksForHuman,
  botTurnExternalId,
  callEndEvent,
  callerAddress,
  callStartedEvent,
  hasRecordedAudio,
  recordingMediaUrl,
  speechMessageEvent,
  twilioTranscriptionEvent,
  voicemailMessageEvent,
  voicemailMissingEvent,
} from './normalize.js';
import {
  MAX_GATHER_STEPS,
  parseCallStatus,
  parseGatherPosition,
  parseGatherResult,
  parseRecordingCallback,
  parseTranscriptionCallback,
  parseVoiceCall,
  type Parsed,
} from './parse.js';
import { fetchRecording, isTwilioHost, rewriteToApiBase } from './recording.js';
import {
  botReplyTwiml,
  emptyTwiml,
  greetingTwiml,
  handoffTwiml,
  holdingTwiml,
  PHRASES,
  repromptTwiml,
  speakableText,
  technicalIssueTwiml,
  voicemailSavedTwiml,
  voicemailTwiml,
  type TwimlStyle,
} from './twiml.js';
import type { GatherPosition, VoicemailTranscriber } from './types.js';

export const VOICE_PATHS = {
  call: '/webhooks/twilio/voice',
  gather: '/webhooks/twilio/voice/gather',
  recorded: '/webhooks/twilio/voice/recorded',
  recording: '/webhooks/twilio/voice/recording',
  transcription: '/webhooks/twilio/voice/transcription',
  status: '/webhooks/twilio/voice/status',
} as const;

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

/** TwiML answer; the ticket id rides in `X-Freeda-Ticket-Id` (read by `freeda simulate`, ignored by Twilio). */
function twimlResponse(xml: string, ticketId?: string | null): WebhookResponse {
  return {
    status: 200,
    contentType: 'text/xml; charset=utf-8',
    body: xml,
    ...(ticketId ? { headers: { 'x-freeda-ticket-id': ticketId } } : {}),
  };
}

function storedTicketId(outcome: IngestOutcome): string | null {
  return outcome.kind === 'stored' ? outcome.ticket.ticket_id : null;
}

function requireParsed<T>(parsed: Parsed<T>): T {
  if (!parsed.ok) throw new ValidationError('invalid_twilio_voice_payload', `Twilio voice payload refused: ${parsed.reason}.`);
  return parsed.value;
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

/** Resolve to null when `promise` has not settled within `ms` (the core enforces it too; this keeps the call alive regardless). */
async function withinBudget<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
    timer.unref();
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function createVoiceRoutes(options: VoiceRoutesOptions): WebhookRoute[] {
  const style: TwimlStyle = options.voice ? { voice: options.voice } : {};
  const botTimeoutMs = options.botTimeoutMs ?? DEFAULT_BOT_TIMEOUT_MS;
  const mayReceiveCredentials = options.mayReceiveTwilioCredentials ?? defaultCredentialPolicy(options.twilioApiBaseUrl);

  const url = (path: string, query: Record<string, string | number> = {}): string => {
    const search = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)])).toString();
    return `${options.publicBaseUrl().replace(/\/+$/, '')}${path}${search ? `?${search}` : ''}`;
  };
  const gatherUrl = (position: GatherPosition): string =>
    url(VOICE_PATHS.gather, position.attempt > 1 ? { step: position.step, attempt: position.attempt } : { step: position.step });

  const verify: WebhookRoute['verify'] = (req) => verifyTwilioWebhook(req, options.authToken);

  const callStart: WebhookRoute = {
    method: 'POST',
    path: VOICE_PATHS.call,
    verify,
    async handle(req, ctx) {
      const call = requireParsed(parseVoiceCall(twilioParams(req)));
      let ticketId: string | null = null;
      try {
        ticketId = storedTicketId(await ctx.ingest(callStartedEvent(call, ctx.now().toISOString())));
      } catch (err) {
        // The greeting matters more than the note: the first speech turn opens the ticket anyway.
        ctx.logger.error({ err, call_sid: call.callSid }, 'voice: could not record the call start');
      }
      return twimlResponse(greetingTwiml(gatherUrl({ step: 1, attempt: 1 }), style), ticketId);
    },
  };

  /** Answer of an earlier delivery of the same gather webhook (Twilio retry): replay the stored bot answer. */
  const replayedTurn = async (ctx: ChannelContext, ticketId: string, callSid: string, position: GatherPosition): Promise<string | null> => {
    const messages = await ctx.getMessages(ticketId);
    const spoken = messages.find((m) => m.external_id === botTurnExternalId(callSid, position.step));
    return spoken ? botReplyTwiml(spoken.text, gatherUrl({ step: position.step + 1, attempt: 1 }), style) : null;
  };

  const handOff = async (
    ctx: ChannelContext,
    ticketId: string,
    callSid: string,
    step: number,
    reason: string,
    botReply: string | null,
  ): Promise<string> => {
    await ctx.handoff(ticketId, reason);
    try {
      if (botReply)
        await ctx.recordDelivered(ticketId, {
          author: 'bot',
          text: botReply,
          external_id: botTurnExternalId(callSid, step),
          meta: { call_sid: callSid, step },
        });
      await ctx.recordDelivered(ticketId, {
        author: 'system',
        text: PHRASES.handoff,
        external_id: `${callSid}:${step}:handoff`,
        meta: { call_sid: callSid, step },
      });
    } catch (err) {
      ctx.logger.error({ err, ticket_id: ticketId, call_sid: callSid }, 'voice: could not record the spoken hand-off');
    }
    return handoffTwiml(botReply, style);
  };

  const gather: WebhookRoute = {
    method: 'POST',
    path: VOICE_PATHS.gather,
    verify,
    async handle(req, ctx) {
      const position = parseGatherPosition(req.query);
      const result = requireParsed(parseGatherResult(twilioParams(req)));
      const callSid = result.call.callSid;
      const next = gatherUrl({ step: position.step + 1, attempt: 1 });
      try {
        if (result.speech === null) {
          if (position.attempt < 2) return twimlResponse(repromptTwiml(gatherUrl({ step: position.step, attempt: 2 }), style));
          const caller = callerAddress(result.call.from, callSid);
          return twimlResponse(
            voicemailTwiml(
              {
                actionUrl: url(VOICE_PATHS.recorded),
                recordingStatusCallbackUrl: url(VOICE_PATHS.recording, { caller }),
                ...(options.twilioTranscription ? { transcribeCallbackUrl: url(VOICE_PATHS.transcription, { caller }) } : {}),
              },
              style,
            ),
          );
        }
        const outcome = await ctx.ingest(speechMessageEvent({ ...result, speech: result.speech }, position, ctx.now().toISOString()));
        if (outcome.kind !== 'stored') {
          ctx.logger.warn({ call_sid: callSid, outcome: outcome.kind }, 'voice: speech turn not stored');
          return twimlResponse(holdingTwiml(next, style));
        }
        const ticketId = outcome.ticket.ticket_id;
        if (outcome.duplicate) {
          const replay = await replayedTurn(ctx, ticketId, callSid, position);
          if (replay) return twimlResponse(replay, ticketId);
        }
        if (asksForHuman(result.speech)) {
          return twimlResponse(
            await handOff(ctx, ticketId, callSid, position.step, 'caller asked for a person on the phone', null),
            ticketId,
          );
        }
        if (position.step >= MAX_GATHER_STEPS) {
          return twimlResponse(
            await handOff(ctx, ticketId, callSid, position.step, `call reached ${MAX_GATHER_STEPS} speech turns`, null),
            ticketId,
          );
        }
        const turn: BotTurn | null = await withinBudget(ctx.botTurnNow(ticketId, botTimeoutMs), botTimeoutMs + 500);
        const spoken = turn?.reply ? speakableText(turn.reply) || null : null;
        if (turn?.handoff)
          return twimlResponse(await handOff(ctx, ticketId, callSid, position.step, 'chatbot hand-off during a call', spoken), ticketId);
        if (!spoken) return twimlResponse(holdingTwiml(next, style), ticketId);
        try {
          await ctx.recordDelivered(ticketId, {
            author: 'bot',
            text: spoken,
            external_id: botTurnExternalId(callSid, position.step),
            meta: { call_sid: callSid, step: position.step },
          });
        } catch (err) {
          // The caller still hears the answer; only its copy on the ticket is missing.
          ctx.logger.error({ err, ticket_id: ticketId, call_sid: callSid }, 'voice: could not record the spoken bot answer');
        }
        return twimlResponse(botReplyTwiml(spoken, next, style), ticketId);
      } catch (err) {
        ctx.logger.error({ err, call_sid: callSid, step: position.step }, 'voice: gather turn failed, asking the caller to repeat');
        // Next step, not the same one: this step's external_id may already be stored, a new utterance must not dedup against it.
        return twimlResponse(technicalIssueTwiml(next, style));
      }
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

  const recording: WebhookRoute = {
    method: 'POST',
    path: VOICE_PATHS.recording,
    verify,
    async handle(req, ctx) {
      const callback = requireParsed(parseRecordingCallback(twilioParams(req)));
      const contact = contactFromQuery(req, callback.callSid, null);
      const receivedAt = ctx.now().toISOString();
      if (!hasRecordedAudio(callback) || !callback.recordingUrl) {
        return twimlResponse(emptyTwiml(), storedTicketId(await ctx.ingest(voicemailMissingEvent(callback, contact, receivedAt))));
      }
      let transcript: string | null = null;
      if (options.transcriber) {
        try {
          const audio = await fetchRecording(rewriteToApiBase(recordingMediaUrl(callback.recordingUrl), options.twilioApiBaseUrl), {
            accountSid: options.accountSid,
            authToken: options.authToken,
            mayReceiveCredentials,
            timeoutMs: options.recordingFetchTimeoutMs ?? 5000,
            maxBytes: options.recordingMaxBytes ?? 25 * 1024 * 1024,
            ...(options.fetch ? { fetch: options.fetch } : {}),
          });
          ctx.logger.debug({ call_sid: callback.callSid, hops: audio.hops }, 'voice: recording downloaded');
          transcript = await options.transcriber({
            bytes: audio.bytes,
            contentType: audio.contentType,
            fileName: `${callback.recordingSid}.mp3`,
          });
        } catch (err) {
          ctx.logger.warn(
            { err, call_sid: callback.callSid, recording_sid: callback.recordingSid },
            'voice: voicemail transcription unavailable, storing the recording only',
          );
        }
      }
      const outcome = await ctx.ingest(
        voicemailMessageEvent({ recording: callback, contact, transcript, transcriptionSource: transcript ? 'mistral' : null, receivedAt }),
      );
      return twimlResponse(emptyTwiml(), storedTicketId(outcome));
    },
  };

  const transcription: WebhookRoute = {
    method: 'POST',
    path: VOICE_PATHS.transcription,
    verify,
    async handle(req, ctx) {
      const callback = requireParsed(parseTranscriptionCallback(twilioParams(req)));
      const outcome = await ctx.ingest(
        twilioTranscriptionEvent(callback, contactFromQuery(req, callback.callSid, callback.from), ctx.now().toISOString()),
      );
      return twimlResponse(emptyTwiml(), storedTicketId(outcome));
    },
  };

  const status: WebhookRoute = {
    method: 'POST',
    path: VOICE_PATHS.status,
    verify,
    async handle(req, ctx) {
      const update = requireParsed(parseCallStatus(twilioParams(req)));
      const outcome = await ctx.ingest(callEndEvent(update, ctx.now().toISOString()));
      return twimlResponse(emptyTwiml(), storedTicketId(outcome));
    },
  };

  return [callStart, gather, recorded, recording, transcription, status];
}
