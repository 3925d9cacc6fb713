// Twilio messaging webhook params → InboundEvent. Pure: time and our own numbers are passed in.
import type { Attachment, DeliveryStatus } from '../../src/domain/types.js';
import type { InboundEvent, InboundMessageEvent } from '../../src/domain/events.js';
import { nonEmptyParam, param, type TwilioParams } from './parse.js';
import { normalizePhone, phoneOf } from './phone.js';

export interface NormalizeInboundOptions {
  /** Our own numbers (TWILIO_SMS_FROM, TWILIO_WHATSAPP_FROM), any form: a message from one of them is a loop. */
  ownNumbers: readonly string[];
  receivedAt: string;
}

// Whole-message keywords (case-insensitive, surrounding spaces/punctuation ignored), as Twilio's
// default opt-out handling matches them. "please stop calling" is a normal message.
const OPT_OUT_KEYWORDS = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT', 'ARRET', 'ARRÊT']);
const OPT_IN_KEYWORDS = new Set(['START', 'UNSTOP', 'YES']);
const HELP_KEYWORDS = new Set(['HELP', 'INFO', 'AIDE']);
/** Keywords Twilio itself answers on SMS (a bot reply on top would be noise). */
const CARRIER_ANSWERED_OPT_IN = new Set(['START', 'UNSTOP']);

export type Keyword = { kind: 'opt_out' | 'opt_in' | 'help'; word: string } | null;

