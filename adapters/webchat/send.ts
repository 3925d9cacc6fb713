// Outbound for `chat`: push the reply to the visitor's open sockets on this instance, and through the bus's visitor
// channel to the other instances (EVENT_BUS=redis), which push it to theirs.
// 'delivered' when a socket here took it, else 'sent' (pushed elsewhere, or in the history when the visitor comes back).
import type { VisitorFrameChannel } from '../../src/domain/bus.js';
import type { OutboundSender } from '../../src/domain/channel.js';
import { visitorMessage } from './normalize.js';
import type { VisitorSockets } from './sockets.js';
import { CHAT_CHANNEL } from './types.js';

export function createChatSender(
  sockets: VisitorSockets,
  otherInstances: () => VisitorFrameChannel | undefined = () => undefined,
): OutboundSender {
  return {
    channels: [CHAT_CHANNEL],
    send({ ticket, message }) {
      const frame = { type: 'message', data: visitorMessage(message) };
      const pushed = sockets.push(ticket.contact.address, frame);
      otherInstances()?.publish({ channel: CHAT_CHANNEL, visitor: ticket.contact.address, frame });
      return Promise.resolve({
        ok: true,
        provider_id: `webchat:${message.message_id}`,
        status: pushed > 0 ? 'delivered' : 'sent',
        meta: { webchat_sockets: pushed },
      });
    },
  };
}
