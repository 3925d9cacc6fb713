// `freeda simulate sms|whatsapp "text" [--from +33…] [--media URL]` (options `to`, `name`, `wait` for programmatic use):
// posts a correctly signed, real-shaped Twilio webhook to a running server, then waits for the bot reply.
import { randomBytes } from 'node:crypto';
import type { SimulateArgs, SimulateEnv } from '../../src/domain/channel.js';
import { normalizePhone } from './phone.js';
import { MESSAGING_PATH } from './types.js';
import { signTwilioRequest } from './verify.js';

const DEFAULT_CUSTOMER = '+33612345678';
const DEFAULT_OUR_NUMBER = '+15005550006';
const FAKE_ACCOUNT_SID = 'AC' + '0'.repeat(32);

function sid(prefix: string): string {
  return prefix + randomBytes(16).toString('hex');
}

/** Form params shaped like Twilio's inbound messaging webhook. */
export function simulatedInboundParams(
  kind: 'sms' | 'whatsapp',
  args: SimulateArgs,
  env: Pick<SimulateEnv, 'config'>,
): Record<string, string> {
  const rawFrom = args.from ?? args.options.from ?? DEFAULT_CUSTOMER;
  const from = normalizePhone(rawFrom.replace(/^whatsapp:/i, ''), 'FR')?.address ?? rawFrom;
  const ourSms = env.config.TWILIO_SMS_FROM ?? DEFAULT_OUR_NUMBER;
  const ourWhatsapp = env.config.TWILIO_WHATSAPP_FROM ?? `whatsapp:${ourSms}`;
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
    AccountSid: env.config.TWILIO_ACCOUNT_SID ?? FAKE_ACCOUNT_SID,
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface TicketView {
  messages?: Array<{
    message_id: string;
    direction: string;
    author: string;
    text: string;
    external_id: string | null;
    delivery?: { status: string; error_code: string | null } | null;
  }>;
}

async function simulate(kind: 'sms' | 'whatsapp', args: SimulateArgs, env: SimulateEnv): Promise<void> {
  const authToken = env.config.TWILIO_AUTH_TOKEN;
  if (!authToken) {
    throw new Error(
      'TWILIO_AUTH_TOKEN is not set: the server refuses unsigned Twilio webhooks (403). Set the same TWILIO_AUTH_TOKEN for the server and for this command.',
    );
  }
  const serverUrl = env.serverUrl.replace(/\/+$/, '');
  const params = simulatedInboundParams(kind, args, env);
  // Sign with the URL the server checks against: PUBLIC_BASE_URL when set, else what the server assumes
  // without it (http://localhost:PORT), else the URL we post to. A 403 stores nothing, so trying is safe.
  const port = new URL(serverUrl).port;
  const candidates = [
    ...new Set(
      [env.config.PUBLIC_BASE_URL, port ? `http://localhost:${port}` : undefined, serverUrl]
        .filter((u): u is string => !!u)
        .map((u) => u.replace(/\/+$/, '')),
    ),
  ];
  let res: Response | null = null;
  let body = '';
  for (const signedBase of candidates) {
    const signature = signTwilioRequest(authToken, signedBase + MESSAGING_PATH, params);
    try {
      res = await fetch(serverUrl + MESSAGING_PATH, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': signature,
          'i-twilio-idempotency-token': sid(''),
        },
        body: new URLSearchParams(params).toString(),
      });
    } catch (err) {
      throw new Error(`cannot reach the server at ${serverUrl}: ${(err as Error).message}`, { cause: err });
    }
    body = await res.text();
    if (res.status !== 403) break;
  }
  if (!res || res.status !== 200) {
    env.print(`The server answered ${res?.status}: ${body}`);
    const hint =
      res?.status === 403
        ? ` (signed for ${candidates.map((c) => c + MESSAGING_PATH).join(', ')}: the server must have the same TWILIO_AUTH_TOKEN, and the same PUBLIC_BASE_URL as this environment)`
        : '';
    throw new Error(`the webhook was not accepted: HTTP ${res?.status}${hint}`);
  }
  const ticketId = res.headers.get('x-freeda-ticket-id');
  env.print(`${kind} ${params.MessageSid} from ${params.From} → 200 ${body.trim()}`);
  if (!ticketId) {
    env.print('No ticket id in the answer (message ignored or not understood: see the server log).');
    return;
  }
  env.print(`ticket: ${ticketId}`);
  if (!env.apiToken) {
    env.print('No API token configured (API_TOKENS): cannot read the ticket to show the bot reply.');
    return;
  }
  const waitSeconds = Number.parseFloat(args.options.wait ?? '10');
  const deadline = Date.now() + (Number.isFinite(waitSeconds) ? waitSeconds : 10) * 1000;
  while (Date.now() < deadline) {
    await sleep(400);
    const ticketRes = await fetch(`${serverUrl}/tickets/${encodeURIComponent(ticketId)}`, {
      headers: { authorization: `Bearer ${env.apiToken}` },
    }).catch(() => null);
    if (!ticketRes?.ok) continue;
    const ticket = (await ticketRes.json()) as TicketView;
    const messages = ticket.messages ?? [];
    const ours = messages.findIndex((m) => m.external_id === params.MessageSid);
    const reply = ours >= 0 ? messages.slice(ours + 1).find((m) => m.direction === 'outbound') : undefined;
    if (reply) {
      const delivery = reply.delivery
        ? ` [${reply.delivery.status}${reply.delivery.error_code ? ` ${reply.delivery.error_code}` : ''}]`
        : '';
      env.print(`${reply.author}: ${reply.text}${delivery}`);
      return;
    }
  }
  env.print(`No reply within ${waitSeconds} s (chatbot off, handed to an agent, or no reply for this message).`);
}

export const simulators = {
  sms: (args: SimulateArgs, env: SimulateEnv) => simulate('sms', args, env),
  whatsapp: (args: SimulateArgs, env: SimulateEnv) => simulate('whatsapp', args, env),
};
