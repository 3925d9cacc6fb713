// Webhook routes for Twilio messaging: inbound SMS/MMS/WhatsApp and outbound status callbacks.
import twilio from 'twilio';
import type { WebhookResponse, WebhookRoute } from '../../src/domain/channel.js';
import { normalizeInboundMessage, normalizeStatusCallback } from './normalize.js';
import { MESSAGING_PATH, STATUS_PATH, type TwilioMessagingSettings } from './types.js';
import { twilioParams, verifyTwilioWebhook } from './verify.js';

/** The empty TwiML answer: the bot's reply goes out later through the REST API, never inline. */
export function emptyTwiml(): string {
  return new twilio.twiml.MessagingResponse().toString();
}

// The core adds X-Freeda-Ticket-Id from the ingest outcome.
function twimlResponse(): WebhookResponse {
  return { status: 200, contentType: 'text/xml; charset=utf-8', body: emptyTwiml() };
}

export function messagingRoutes(settings: TwilioMessagingSettings): WebhookRoute[] {
  const ownNumbers = [settings.smsFrom, settings.whatsappFrom].filter((n): n is string => !!n);
  const verify: WebhookRoute['verify'] = (req) => verifyTwilioWebhook(req, settings.authToken);

  const inbound: WebhookRoute = {
    method: 'POST',
    path: MESSAGING_PATH,
    maxBodyBytes: 256 * 1024,
    verify,
    async handle(req, ctx) {
      const event = normalizeInboundMessage(twilioParams(req), { ownNumbers, receivedAt: ctx.now().toISOString() });
      // Unsupported shapes and our own echoes are acked too (the core logs them). Answer only once ingest has
      // resolved, i.e. after the durable write (a duplicate resolves too).
      await ctx.ingest(event);
      return twimlResponse();
    },
  };

  const status: WebhookRoute = {
    method: 'POST',
    path: STATUS_PATH,
    maxBodyBytes: 64 * 1024,
    verify,
    async handle(req, ctx) {
      await ctx.ingest(normalizeStatusCallback(twilioParams(req), ctx.now().toISOString()));
      return twimlResponse();
    },
  };

  return [inbound, status];
}
