// DEMO_OUTBOUND=log: for channels whose adapter has no sender (no provider account), a stand-in that "delivers" each reply
// to a local log instead — one pino line and one JSON line in DATA_DIR/outbox.log — so a demo's tickets and CSV response
// times look like production. Off by default: without it those sends stay honestly `failed outbound_disabled`.
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { LoggerLike, OutboundSender } from '../domain/channel.js';
import type { Channel } from '../domain/types.js';

export const OUTBOX_FILE = 'outbox.log';

export function createLogSender(
  channels: readonly Channel[],
  deps: { logger: LoggerLike; outboxPath: string; now(): Date },
): OutboundSender {
  let ready: Promise<unknown> | null = null;
  return {
    channels,
    async send({ ticket, message, contact }) {
      const line = {
        at: deps.now().toISOString(),
        channel: ticket.channel,
        to: contact?.address ?? ticket.contact.address,
        ticket_id: ticket.ticket_id,
        message_id: message.message_id,
        author: message.author,
        text: message.text,
      };
      ready ??= mkdir(dirname(deps.outboxPath), { recursive: true });
      await ready;
      await appendFile(deps.outboxPath, JSON.stringify(line) + '\n', { mode: 0o600 });
      deps.logger.info(
        { channel: line.channel, ticket_id: line.ticket_id, message_id: line.message_id },
        'DEMO_OUTBOUND=log: reply written to the outbox, not sent',
      );
      return { ok: true, provider_id: `demo-${message.message_id}`, status: 'delivered' };
    },
  };
}
