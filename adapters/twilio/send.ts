// Outbound SMS/WhatsApp through the twilio SDK (messages.create). Retries are the core's job:
// this only says whether an error is worth retrying.
import { prefixedWithAuthor } from '../../src/domain/authors.js';
import twilio from 'twilio';
import type { Channel } from '../../src/domain/types.js';
import type { OutboundSendRequest, OutboundSender, ReconcileResult, SendResult } from '../../src/domain/channel.js';
import { leadingParts, listRecent, matchParts, type ListedMessage } from './reconcile.js';
import { mapMessageStatus, twilioErrorHint } from './normalize.js';
import { splitText } from './split.js';
import { MAX_BODY_CHARS, STATUS_PATH, WHATSAPP_WINDOW_MS, type TwilioMessagingSettings } from './types.js';

export interface TwilioSenderDeps {
  now(): Date;
  /** Base URL Twilio calls us on; the status callback is built from it at send time. */
  publicBaseUrl: () => string;
}

/** The subset of the twilio client the sender uses (lets tests see what was built). */
export type TwilioClient = ReturnType<typeof twilio>;

export function createTwilioClient(settings: TwilioMessagingSettings): TwilioClient {
  // autoRetry off: the core's persisted retry queue owns retries (they survive a restart).
  const client = twilio(settings.accountSid, settings.authToken, { autoRetry: false, timeout: 15_000 });
  if (settings.apiBaseUrl) client.api.baseUrl = settings.apiBaseUrl.replace(/\/+$/, '');
  return client;
}

export type SenderAvailability = { ok: true; channels: Channel[] } | { ok: false; reason: string };

/** Which channels can send, or why outbound is off. */
export function senderAvailability(settings: TwilioMessagingSettings): SenderAvailability {
  const missing: string[] = [];
  if (!settings.accountSid) missing.push('TWILIO_ACCOUNT_SID');
  if (!settings.authToken) missing.push('TWILIO_AUTH_TOKEN');
  if (missing.length) return { ok: false, reason: `${missing.join(' and ')} not set: SMS/WhatsApp replies are disabled` };
  const channels: Channel[] = [];
  if (settings.smsFrom || settings.messagingServiceSid) channels.push('sms');
  if (settings.whatsappFrom || settings.messagingServiceSid) channels.push('whatsapp');
  if (!channels.length) {
    return {
      ok: false,
      reason: 'none of TWILIO_SMS_FROM, TWILIO_WHATSAPP_FROM, TWILIO_MESSAGING_SERVICE_SID is set: SMS/WhatsApp replies are disabled',
    };
  }
  return { ok: true, channels };
}

export function whatsappAddress(address: string): string {
  return /^whatsapp:/i.test(address) ? `whatsapp:${address.replace(/^whatsapp:/i, '')}` : `whatsapp:${address}`;
}

type Route = { to: string; from?: string; messagingServiceSid?: string };

/** Twilio `To`/`From`/`MessagingServiceSid` for a reply on this channel. */
export function routing(channel: Channel, contactAddress: string, settings: TwilioMessagingSettings): Route | null {
  if (channel === 'whatsapp') {
    const to = whatsappAddress(contactAddress);
    if (settings.whatsappFrom) return { to, from: whatsappAddress(settings.whatsappFrom) };
    if (settings.messagingServiceSid) return { to, messagingServiceSid: settings.messagingServiceSid };
    return null;
  }
  if (channel === 'sms') {
    const to = contactAddress.replace(/^whatsapp:/i, '');
    if (settings.smsFrom) return { to, from: settings.smsFrom };
    if (settings.messagingServiceSid) return { to, messagingServiceSid: settings.messagingServiceSid };
    return null;
  }
  return null;
}

/** Network errors raised before the request left this process: Twilio cannot have the message. */
const NOT_SENT_NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

export type TwilioFailure = { retryable: boolean; error_code: string; error_message: string; outcome_unknown?: true };

/**
 * Whether a failed create is worth retrying, with the code recorded on the message, and whether Twilio may have created
 * the message anyway (`outcome_unknown`: reconciled before any resend):
 * - an answer from Twilio's API (its JSON error with a code, 4xx or 5xx): it did not create it;
 * - a 5xx without Twilio's error body (a gateway or load balancer answered, e.g. 502/504): unknown;
 * - a network error before the request was sent (refused, DNS, TLS): not created;
 * - any other network error (reset, hang-up, timeout after the request was written): unknown.
 */
export function classifyTwilioError(err: unknown): TwilioFailure {
  if (
    err instanceof twilio.RestException ||
    (typeof err === 'object' && err !== null && 'status' in err && typeof err.status === 'number')
  ) {
    const rest = err as { status: number; code?: number; message?: string };
    const fromTwilio = rest.code !== undefined && rest.code !== null;
    const code = fromTwilio ? String(rest.code) : `http_${rest.status}`;
    const message = rest.message || twilioErrorHint(code) || `Twilio answered HTTP ${rest.status}`;
    // 20429 is Twilio's "too many requests" code (can come with 429 or 400 status).
    const retryable = rest.status === 429 || rest.status >= 500 || code === '20429';
    return { retryable, error_code: code, error_message: message, ...(rest.status >= 500 && !fromTwilio ? { outcome_unknown: true } : {}) };
  }
  const e = err as { code?: string; message?: string } | null;
  const failure = {
    retryable: true,
    error_code: e?.code ? `network_${e.code}` : 'network_error',
    error_message: e?.message ?? String(err),
  };
  return e?.code && NOT_SENT_NETWORK_CODES.has(e.code) ? failure : { ...failure, outcome_unknown: true };
}

export interface TwilioSenderOptions {
  settings: TwilioMessagingSettings;
  client: TwilioClient;
  channels: readonly Channel[];
  deps: TwilioSenderDeps;
}

