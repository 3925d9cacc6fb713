// Webhook routes for Twilio messaging: inbound SMS/MMS/WhatsApp and outbound status callbacks.
import twilio from 'twilio';
import type { ChannelContext, WebhookRequest, WebhookResponse, WebhookRoute } from '../../src/domain/channel.js';
import { normalizeInboundMessage, normalizeStatusCallback } from './normalize.js';
import { MESSAGING_PATH, STATUS_PATH, type TwilioMessagingSettings } from './types.js';
import { checkTwilioWebhook, type TwilioWebhookCheck } from './verify.js';

/** The empty TwiML answer: the bot's reply goes out later through the REST API, never inline. */
export function emptyTwiml(): string {
  return new twilio.twiml.MessagingResponse().toString();
}

// The core adds X-Freeda-Ticket-Id from the ingest outcome.
function twimlResponse(): WebhookResponse {
  return { status: 200, contentType: 'text/xml; charset=utf-8', body: emptyTwiml() };
}

/** Log a refused webhook with the URL(s) the signature was checked against: the usual cause is PUBLIC_BASE_URL. */
export function logRefusedWebhook(ctx: ChannelContext, req: WebhookRequest, check: Extract<TwilioWebhookCheck, { ok: false }>): void {
  const hint =
    check.reason === 'no_auth_token'
      ? 'TWILIO_AUTH_TOKEN is not set, so Twilio webhooks cannot be verified and are refused'
      : check.reason === 'missing_signature'
        ? 'no X-Twilio-Signature header'
        : `signature does not match ${check.urlsTried.join(' or ')}: PUBLIC_BASE_URL must be the URL exactly as Twilio calls it (scheme, host, port)`;
  ctx.logger.warn(
    { path: req.path, reason: check.reason, url_tried: check.urlsTried, request_id: req.requestId },
    `twilio webhook refused (403): ${hint}`,
  );
}

export function messagingRoutes(settings: TwilioMessagingSettings): WebhookRoute[] {
  const ownNumbers = [settings.smsFrom, settings.whatsappFrom].filter((n): n is string => !!n);

  const inbound: WebhookRoute = {
    method: 'POST',
    path: MESSAGING_PATH,
    maxBodyBytes: 256 * 1024,
    async handle(req, ctx) {
      const check = checkTwilioWebhook(req, settings.authToken);
      if (!check.ok) {
        logRefusedWebhook(ctx, req, check);
        return check.response;
      }
      const event = normalizeInboundMessage(check.params, { ownNumbers, receivedAt: ctx.now().toISOString() });
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
    async handle(req, ctx) {
      const check = checkTwilioWebhook(req, settings.authToken);
      if (!check.ok) {
        logRefusedWebhook(ctx, req, check);
        return check.response;
      }
      const event = normalizeStatusCallback(check.params, ctx.now().toISOString());
      await ctx.ingest(event);
      return twimlResponse();
    },
  };

  return [inbound, status];
}
