// POST /webhooks/sendgrid/inbound: the core checks the secret (verify, before the body is read); the handler reads the
// multipart body, normalises, ingests, and answers 200 only once ingest resolved (durable write; a duplicate too).
import type { ChannelContext, WebhookRequest, WebhookResponse, WebhookRoute } from '../../src/domain/channel.js';
import type { IngestOutcome } from '../../src/domain/events.js';
import { bounceDeliveryFailures, normalizeInboundEmail } from './normalize.js';
import { InvalidMultipartError, parseInboundForm, readEmail } from './parse.js';
import type { SendGridSettings } from './types.js';
import { verifyInbound } from './verify.js';

export const INBOUND_PATH = '/webhooks/sendgrid/inbound';
/** SendGrid's documented limit is 30 MB per mail (attachments included); leave room for multipart overhead. */
export const INBOUND_MAX_BODY_BYTES = 40 * 1024 * 1024;

function json(status: number, body: unknown): WebhookResponse {
  return { status, contentType: 'application/json; charset=utf-8', body: JSON.stringify(body) };
}

function errorResponse(status: number, code: string, message: string): WebhookResponse {
  return json(status, { error: { code, message } });
}

function outcomeResponse(outcome: IngestOutcome): WebhookResponse {
  if (outcome.kind === 'stored') {
    // The core's webhook router adds X-Freeda-Ticket-Id / X-Freeda-Message-Id.
    return json(200, {
      status: outcome.duplicate ? 'duplicate' : 'stored',
      ticket_id: outcome.ticket.ticket_id,
      message_id: outcome.message.message_id,
    });
  }
  return json(200, { status: outcome.kind, reason: 'reason' in outcome ? outcome.reason : null });
}

export function inboundRoute(settings: SendGridSettings): WebhookRoute {
  const supportAddress = settings.SUPPORT_EMAIL_FROM?.toLowerCase() ?? null;
  return {
    method: 'POST',
    path: INBOUND_PATH,
    maxBodyBytes: INBOUND_MAX_BODY_BYTES,
    verify: (req) => verifyInbound(req, settings.INBOUND_EMAIL_SECRET),
    // The secret is in the URL or the Authorization header: refuse before up to 40 MB of body is read.
    verifyBeforeBody: true,
    async handle(req: WebhookRequest, ctx: ChannelContext): Promise<WebhookResponse> {
      let event;
      try {
        const form = await parseInboundForm(req.rawBody, req.headers['content-type'], {
          maxAttachmentBytes: settings.EMAIL_MAX_ATTACHMENT_BYTES,
          maxFieldBytes: INBOUND_MAX_BODY_BYTES,
        });
        const read = await readEmail(form, { maxAttachmentBytes: settings.EMAIL_MAX_ATTACHMENT_BYTES });
        event = read.ok
          ? normalizeInboundEmail(read.email, { supportAddress, receivedAt: ctx.now().toISOString() })
          : {
              kind: 'unsupported' as const,
              channel: 'email' as const,
              external_id: null,
              reason: read.reason,
              raw: {
                fields: [...form.fields.keys()],
                files: form.files.map((f) => ({ field: f.field, filename: f.filename, size: f.size })),
              },
            };
      } catch (err) {
        if (err instanceof InvalidMultipartError) {
          ctx.logger.warn(
            { path: req.path, request_id: req.requestId, reason: err.message },
            'sendgrid inbound refused (400): invalid multipart body',
          );
          return errorResponse(400, err.code, err.message);
        }
        throw err;
      }
      // Unsupported and ignored mail is acked (SendGrid would redeliver for three days) and logged by the core.
      if (event.kind === 'system_note') {
        ctx.logger.info(
          { external_id: event.external_id, loop: event.meta?.loop, request_id: req.requestId },
          'sendgrid inbound email is automatic: stored as a note, not answered',
        );
      }
      // A bounce marks the outbound mails it names as failed, with the reason (idempotent: a redelivery changes nothing).
      // Before the note, so the note is the outcome the response and its X-Freeda-* headers describe.
      if (event.kind === 'system_note') for (const failure of bounceDeliveryFailures(event)) await ctx.ingest(failure);
      const outcome = await ctx.ingest(event);
      return outcomeResponse(outcome);
    },
  };
}
