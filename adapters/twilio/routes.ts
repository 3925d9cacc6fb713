// Webhook routes for Twilio messaging: inbound SMS/MMS/WhatsApp and outbound status callbacks.
import twilio from 'twilio';
import type { WebhookResponse, WebhookRoute } from '../../src/domain/channel.js';
import type { InboundEvent } from '../../src/domain/events.js';
import { normalizeInboundMessage, normalizeStatusCallback } from './normalize.js';
import type { TwilioParams } from './parse.js';
import { MESSAGING_PATH, STATUS_PATH, type TwilioMessagingSettings } from './types.js';
import { checkedTwilioParams } from './ids.js';
import { verifyTwilioWebhook } from './verify.js';

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
  /** A verified form post that becomes one event; answered once ingest resolved (the durable write, or a duplicate). */
  const route = (
    path: string,
    maxBodyBytes: number,
    toEvent: (params: TwilioParams, receivedAt: string) => InboundEvent,
  ): WebhookRoute => ({
    method: 'POST',
    path,
    maxBodyBytes,
    verify: (req) => verifyTwilioWebhook(req, settings.authToken),
    async handle(req, ctx) {
      // Ids not in Twilio's format: 400, nothing stored. Unsupported shapes and our own echoes are acked (the core logs them).
      await ctx.ingest(toEvent(checkedTwilioParams(req, settings.accountSid), ctx.now().toISOString()));
      return twimlResponse();
    },
  });
  return [
    route(MESSAGING_PATH, 256 * 1024, (params, receivedAt) => normalizeInboundMessage(params, { ownNumbers, receivedAt })),
    route(STATUS_PATH, 64 * 1024, normalizeStatusCallback),
  ];
}
