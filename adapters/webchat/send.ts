// Outbound for `chat`: push the reply to the visitor's open sockets on this instance.
// 'delivered' when a socket took it, else 'sent' (the visitor gets it in the history when they come back).
import type { OutboundSender } from '../../src/domain/channel.js';
import { visitorMessage } from './normalize.js';
import type { VisitorSockets } from './sockets.js';
import { CHAT_CHANNEL } from './types.js';

export function createChatSender(sockets: VisitorSockets): OutboundSender {
  return {
    channels: [CHAT_CHANNEL],
    send({ ticket, message }) {
      const pushed = sockets.push(ticket.contact.address, { type: 'message', data: visitorMessage(message) });
      return Promise.resolve({
        ok: true,
        provider_id: `webchat:${message.message_id}`,
        status: pushed > 0 ? 'delivered' : 'sent',
        meta: { webchat_sockets: pushed },
      });
    },
  };
}
