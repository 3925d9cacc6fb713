// `freeda simulate voice "phrase[ | phrase…]" [--from +33…] [--to +1…] [--name "Zoë"]`: walks a phone call the way
// Twilio would — call start, one speech result per ' | '-separated phrase (an empty one is silence), then the
// `completed` status callback — with signed requests, following the Gather/Record actions found in each TwiML answer.
import { randomBytes } from 'node:crypto';
import type { SimulateArgs, SimulateEnv } from '../../../src/domain/channel.js';
import { toE164 } from '../phone.js';
import { signTwilioRequest } from '../verify.js';
import { VOICE_PATHS } from './routes.js';
import { readTwiml, type TwimlVerb } from './twiml-read.js';

const DEFAULT_CALLER = '+33612345678';
const DEFAULT_OUR_NUMBER = '+15005550006';
const FAKE_ACCOUNT_SID = 'AC' + '0'.repeat(32);

function sid(prefix: string): string {
  return prefix + randomBytes(16).toString('hex');
}

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

export async function simulateVoice(args: SimulateArgs, env: SimulateEnv): Promise<void> {
  const authToken = env.config.TWILIO_AUTH_TOKEN;
  if (!authToken) {
    throw new Error(
      'TWILIO_AUTH_TOKEN is not set: the server refuses unsigned Twilio webhooks (403). Set the same TWILIO_AUTH_TOKEN for the server and for this command.',
    );
  }
  const serverUrl = env.serverUrl.replace(/\/+$/, '');
  // The base the server signs against: PUBLIC_BASE_URL when set, else what the server assumes without it
  // (http://localhost:PORT), else the URL we post to. The call start tries them in turn (a 403 stores nothing);
  // after that every URL comes from the TwiML itself, as with Twilio.
  const port = new URL(serverUrl).port;
  const candidates = [
    ...new Set(
      [env.config.PUBLIC_BASE_URL, port ? `http://localhost:${port}` : undefined, serverUrl]
        .filter((u): u is string => !!u)
        .map((u) => u.replace(/\/+$/, '')),
    ),
  ];
  let signedBase = candidates[0];
  const rawFrom = args.from ?? args.options.from ?? DEFAULT_CALLER;
  const from = toE164(rawFrom, 'FR') ?? rawFrom;
  const to = args.options.to ?? env.config.TWILIO_SMS_FROM ?? DEFAULT_OUR_NUMBER;
  const callSid = sid('CA');
  const startedAt = Date.now();
  const callParams: Record<string, string> = {
    AccountSid: env.config.TWILIO_ACCOUNT_SID ?? FAKE_ACCOUNT_SID,
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
  // Set inside `send`: declared wide so the narrowing to `null` here does not outlive the calls.
  let ticketId = null as string | null;

  /** Post like Twilio to a public URL (signed as is), delivered to the local listener. */
  const send = async (publicUrl: string, params: Record<string, string>): Promise<{ status: number; body: string }> => {
    const target = publicUrl.startsWith(signedBase) ? serverUrl + publicUrl.slice(signedBase.length) : publicUrl;
    let res: Response;
    try {
      res = await fetch(target, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': signTwilioRequest(authToken, publicUrl, params),
          'i-twilio-idempotency-token': sid(''),
        },
        body: new URLSearchParams(params).toString(),
      });
    } catch (err) {
      throw new Error(`cannot reach the server at ${serverUrl}: ${(err as Error).message}`, { cause: err });
    }
    const body = await res.text();
    ticketId = res.headers.get('x-freeda-ticket-id') ?? ticketId;
    return { status: res.status, body };
  };
  const post = async (publicUrl: string, params: Record<string, string>): Promise<string> => {
    const res = await send(publicUrl, params);
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
  let answer: { status: number; body: string } | null = null;
  for (const base of candidates) {
    signedBase = base;
    answer = await send(base + VOICE_PATHS.call, { ...callParams, CallStatus: 'ringing' });
    if (answer.status !== 403) break;
  }
  if (!answer || answer.status !== 200) {
    env.print(`The server answered ${answer?.status}: ${answer?.body}`);
    const hint =
      answer?.status === 403
        ? ` (signed for ${candidates.map((c) => c + VOICE_PATHS.call).join(', ')}: the server must have the same TWILIO_AUTH_TOKEN, and the same PUBLIC_BASE_URL as this environment)`
        : '';
    throw new Error(`the call was not accepted: HTTP ${answer?.status}${hint}`);
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
