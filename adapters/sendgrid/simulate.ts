// `freeda simulate email "text" [--from "Zoë <zoe@client.fr>"] [--subject …] [--to …] [--in-reply-to <id>]`:
// posts a real multipart Inbound Parse body (parsed mode, secret as ?token=) to a running server,
// prints the ticket id, then waits for the bot reply.
import { randomBytes } from 'node:crypto';
import type { SimulateArgs, SimulateEnv, Simulator } from '../../src/domain/channel.js';
import type { SendGridConfig } from './config.js';
import { buildMultipart, randomBoundary } from './multipart.js';
import { INBOUND_PATH } from './routes.js';

const DEFAULT_FROM = 'Client Simulé <client.simule@example.com>';
const DEFAULT_SUBJECT = 'Question';
const DEFAULT_SUPPORT = 'support@freeda.example';

function bareAddress(value: string): string {
  const m = /<([^<>]+)>/.exec(value);
  return (m ? m[1] : value).trim();
}

/** RFC 2047 for a header value that is not plain ASCII. */
function encodedWord(value: string): string {
  return /^[\x20-\x7e]*$/.test(value) ? value : `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

function fromHeader(value: string): string {
  const m = /^\s*"?([^"<]*?)"?\s*<([^<>]+)>\s*$/.exec(value);
  return m && m[1] ? `${encodedWord(m[1])} <${m[2]}>` : value;
}

/** A parsed-mode Inbound Parse body, as SendGrid would post it for this text. */
type SimulateConfig = Pick<SendGridConfig, 'SUPPORT_EMAIL_FROM' | 'INBOUND_EMAIL_SECRET'>;

export function simulatedInboundParse(
  args: SimulateArgs,
  config: SimulateConfig,
): { body: Buffer; contentType: string; messageId: string } {
  const from = args.from ?? args.options.from ?? DEFAULT_FROM;
  const to = args.options.to ?? config.SUPPORT_EMAIL_FROM ?? DEFAULT_SUPPORT;
  const subject = args.options.subject ?? DEFAULT_SUBJECT;
  const messageId = `${randomBytes(12).toString('hex')}@simulate.freeda.local`;
  const inReplyTo = args.options['in-reply-to'];
  const headerLines = [
    `Received: from simulate.freeda.local by mx.sendgrid.net with SMTP id ${randomBytes(6).toString('hex')}; ${new Date().toUTCString()}`,
    `From: ${fromHeader(from)}`,
    `To: ${to}`,
    `Subject: ${encodedWord(subject)}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <${messageId}>`,
    ...(inReplyTo ? [`In-Reply-To: <${bareAddress(inReplyTo)}>`, `References: <${bareAddress(inReplyTo)}>`] : []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset="UTF-8"',
  ];
  const { body, contentType } = buildMultipart(
    [
      ['headers', headerLines.join('\n') + '\n'],
      ['dkim', '{@example.com : pass}'],
      ['to', to],
      ['from', from],
      ['text', args.text + '\n'],
      ['sender_ip', '127.0.0.1'],
      ['envelope', JSON.stringify({ to: [bareAddress(to)], from: bareAddress(from) })],
      ['attachments', '0'],
      ['subject', subject],
      ['charsets', JSON.stringify({ to: 'UTF-8', from: 'UTF-8', subject: 'UTF-8', text: 'UTF-8' })],
      ['SPF', 'pass'],
    ],
    randomBoundary(),
  );
  return { body, contentType, messageId };
}

async function simulateEmail(args: SimulateArgs, env: SimulateEnv, config: SimulateConfig): Promise<void> {
  const secret = config.INBOUND_EMAIL_SECRET;
  if (!secret) {
    throw new Error(
      'INBOUND_EMAIL_SECRET is not set: the server refuses unauthenticated inbound email (403). Set the same INBOUND_EMAIL_SECRET for the server and for this command.',
    );
  }
  const serverUrl = env.serverUrl;
  const { body, contentType, messageId } = simulatedInboundParse(args, config);
  let res: Response;
  try {
    res = await fetch(`${serverUrl}${INBOUND_PATH}?token=${encodeURIComponent(secret)}`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: new Uint8Array(body),
    });
  } catch (err) {
    throw new Error(`cannot reach the server at ${serverUrl}: ${(err as Error).message}`, { cause: err });
  }
  const answer = await res.text();
  if (res.status !== 200) {
    env.print(`The server answered ${res.status}: ${answer}`);
    throw new Error(
      `the inbound email was not accepted: HTTP ${res.status}${res.status === 403 ? ' (the server must have the same INBOUND_EMAIL_SECRET as this environment)' : ''}`,
    );
  }
  env.print(`email <${messageId}> → 200 ${answer.trim()}`);
  const ticketId = res.headers.get('x-freeda-ticket-id');
  if (!ticketId) {
    env.print('No ticket id in the answer (mail ignored or not understood: see the server log).');
    return;
  }
  env.print(`ticket: ${ticketId}`);
  await env.showReply(ticketId, messageId, { noReplyHint: 'chatbot off, handed to a human, or email sending disabled' });
}

export function emailSimulators(config: SimulateConfig): Record<'email', Simulator> {
  return { email: (args, env) => simulateEmail(args, env, config) };
}