export function detectKeyword(body: string, optOutType?: string): Keyword {
  // Twilio Advanced Opt-Out tells us directly.
  const advanced = optOutType?.trim().toUpperCase();
  if (advanced === 'STOP') return { kind: 'opt_out', word: body.trim().toUpperCase() || 'STOP' };
  if (advanced === 'START') return { kind: 'opt_in', word: body.trim().toUpperCase() || 'START' };
  if (advanced === 'HELP') return { kind: 'help', word: body.trim().toUpperCase() || 'HELP' };
  const word = body
    .trim()
    .replace(/^[\s.!?¡¿"'«»]+|[\s.!?¡¿"'«»]+$/g, '')
    .toUpperCase();
  if (!word || /\s/.test(word)) return null;
  if (OPT_OUT_KEYWORDS.has(word)) return { kind: 'opt_out', word };
  if (OPT_IN_KEYWORDS.has(word)) return { kind: 'opt_in', word };
  if (HELP_KEYWORDS.has(word)) return { kind: 'help', word };
  return null;
}

function mediaAttachments(params: TwilioParams): Attachment[] {
  const count = Number.parseInt(param(params, 'NumMedia') ?? '0', 10);
  const attachments: Attachment[] = [];
  const max = Number.isFinite(count) && count > 0 ? Math.min(count, 20) : 0;
  for (let i = 0; i < max; i++) {
    const url = nonEmptyParam(params, `MediaUrl${i}`);
    if (!url) continue;
    attachments.push({
      content_type: nonEmptyParam(params, `MediaContentType${i}`) ?? 'application/octet-stream',
      size: null,
      url,
    });
  }
  return attachments;
}

interface LocationShare {
  latitude: number;
  longitude: number;
  address: string | null;
  label: string | null;
}

function locationOf(params: TwilioParams): LocationShare | null {
  const lat = Number.parseFloat(param(params, 'Latitude') ?? '');
  const lon = Number.parseFloat(param(params, 'Longitude') ?? '');
  if (!Number.isFinite(lat) || !Number.isFinite(lon)) return null;
  return {
    latitude: lat,
    longitude: lon,
    address: nonEmptyParam(params, 'Address') ?? null,
    label: nonEmptyParam(params, 'Label') ?? null,
  };
}

export function locationText(location: LocationShare): string {
  const place = [location.label, location.address].filter(Boolean).join(', ');
  const coords = `${location.latitude}, ${location.longitude}`;
  return place ? `📍 ${place} (${coords})` : `📍 ${coords}`;
}

/** True when the address is one of our own numbers, on any channel. */
function isOwnNumber(address: string, ownNumbers: readonly string[]): boolean {
  const phone = phoneOf(address);
  if (!phone) return false;
  return ownNumbers.some((own) => phoneOf(own) === phone);
}

/** Provider status as Twilio reports it → our delivery status. Unknown → null. */
export function mapMessageStatus(status: string): DeliveryStatus | 'inbound' | null {
  switch (status.trim().toLowerCase()) {
    case 'accepted':
    case 'scheduled':
    case 'queued':
    case 'sending':
      return 'queued';
    case 'sent':
      return 'sent';
    case 'delivered':
    case 'partially_delivered':
      return 'delivered';
    case 'read':
      return 'read';
    case 'failed':
    case 'undelivered':
    case 'canceled':
      return 'failed';
    case 'receiving':
    case 'received':
      return 'inbound';
    default:
      return null;
  }
}

const ERROR_HINTS: Record<string, string> = {
  '63016':
    'Outside the WhatsApp 24 h customer service window: only an approved template can be sent. / Hors de la fenêtre WhatsApp de 24 h : seul un modèle approuvé peut être envoyé.',
  '21610': 'The recipient has opted out (replied STOP). / Le destinataire s’est désabonné (STOP).',
  '21211': 'The To number is not a valid phone number. / Numéro de destinataire invalide.',
};

export function twilioErrorHint(code: string | null | undefined): string | null {
  return code ? (ERROR_HINTS[code] ?? null) : null;
}

/** An inbound SMS/MMS/WhatsApp webhook → message, ignored (our own number) or unsupported. */
export function normalizeInboundMessage(params: TwilioParams, options: NormalizeInboundOptions): InboundEvent {
  const fromRaw = param(params, 'From') ?? '';
  const guessChannel = /^whatsapp:/i.test(fromRaw) ? 'whatsapp' : 'sms';
  const messageSid = nonEmptyParam(params, 'MessageSid') ?? nonEmptyParam(params, 'SmsMessageSid') ?? nonEmptyParam(params, 'SmsSid');
  if (!messageSid) {
    return {
      kind: 'unsupported',
      channel: guessChannel,
      external_id: null,
      reason: 'no MessageSid in the Twilio messaging webhook',
      raw: params,
    };
  }
  const from = normalizePhone(fromRaw);
  if (!from) {
    return {
      kind: 'unsupported',
      channel: guessChannel,
      external_id: messageSid,
      reason: `From is not a phone number: ${JSON.stringify(fromRaw)}`,
      raw: params,
    };
  }
  if (isOwnNumber(from.address, options.ownNumbers)) {
    return { kind: 'ignored', channel: from.channel, reason: `message from our own number ${from.address} (${messageSid})` };
  }

  const body = (param(params, 'Body') ?? '').replaceAll('\0', '');
  const attachments = mediaAttachments(params);
  const location = locationOf(params);
  const buttonText = nonEmptyParam(params, 'ButtonText');
  const buttonPayload = nonEmptyParam(params, 'ButtonPayload');
  const messageType = nonEmptyParam(params, 'MessageType');

  let text = body.trim();
  if (!text && buttonText) text = buttonText;
  if (!text && location) text = locationText(location);
  if (!text && attachments.length === 0) {
    return {
      kind: 'unsupported',
      channel: from.channel,
      external_id: messageSid,
      reason: `no text, media, location or button in the message${messageType ? ` (MessageType=${messageType})` : ''}`,
      raw: params,
    };
  }

  const meta: Record<string, unknown> = { twilio: params };
  const to = nonEmptyParam(params, 'To');
  if (to) meta.to = to;
  if (messageType) meta.message_type = messageType;
  const waId = nonEmptyParam(params, 'WaId');
  if (waId) meta.wa_id = waId;
  const profileName = nonEmptyParam(params, 'ProfileName');
  if (profileName) meta.profile_name = profileName;
  if (location) meta.location = location;
  if (buttonText || buttonPayload) {
    meta.button = { text: buttonText ?? null, payload: buttonPayload ?? null, type: nonEmptyParam(params, 'ButtonType') ?? null };
  }
  const repliedTo = nonEmptyParam(params, 'OriginalRepliedMessageSid');
  if (repliedTo) meta.replied_to = repliedTo;

  const event: InboundMessageEvent = {
    kind: 'message',
    channel: from.channel,
    external_id: messageSid,
    contact: { address: from.address, display_name: from.channel === 'whatsapp' ? (profileName ?? null) : null },
    text,
    attachments,
    received_at: options.receivedAt,
    meta,
  };
  if (repliedTo) event.thread = { replyToExternalIds: [repliedTo] };

  // Keywords only count on a text-only message: a photo captioned "stop" is not an opt-out.
  const keyword = attachments.length === 0 && !location ? detectKeyword(body, nonEmptyParam(params, 'OptOutType')) : null;
  if (keyword) {
    meta.keyword = keyword.word;
    if (keyword.kind === 'opt_out') {
      event.consent = 'opt_out';
      event.no_bot_reply = true;
    } else if (keyword.kind === 'opt_in') {
      event.consent = 'opt_in';
      // Twilio confirms START/UNSTOP itself on SMS; YES may be an answer to the bot, so the bot still replies.
      if (from.channel === 'sms' && CARRIER_ANSWERED_OPT_IN.has(keyword.word)) event.no_bot_reply = true;
    } else if (from.channel === 'sms') {
      // Twilio answers HELP/INFO on SMS; on WhatsApp it does not, so the bot answers.
      event.no_bot_reply = true;
    }
  }
  return event;
}

/** An outbound message status callback → delivery_status (or unsupported/ignored). */
export function normalizeStatusCallback(params: TwilioParams, at: string): InboundEvent {
  const isWhatsapp =
    /^whatsapp:/i.test(param(params, 'From') ?? '') ||
    /^whatsapp:/i.test(param(params, 'To') ?? '') ||
    param(params, 'ChannelPrefix') === 'whatsapp';
  const channel = isWhatsapp ? 'whatsapp' : 'sms';
  const messageSid = nonEmptyParam(params, 'MessageSid') ?? nonEmptyParam(params, 'SmsSid');
  const providerStatus = nonEmptyParam(params, 'MessageStatus') ?? nonEmptyParam(params, 'SmsStatus');
  if (!messageSid || !providerStatus) {
    return {
      kind: 'unsupported',
      channel,
      external_id: messageSid ?? null,
      reason: 'status callback without MessageSid or MessageStatus',
      raw: params,
    };
  }
  const status = mapMessageStatus(providerStatus);
  if (status === null) {
    return {
      kind: 'unsupported',
      channel,
      external_id: messageSid,
      reason: `unknown MessageStatus ${JSON.stringify(providerStatus)}`,
      raw: params,
    };
  }
  if (status === 'inbound') {
    return { kind: 'ignored', channel, reason: `status ${providerStatus} of an inbound message ${messageSid}` };
  }
  const errorCode = nonEmptyParam(params, 'ErrorCode') ?? null;
  const errorMessage = nonEmptyParam(params, 'ErrorMessage') ?? nonEmptyParam(params, 'ChannelStatusMessage') ?? twilioErrorHint(errorCode);
  return {
    kind: 'delivery_status',
    channel,
    provider_id: messageSid,
    status,
    provider_status: providerStatus,
    error_code: errorCode,
    error_message: errorMessage ?? null,
    at,
  };
}
