// Visitor message → InboundEvent, and the visitor's view of stored messages and tickets. Pure.
import { customerAuthorNameOf } from '../../src/domain/authors.js';
import type { InboundMessageEvent } from '../../src/domain/events.js';
import type { Message, Ticket } from '../../src/domain/types.js';
import { CHAT_CHANNEL, type VisitorMessage, type VisitorTicket } from './types.js';

/** The external id makes a resend after reconnect (same client id) a duplicate. */
export function externalIdFor(visitorId: string, clientId: string): string {
  return `${visitorId}:${clientId}`;
}

export function normalizeVisitorMessage(input: {
  visitorId: string;
  displayName: string | null;
  clientId: string;
  text: string;
  receivedAt: string;
}): InboundMessageEvent {
  return {
    kind: 'message',
    channel: CHAT_CHANNEL,
    external_id: externalIdFor(input.visitorId, input.clientId),
    contact: { address: input.visitorId, display_name: input.displayName },
    text: input.text.trim(),
    attachments: [],
    received_at: input.receivedAt,
  };
}

export function visitorMessage(message: Message): VisitorMessage {
  const ownPrefix = message.direction === 'inbound' && message.external_id ? message.external_id.indexOf(':') : -1;
  return {
    message_id: message.message_id,
    ticket_id: message.ticket_id,
    direction: message.direction,
    author: message.author,
    text: message.text,
    attachments: message.attachments.map((a) => ({
      content_type: a.content_type,
      size: a.size,
      filename: a.filename ?? null,
      url: a.url ?? null,
    })),
    client_id: ownPrefix > 0 ? message.external_id!.slice(ownPrefix + 1) : null,
    created_at: message.created_at,
    author_name: customerAuthorNameOf(message),
  };
}

export function visitorTicket(
  ticket: Pick<Ticket, 'ticket_id' | 'status' | 'closed_at' | 'updated_at' | 'previous_ticket_id'>,
): VisitorTicket {
  return {
    ticket_id: ticket.ticket_id,
    status: ticket.status,
    closed_at: ticket.closed_at,
    updated_at: ticket.updated_at,
    previous_ticket_id: ticket.previous_ticket_id ?? null,
  };
}
