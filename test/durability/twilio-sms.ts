// Signed Twilio SMS webhooks as Twilio sends them (form body, X-Twilio-Signature over the public URL + params).
import { randomBytes } from 'node:crypto';
import { signTwilioRequest } from '../../adapters/twilio/verify.js';
import { FIXTURE_AUTH_TOKEN, FIXTURE_SMS_FROM, formBody, loadFixture } from '../twilio/fixtures.js';

export const SMS_PATH = '/webhooks/twilio/messaging';

/** The env a server needs to verify these webhooks and send SMS through a fake Twilio at `apiBaseUrl`. */
export function twilioEnv(apiBaseUrl: string): Record<string, string> {
  return {
    TWILIO_AUTH_TOKEN: FIXTURE_AUTH_TOKEN,
    TWILIO_ACCOUNT_SID: 'AC' + 'a1b2c3d4'.repeat(4),
    TWILIO_SMS_FROM: FIXTURE_SMS_FROM,
    TWILIO_API_BASE_URL: apiBaseUrl,
  };
}

/** A fresh MessageSid in Twilio's format (SM + 32 hex). */
export const newMessageSid = (): string => 'SM' + randomBytes(16).toString('hex');

export interface SmsTarget {
  url: string;
  publicUrl: string;
}

export interface SmsAnswer {
  status: number;
  retryAfter: string | null;
  body: string;
  /** X-Freeda-Ticket-Id: the ticket the message was stored on. */
  ticketId: string | null;
}

let template: Record<string, string> | null = null;

/** POST one inbound SMS; resolves with the answer, rejects on a network error (refused, reset). */
export async function sendSms(target: SmsTarget, sms: { sid: string; from: string; body: string }): Promise<SmsAnswer> {
  template ??= loadFixture('messaging', 'sms-basic').params;
  const params = { ...template, MessageSid: sms.sid, SmsMessageSid: sms.sid, SmsSid: sms.sid, From: sms.from, Body: sms.body };
  const res = await fetch(target.url + SMS_PATH, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': signTwilioRequest(FIXTURE_AUTH_TOKEN, target.publicUrl + SMS_PATH, params),
    },
    body: formBody(params),
  });
  return {
    status: res.status,
    retryAfter: res.headers.get('retry-after'),
    body: await res.text(),
    ticketId: res.headers.get('x-freeda-ticket-id'),
  };
}
