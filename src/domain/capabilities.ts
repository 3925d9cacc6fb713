// What a channel can do, declared by the adapter that serves it (ChannelModule.channels) and read by the core, which
// never names a channel. A new channel states these once, in its own folder.
import type { Channel } from './types.js';

export type ReplyLanguage = 'fr' | 'en';

/** How a bot reply is shaped before it is sent on the channel. */
export interface ReplyShape {
  /** Longest reply in characters; longer text is cut at a sentence (or word) end. With `letter`, the body's limit. */
  max_chars: number;
  /** Most SMS segments a reply may take (GSM-7: 160, or 153 per part; UCS-2: 70, or 67 per part). */
  max_segments?: number;
  /** Transliterate to the GSM-7 alphabet (accents, typographic quotes; emoji dropped) so a segment holds 153–160 characters. */
  gsm7?: boolean;
  /** One line: line breaks become spaces. */
  single_line?: boolean;
  /** Read aloud by text-to-speech: no URLs, emoji or markup symbols. */
  speakable?: boolean;
  /** A letter: greeting line and sign-off around the body (the model writes the body only). */
  letter?: boolean;
  /** The channel's rule as given to the generative model, per reply language (the core adds the `max_chars` limit). */
  style: Record<ReplyLanguage, string>;
}

export interface ChannelCapabilities {
  /**
   * How an inbound message finds its ticket. `by_address`: it joins the contact's open ticket on the channel.
   * `by_headers`: only the thread hints the adapter found (email In-Reply-To/References, reply token) join a ticket;
   * otherwise it opens a new one.
   */
  threading: 'by_address' | 'by_headers';
  /**
   * Where the bot answers. `background`: after the ack, from the work queue, sent through the channel's sender.
   * `synchronous`: the adapter asks for the bot's turn inside the webhook (ChannelContext.botTurnNow) and delivers it
   * itself (a phone call speaks the answer).
   */
  bot_turns: 'background' | 'synchronous';
  /** An agent can answer in writing on this channel (false: a phone ticket is answered by calling back). */
  written_replies: boolean;
  reply: ReplyShape;
}

export interface ChannelDeclaration {
  /** The channel's name as stored on tickets and used in filters (`sms`, `email`…). */
  name: Channel;
  /** How the dashboard shows it (`SMS`, `Téléphone`…). */
  label: string;
  capabilities: ChannelCapabilities;
}

/**
 * A channel declaration: by default a conversation (joins the contact's open ticket, the bot answers in the background,
 * agents write back); a channel that differs says how in `differs`.
 */
export function declareChannel(
  channel: { name: Channel; label: string },
  reply: ReplyShape,
  differs: Partial<Omit<ChannelCapabilities, 'reply'>> = {},
): ChannelDeclaration {
  return { ...channel, capabilities: { threading: 'by_address', bot_turns: 'background', written_replies: true, ...differs, reply } };
}
