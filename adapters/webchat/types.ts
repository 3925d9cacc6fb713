// Web chat (channel `chat`): settings and the frames exchanged with a visitor over /ws.

import { declareChannel, type ChannelDeclaration } from '../../src/domain/capabilities.js';

/** The channel this adapter serves. */
export const CHAT_CHANNEL = 'chat';

export const CHAT_CHANNEL_DECLARATION: ChannelDeclaration = declareChannel(
  { name: CHAT_CHANNEL, label: 'Chat' },
  {
    max_chars: 600,
    style: { fr: 'Chat web : phrases courtes.', en: 'Web chat: short sentences.' },
  },
);

export interface RateLimit {
  /** Frames a connection may send in a burst. */
  capacity: number;
  /** One frame is credited back every `refillEveryMs`. */
  refillEveryMs: number;
}

export interface WebchatSettings {
  /** HMAC key for visitor tokens (WEBCHAT_SECRET, or generated per start). */
  secret: string;
  secretGenerated: boolean;
  /** Longest accepted message text, in characters. */
  maxTextChars: number;
  /** Largest accepted frame, in bytes (the hub closes the socket far beyond this; we answer an error frame). */
  maxFrameBytes: number;
  rateLimit: RateLimit;
  /** Per client IP: open connections, new tickets per hour (WEBCHAT_MAX_CONNECTIONS_PER_IP, WEBCHAT_MAX_NEW_TICKETS_PER_IP_PER_HOUR). */
  limits: { maxConnectionsPerIp: number; maxNewTicketsPerIpPerHour: number };
}

export const DEFAULT_LIMITS = {
  maxTextChars: 4000,
  maxFrameBytes: 16 * 1024,
  rateLimit: { capacity: 10, refillEveryMs: 1000 },
  limits: { maxConnectionsPerIp: 20, maxNewTicketsPerIpPerHour: 30 },
} as const;

/** Frames a visitor may send, once validated. */
export type VisitorFrame =
  | { type: 'hello'; visitor_token?: string; ticket_id?: string; name?: string }
  | { type: 'message'; client_id: string; text: string }
  | { type: 'ping' };

export type ParsedVisitorFrame = { ok: true; frame: VisitorFrame } | { ok: false; code: VisitorErrorCode; message: string };

export type VisitorErrorCode =
  | 'frame_too_large'
  | 'binary_not_supported'
  | 'invalid_json'
  | 'unsupported_type'
  | 'invalid_frame'
  | 'text_too_long'
  | 'hello_required'
  | 'already_greeted'
  | 'rate_limited'
  | 'internal_error';

/** What a visitor sees of a message: no delivery bookkeeping, no provider metadata. */
export interface VisitorMessage {
  message_id: string;
  ticket_id: string;
  direction: 'inbound' | 'outbound';
  author: 'customer' | 'bot' | 'agent' | 'system';
  text: string;
  attachments: unknown[];
  client_id: string | null;
  created_at: string;
  /** The replying agent as the customer sees it (AGENT_NAME_DISPLAY), null otherwise. */
  author_name: string | null;
}

/** What a visitor sees of a ticket: never the analytics (sentiment, summary) agents see. */
export interface VisitorTicket {
  ticket_id: string;
  status: string;
  closed_at: string | null;
  updated_at: string;
  previous_ticket_id: string | null;
}
