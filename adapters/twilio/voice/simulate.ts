// `freeda simulate voice "phrase[ | phrase…]" [--from +33…] [--to +1…] [--name "Zoë"]`: walks a phone call the way
// Twilio would — call start, one speech result per ' | '-separated phrase (an empty one is silence), then the
// `completed` status callback — with signed requests, following the Gather/Record actions found in each TwiML answer.
import type { SimulateArgs, SimulateEnv } from '../../../src/domain/channel.js';
import type { TwilioConfig } from '../config.js';
import { toE164 } from '../phone.js';
import {
  DEFAULT_CUSTOMER,
  DEFAULT_OUR_NUMBER,
  FAKE_ACCOUNT_SID,
  postSignedLikeTwilio,
  postToFirstAcceptedBase,
  refusedHint,
  requireAuthToken,
  sid,
  signatureBases,
  type TwilioPostResult,
} from '../simulate-common.js';
import { VOICE_PATHS } from './routes.js';
import { readTwiml, type TwimlVerb } from './twiml-read.js';

type SimulateConfig = Pick<TwilioConfig, 'PUBLIC_BASE_URL' | 'TWILIO_ACCOUNT_SID' | 'TWILIO_AUTH_TOKEN' | 'TWILIO_SMS_FROM'>;

/** `"a | b |  | c"` → ['a', 'b', '', 'c']: one speech turn each, '' being a turn where the caller says nothing. */
export function splitTurns(text: string): string[] {
  return text.split(' | ').map((turn) => turn.trim());
}

/** What Twilio would request next after this TwiML: a Gather action, a Redirect, a Record action, or nothing (hang-up / end). */
export function nextAction(verbs: TwimlVerb[]): { kind: 'gather' | 'record'; url: string; recordingCallbackUrl?: string } | null {
  for (const verb of verbs) {
    if (verb.verb === 'Hangup') return null;
    if (verb.verb === 'Gather' && verb.attributes.action) return { kind: 'gather', url: verb.attributes.action };
    if (verb.verb === 'Redirect' && verb.text) return { kind: 'gather', url: verb.text.trim() };
    if (verb.verb === 'Record' && verb.attributes.action) {
      return {
        kind: 'record',
        url: verb.attributes.action,
        ...(verb.attributes.recordingStatusCallback ? { recordingCallbackUrl: verb.attributes.recordingStatusCallback } : {}),
      };
    }
  }
  return null;
}

function describe(verbs: TwimlVerb[]): string[] {
  return verbs.map((v) => {
    if (v.verb === 'Say') return `  <Say ${v.attributes.language ?? ''}> ${v.text}`;
    if (v.verb === 'Gather') return `  <Gather input=${v.attributes.input} language=${v.attributes.language}> → ${v.attributes.action}`;
    if (v.verb === 'Record') return `  <Record maxLength=${v.attributes.maxLength}> → ${v.attributes.action}`;
    if (v.verb === 'Redirect') return `  <Redirect> ${v.text}`;
    return `  <${v.verb}/>`;
  });
}

