// POST /webhooks/sendgrid/inbound: verify the secret, read the multipart body, normalise, ingest,
// and answer 200 only once ingest resolved (durable write; a duplicate resolves the same way).
import type { ChannelContext, WebhookRequest, WebhookResponse, WebhookRoute } from '../../src/domain/channel.js';
import type { IngestOutcome } from '../../src/domain/events.js';
import { bounceDeliveryFailures, normalizeInboundEmail } from './normalize.js';
import { InvalidMultipartError, parseInboundForm, readEmail } from './parse.js';
import type { SendGridSettings } from './types.js';
import { verifyInboundSecret, type InboundAuthResult } from './verify.js';

export const INBOUND_PATH = '/webhooks/sendgrid/inbound';
/** SendGrid's documented limit is 30 MB per mail (attachments included); leave room for multipart overhead. */
export const INBOUND_MAX_BODY_BYTES = 40 * 1024 * 1024;

function json(status: number, body: unknown): WebhookResponse {
  return { status, contentType: 'application/json; charset=utf-8', body: JSON.stringify(body) };
}

function errorResponse(status: number, code: string, message: string): WebhookResponse {
  return json(status, { error: { code, message } });
}

const REFUSAL_HINTS: Record<Extract<InboundAuthResult, { ok: false }>['reason'], string> = {
  secret_not_configured:
    'INBOUND_EMAIL_SECRET is not set, so inbound email cannot be authenticated and every Inbound Parse post is refused',
  missing_credentials: 'no ?token= in the URL and no HTTP Basic credentials',
  wrong_secret: 'the token or Basic password does not match INBOUND_EMAIL_SECRET',
};

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
  let warnedUnconfigured = false;
  const refusal = (req: WebhookRequest, ctx: ChannelContext): WebhookResponse | null => {
    const auth = verifyInboundSecret(req, settings.INBOUND_EMAIL_SECRET);
    if (auth.ok) return null;
    const log =
      auth.reason === 'secret_not_configured' && !warnedUnconfigured ? ctx.logger.error.bind(ctx.logger) : ctx.logger.warn.bind(ctx.logger);
    if (auth.reason === 'secret_not_configured') warnedUnconfigured = true;
    log(
      { path: req.path, reason: auth.reason, request_id: req.requestId },
      `sendgrid inbound refused (403): ${REFUSAL_HINTS[auth.reason]}`,
    );
    return errorResponse(
      403,
      'forbidden',
      'Inbound email must carry ?token=<INBOUND_EMAIL_SECRET> or HTTP Basic credentials with that secret as password.',
    );
  };
  return {
    method: 'POST',
    path: INBOUND_PATH,
    maxBodyBytes: INBOUND_MAX_BODY_BYTES,
    // The secret is in the URL or the Authorization header: refuse before up to 40 MB of body is read.
    authorize(req: WebhookRequest, ctx: ChannelContext): WebhookResponse | null {
      return refusal(req, ctx);
    },
    async handle(req: WebhookRequest, ctx: ChannelContext): Promise<WebhookResponse> {
      const refused = refusal(req, ctx);
      if (refused) return refused;
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
