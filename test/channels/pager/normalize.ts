// A Pager message → the shared InboundEvent model. Pure: the clock value is passed in.
import type { InboundMessageEvent } from '../../../src/domain/events.js';
import { PAGER_CHANNEL, type PagerInbound } from './types.js';

export function normalizePagerInbound(message: PagerInbound, receivedAt: string): InboundMessageEvent {
  return {
    kind: 'message',
    channel: PAGER_CHANNEL,
    external_id: message.id,
    contact: { address: message.from },
    text: message.text.trim(),
    attachments: [],
    received_at: receivedAt,
    meta: { pager_sent_at: message.sent_at },
  };
}