export async function simulateVoice(args: SimulateArgs, env: SimulateEnv, config: SimulateConfig): Promise<void> {
  const authToken = requireAuthToken(config.TWILIO_AUTH_TOKEN);
  const serverUrl = env.serverUrl;
  // The call start tries each base the server may sign against; after that every URL comes from the TwiML itself,
  // as with Twilio.
  const bases = signatureBases(serverUrl, config.PUBLIC_BASE_URL);
  let signedBase = bases[0];
  const rawFrom = args.from ?? args.options.from ?? DEFAULT_CUSTOMER;
  const from = toE164(rawFrom, 'FR') ?? rawFrom;
  const to = args.options.to ?? config.TWILIO_SMS_FROM ?? DEFAULT_OUR_NUMBER;
  const callSid = sid('CA');
  const startedAt = Date.now();
  const callParams: Record<string, string> = {
    AccountSid: config.TWILIO_ACCOUNT_SID ?? FAKE_ACCOUNT_SID,
    ApiVersion: '2010-04-01',
    CallSid: callSid,
    Direction: 'inbound',
    From: from,
    Caller: from,
    To: to,
    Called: to,
    FromCountry: 'FR',
    ToCountry: 'US',
    ...(args.options.name ? { CallerName: args.options.name } : {}),
  };
  // Set from each answer: declared wide so the narrowing to `null` here does not outlive the calls.
  let ticketId = null as string | null;
  const remember = (res: TwilioPostResult): TwilioPostResult => {
    ticketId = res.ticketId ?? ticketId;
    return res;
  };

  /** Post like Twilio to a public URL (signed as is), delivered to the local listener. */
  const post = async (publicUrl: string, params: Record<string, string>): Promise<string> => {
    const target = publicUrl.startsWith(signedBase) ? serverUrl + publicUrl.slice(signedBase.length) : publicUrl;
    const res = remember(await postSignedLikeTwilio(target, publicUrl, params, authToken));
    if (res.status !== 200) {
      env.print(`The server answered ${res.status}: ${res.body}`);
      throw new Error(`the webhook ${new URL(publicUrl).pathname} was not accepted: HTTP ${res.status}`);
    }
    return res.body;
  };

  const show = (xml: string): TwimlVerb[] => {
    const verbs = readTwiml(xml);
    for (const line of describe(verbs)) env.print(line);
    return verbs;
  };

  env.print(`☎ call ${callSid} from ${from} to ${to}`);
  env.print(`→ POST ${VOICE_PATHS.call}`);
  const answer = await postToFirstAcceptedBase(serverUrl, bases, VOICE_PATHS.call, { ...callParams, CallStatus: 'ringing' }, authToken);
  remember(answer);
  signedBase = answer.base;
  if (answer.status !== 200) {
    env.print(`The server answered ${answer.status}: ${answer.body}`);
    throw new Error(`the call was not accepted: HTTP ${answer.status}${answer.status === 403 ? refusedHint(bases, VOICE_PATHS.call) : ''}`);
  }
  let verbs = show(answer.body);
  for (const turn of splitTurns(args.text)) {
    const action = nextAction(verbs);
    if (!action) break;
    if (action.kind === 'record') {
      env.print('→ (caller leaves a voicemail)');
      const recordingSid = sid('RE');
      const recordingUrl = `https://api.twilio.com/2010-04-01/Accounts/${callParams.AccountSid}/Recordings/${recordingSid}`;
      show(
        await post(action.url, {
          ...callParams,
          CallStatus: 'in-progress',
          RecordingUrl: recordingUrl,
          RecordingDuration: '12',
          Digits: 'hangup',
        }),
      );
      if (action.recordingCallbackUrl) {
        await post(action.recordingCallbackUrl, {
          AccountSid: callParams.AccountSid,
          CallSid: callSid,
          RecordingSid: recordingSid,
          RecordingUrl: recordingUrl,
          RecordingStatus: 'completed',
          RecordingDuration: '12',
          RecordingChannels: '1',
          RecordingSource: 'RecordVerb',
        });
        env.print('→ recording callback sent (the server stores the voicemail)');
      }
      break;
    }
    const url = new URL(action.url);
    env.print(turn ? `caller: « ${turn} »  → POST ${url.pathname}${url.search}` : `caller: (silence)  → POST ${url.pathname}${url.search}`);
    verbs = show(
      await post(action.url, { ...callParams, CallStatus: 'in-progress', ...(turn ? { SpeechResult: turn, Confidence: '0.92' } : {}) }),
    );
  }
  const duration = String(Math.max(1, Math.round((Date.now() - startedAt) / 1000)));
  env.print(`→ caller hangs up: POST ${VOICE_PATHS.status} (completed, ${duration} s)`);
  await post(signedBase + VOICE_PATHS.status, {
    ...callParams,
    CallStatus: 'completed',
    CallDuration: duration,
    CallbackSource: 'call-progress-events',
    SequenceNumber: '0',
  });
  env.print(ticketId ? `ticket: ${ticketId}` : 'No ticket id in the answers (see the server log).');
}