export function createTwilioSender(options: TwilioSenderOptions): OutboundSender {
  const { settings, client, deps } = options;
  // Parts of a long reply already accepted by Twilio, per message: a retry resumes after them instead of
  // sending them twice. In memory; after a restart (or an unknown outcome) `reconcile` rebuilds it from Twilio's list.
  const sentParts = new Map<string, string[]>();

  function precheck(req: OutboundSendRequest): { ok: true } | { ok: false; error_code: string; error_message: string } {
    if (req.contact?.opted_out) {
      return {
        ok: false,
        error_code: 'opted_out',
        error_message:
          'The contact replied STOP: no message may be sent until they reply START. / Le contact a répondu STOP : aucun envoi avant START.',
      };
    }
    if (req.ticket.channel === 'whatsapp') {
      const times = [req.lastInbound?.created_at, req.contact?.last_inbound_at]
        .filter((t): t is string => !!t)
        .map((t) => Date.parse(t))
        .filter((t) => Number.isFinite(t));
      const last = times.length ? Math.max(...times) : null;
      if (last === null || deps.now().getTime() - last > WHATSAPP_WINDOW_MS) {
        return {
          ok: false,
          error_code: '63016',
          error_message:
            'Outside the WhatsApp 24 h window (no customer message in the last 24 h): a free-form reply cannot be sent, only an approved template. / Hors de la fenêtre WhatsApp de 24 h : réponse libre impossible, seul un modèle approuvé peut être envoyé.',
        };
      }
    }
    return { ok: true };
  }

  async function send(req: OutboundSendRequest): Promise<SendResult> {
    const refused = precheck(req);
    if (!refused.ok) return { ok: false, retryable: false, error_code: refused.error_code, error_message: refused.error_message };
    const route = routing(req.ticket.channel, req.ticket.contact.address, settings);
    if (!route) {
      return {
        ok: false,
        retryable: false,
        error_code: 'channel_not_configured',
        error_message: `No Twilio sender configured for channel ${req.ticket.channel}.`,
      };
    }
    const parts = splitText(prefixedWithAuthor(req.message), MAX_BODY_CHARS);
    const done = sentParts.get(req.message.message_id) ?? [];
    let lastStatus = 'queued';
    for (let i = done.length; i < parts.length; i++) {
      try {
        const created = await client.messages.create({
          to: route.to,
          ...(route.from ? { from: route.from } : { messagingServiceSid: route.messagingServiceSid }),
          body: parts[i],
          statusCallback: deps.publicBaseUrl().replace(/\/+$/, '') + STATUS_PATH,
        });
        done.push(created.sid);
        lastStatus = created.status ?? lastStatus;
        if (parts.length > 1) {
          sentParts.set(req.message.message_id, done);
          // Bounded: entries of messages the core gave up on would otherwise stay forever.
          if (sentParts.size > 1000) sentParts.delete(sentParts.keys().next().value!);
        }
      } catch (err) {
        const failure = classifyTwilioError(err);
        if (!failure.retryable) sentParts.delete(req.message.message_id);
        const partNote = done.length ? ` (parts 1-${done.length} of ${parts.length} were sent: ${done.join(', ')})` : '';
        return {
          ok: false,
          retryable: failure.retryable,
          error_code: failure.error_code,
          error_message: failure.error_message + partNote,
          ...(failure.error_code === '21610' ? { contact_opted_out: true } : {}),
          ...(failure.outcome_unknown ? { outcome_unknown: true } : {}),
        };
      }
    }
    sentParts.delete(req.message.message_id);
    return sentResult(done, lastStatus, route);
  }

  /** Twilio has every part (sids in order); `lastStatus` is the status of the last one. */
  function sentResult(
    sids: string[],
    lastStatus: string,
    route: Route,
    extraMeta: Record<string, unknown> = {},
  ): Extract<SendResult, { ok: true }> {
    const [first, ...rest] = sids;
    const mapped = mapMessageStatus(lastStatus);
    const status = mapped && mapped !== 'inbound' ? mapped : 'queued';
    return {
      ok: true,
      provider_id: first,
      status,
      ...(rest.length ? { extra_provider_ids: rest } : {}),
      meta: {
        parts: sids.length,
        ...(route.from ? { from: route.from } : { messaging_service_sid: route.messagingServiceSid }),
        ...extraMeta,
      },
    };
  }

  /** Twilio's list of the recipient's recent messages decides: all parts there → sent; some → resume after them. */
  async function reconcile(req: OutboundSendRequest): Promise<ReconcileResult> {
    const route = routing(req.ticket.channel, req.ticket.contact.address, settings);
    if (!route) return { state: 'not_sent' };
    let listed: ListedMessage[];
    try {
      listed = await listRecent(client, route);
    } catch (err) {
      return { state: 'unknown', reason: `Twilio message list unavailable: ${classifyTwilioError(err).error_message}` };
    }
    const parts = splitText(prefixedWithAuthor(req.message), MAX_BODY_CHARS);
    const known = new Set(
      req.history.filter((m) => m.message_id !== req.message.message_id && m.delivery?.provider_id).map((m) => m.delivery!.provider_id!),
    );
    const found = leadingParts(matchParts(parts, listed, req.message, known));
    if (found.length === parts.length) {
      sentParts.delete(req.message.message_id);
      return {
        state: 'sent',
        result: sentResult(
          found.map((m) => m.sid),
          found[found.length - 1].status,
          route,
          { reconciled: true },
        ),
      };
    }
    if (found.length > 0)
      sentParts.set(
        req.message.message_id,
        found.map((m) => m.sid),
      );
    else sentParts.delete(req.message.message_id);
    return { state: 'not_sent' };
  }

  return { channels: options.channels, precheck, send, reconcile };
}
