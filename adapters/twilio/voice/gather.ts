// POST /webhooks/twilio/voice/gather: one speech turn. The decisions are pure (./turn.ts); this file performs the steps
// that need I/O (store the turn, ask the bot) and answers every other step with its TwiML.
import type { BotTurn, ChannelContext, WebhookRoute } from '../../../src/domain/channel.js';
import { checkedTwilioParams } from '../ids.js';
import { requireParsed, twimlResponse, VOICE_PATHS, type VoiceUrls } from './kit.js';
import { botTurnExternalId, callerAddress, speechMessageEvent } from './normalize.js';
import { parseGatherPosition, parseGatherResult } from './parse.js';
import { nextTurnStep, type TurnState, type TurnStep } from './turn.js';
import {
  botReplyTwiml,
  handoffTwiml,
  holdingTwiml,
  PHRASES,
  repromptTwiml,
  technicalIssueTwiml,
  voicemailTwiml,
  type TwimlStyle,
} from './twiml.js';
import type { GatherResult } from './types.js';

export interface GatherRouteOptions {
  verify: WebhookRoute['verify'];
  /** TWILIO_ACCOUNT_SID: a webhook for another account is refused (400). */
  accountSid: string | undefined;
  urls: VoiceUrls;
  style: TwimlStyle;
  botTimeoutMs: number;
  /** Ask Twilio for its own transcription of a voicemail too. */
  twilioTranscription: boolean;
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

export function gatherRoute(options: GatherRouteOptions): WebhookRoute {
  const { urls, style } = options;

  /** The turn as a customer message; for a retried webhook, what was already answered to it. */
  async function storeTurn(ctx: ChannelContext, result: GatherResult, speech: string, state: TurnState): Promise<TurnState['stored']> {
    const outcome = await ctx.ingest(speechMessageEvent({ ...result, speech }, state.position, ctx.now().toISOString()));
    if (outcome.kind !== 'stored') {
      ctx.logger.warn({ call_sid: result.call.callSid, outcome: outcome.kind }, 'voice: speech turn not stored');
      return null;
    }
    const ticketId = outcome.ticket.ticket_id;
    if (!outcome.duplicate) return { ticketId, replay: null };
    const answered = (await ctx.getMessages(ticketId)).find(
      (m) => m.external_id === botTurnExternalId(result.call.callSid, state.position.step),
    );
    return { ticketId, replay: answered?.text ?? null };
  }

  function askBot(ctx: ChannelContext, ticketId: string): Promise<BotTurn | null> {
    return withinBudget(ctx.botTurnNow(ticketId, options.botTimeoutMs), options.botTimeoutMs + 500);
  }

  /** What was said in the call is kept on the ticket; the caller hears it even when recording it fails. */
  async function recordSpoken(ctx: ChannelContext, step: Extract<TurnStep, { kind: 'answer' | 'handoff' }>, callSid: string, turn: number) {
    const { ticketId, spoken } = step;
    const meta = { call_sid: callSid, step: turn };
    try {
      if (spoken) await ctx.recordDelivered(ticketId, { author: 'bot', text: spoken, external_id: botTurnExternalId(callSid, turn), meta });
      if (step.kind === 'handoff')
        await ctx.recordDelivered(ticketId, { author: 'system', text: PHRASES.handoff, external_id: `${callSid}:${turn}:handoff`, meta });
    } catch (err) {
      const what = step.kind === 'handoff' ? 'hand-off' : 'bot answer';
      ctx.logger.error({ err, ticket_id: ticketId, call_sid: callSid }, `voice: could not record the spoken ${what}`);
    }
  }

  /** The TwiML of a final step (every kind but the two I/O steps). */
  async function answer(
    ctx: ChannelContext,
    step: Exclude<TurnStep, { kind: 'store' | 'ask_bot' }>,
    state: TurnState,
    result: GatherResult,
  ) {
    const { position } = state;
    const callSid = result.call.callSid;
    const next = urls.gather({ step: position.step + 1, attempt: 1 });
    switch (step.kind) {
      case 'reprompt':
        return twimlResponse(repromptTwiml(urls.gather({ step: position.step, attempt: 2 }), style));
      case 'voicemail': {
        const caller = callerAddress(result.call.from, callSid);
        return twimlResponse(
          voicemailTwiml(
            {
              actionUrl: urls.url(VOICE_PATHS.recorded),
              recordingStatusCallbackUrl: urls.url(VOICE_PATHS.recording, { caller }),
              ...(options.twilioTranscription ? { transcribeCallbackUrl: urls.url(VOICE_PATHS.transcription, { caller }) } : {}),
            },
            style,
          ),
        );
      }
      case 'holding':
        return twimlResponse(holdingTwiml(next, style), step.ticketId);
      case 'replay':
        return twimlResponse(botReplyTwiml(step.spoken, next, style), step.ticketId);
      case 'handoff':
        await ctx.handoff(step.ticketId, step.reason);
        await recordSpoken(ctx, step, callSid, position.step);
        return twimlResponse(handoffTwiml(step.spoken, style), step.ticketId);
      case 'answer':
        await recordSpoken(ctx, step, callSid, position.step);
        return twimlResponse(botReplyTwiml(step.spoken, next, style), step.ticketId);
    }
  }

  return {
    method: 'POST',
    path: VOICE_PATHS.gather,
    verify: options.verify,
    async handle(req, ctx) {
      const result = requireParsed(parseGatherResult(checkedTwilioParams(req, options.accountSid)));
      const state: TurnState = { position: parseGatherPosition(req.query), speech: result.speech };
      try {
        for (;;) {
          const step = nextTurnStep(state);
          if (step.kind === 'store') state.stored = await storeTurn(ctx, result, step.speech, state);
          else if (step.kind === 'ask_bot') state.bot = await askBot(ctx, step.ticketId);
          else return await answer(ctx, step, state, result);
        }
      } catch (err) {
        ctx.logger.error(
          { err, call_sid: result.call.callSid, step: state.position.step },
          'voice: gather turn failed, asking the caller to repeat',
        );
        // Next step, not the same one: this step's external_id may already be stored, a new utterance must not dedup against it.
        return twimlResponse(technicalIssueTwiml(urls.gather({ step: state.position.step + 1, attempt: 1 }), style));
      }
    },
  };
}
