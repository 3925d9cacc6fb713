// `freeda simulate sms|whatsapp "text" [--from +33…] [--media URL]` (options `to`, `name`, `wait` for programmatic use):
// posts a correctly signed, real-shaped Twilio webhook to a running server, then waits for the bot reply.
import type { SimulateArgs, SimulateEnv, Simulator } from '../../src/domain/channel.js';
import type { TwilioConfig } from './config.js';
import { normalizePhone } from './phone.js';
import {
  DEFAULT_CUSTOMER,
  DEFAULT_OUR_NUMBER,
  FAKE_ACCOUNT_SID,
  postToFirstAcceptedBase,
  refusedHint,
  requireAuthToken,
  sid,
  signatureBases,
} from './simulate-common.js';
import { MESSAGING_PATH } from './types.js';

type SimulateConfig = Pick<
  TwilioConfig,
  'PUBLIC_BASE_URL' | 'TWILIO_ACCOUNT_SID' | 'TWILIO_AUTH_TOKEN' | 'TWILIO_SMS_FROM' | 'TWILIO_WHATSAPP_FROM'
>;

/** Form params shaped like Twilio's inbound messaging webhook. */
export function simulatedInboundParams(kind: 'sms' | 'whatsapp', args: SimulateArgs, config: SimulateConfig): Record<string, string> {
  const rawFrom = args.from ?? args.options.from ?? DEFAULT_CUSTOMER;
  const from = normalizePhone(rawFrom.replace(/^whatsapp:/i, ''), 'FR')?.address ?? rawFrom;
  const ourSms = config.TWILIO_SMS_FROM ?? DEFAULT_OUR_NUMBER;
  const ourWhatsapp = config.TWILIO_WHATSAPP_FROM ?? `whatsapp:${ourSms}`;
  const to = args.options.to ?? (kind === 'whatsapp' ? ourWhatsapp : ourSms);
  const messageSid = (args.options.media ? 'MM' : 'SM') + sid('').slice(0, 32);
  const params: Record<string, string> = {
    ToCountry: 'US',
    ToState: '',
    SmsMessageSid: messageSid,
    NumMedia: args.options.media ? '1' : '0',
    ToCity: '',
    FromZip: '',
    SmsSid: messageSid,
    FromState: '',
    SmsStatus: 'received',
    FromCity: '',
    Body: args.text,
    FromCountry: 'FR',
    To: kind === 'whatsapp' && !/^whatsapp:/.test(to) ? `whatsapp:${to}` : to,
    ToZip: '',
    NumSegments: '1',
    MessageSid: messageSid,
    AccountSid: config.TWILIO_ACCOUNT_SID ?? FAKE_ACCOUNT_SID,
    From: kind === 'whatsapp' ? `whatsapp:${from}` : from,
    ApiVersion: '2010-04-01',
  };
  if (args.options.media) {
    params.MediaUrl0 = args.options.media;
    params.MediaContentType0 = args.options['media-type'] ?? 'image/jpeg';
  }
  if (kind === 'whatsapp') {
    params.WaId = from.replace(/^\+/, '');
    params.ProfileName = args.options.name ?? 'Client simulé';
    params.MessageType = args.options.media ? 'image' : 'text';
    params.ChannelMetadata = JSON.stringify({
      type: 'whatsapp',
      data: { context: { ProfileName: params.ProfileName, WaId: params.WaId } },
    });
    delete params.ToCountry;
    delete params.FromCountry;
  }
  return params;
}

async function simulate(kind: 'sms' | 'whatsapp', args: SimulateArgs, env: SimulateEnv, config: SimulateConfig): Promise<void> {
  const authToken = requireAuthToken(config.TWILIO_AUTH_TOKEN);
  const params = simulatedInboundParams(kind, args, config);
  const bases = signatureBases(env.serverUrl, config.PUBLIC_BASE_URL);
  const res = await postToFirstAcceptedBase(env.serverUrl, bases, MESSAGING_PATH, params, authToken);
  if (res.status !== 200) {
    env.print(`The server answered ${res.status}: ${res.body}`);
    throw new Error(`the webhook was not accepted: HTTP ${res.status}${res.status === 403 ? refusedHint(bases, MESSAGING_PATH) : ''}`);
  }
  env.print(`${kind} ${params.MessageSid} from ${params.From} → 200 ${res.body.trim()}`);
  if (!res.ticketId) {
    env.print('No ticket id in the answer (message ignored or not understood: see the server log).');
    return;
  }
  env.print(`ticket: ${res.ticketId}`);
  const waitSeconds = Number.parseFloat(args.options.wait ?? '10');
  await env.showReply(res.ticketId, params.MessageSid, {
    waitSeconds: Number.isFinite(waitSeconds) ? waitSeconds : 10,
    noReplyHint: 'chatbot off, handed to an agent, or no reply for this message',
  });
}

export function messagingSimulators(config: SimulateConfig): Record<'sms' | 'whatsapp', Simulator> {
  return {
    sms: (args, env) => simulate('sms', args, env, config),
    whatsapp: (args, env) => simulate('whatsapp', args, env, config),
  };
}
