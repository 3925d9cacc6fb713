// A trivial channel adapter for core tests: POST /webhooks/test/inbound {"id","from","text"} → chat message.
import type { ChannelAdapter, OutboundSender, SendResult } from '../../src/domain/channel.js';
import { z } from 'zod';
import type { ChannelModule } from '../../src/registry.js';
import { CHAT_CHANNEL_DECLARATION } from '../../adapters/webchat/types.js';

export interface TestAdapterOptions {
  /** Outbound results to return in order (default: always ok). */
  sendResults?: SendResult[];
  sent?: { ticket_id: string; text: string }[];
}

export function testChannelModule(options: TestAdapterOptions = {}): ChannelModule {
  const results = [...(options.sendResults ?? [])];
  const sender: OutboundSender = {
    channels: ['chat'],
    send(req) {
      options.sent?.push({ ticket_id: req.ticket.ticket_id, text: req.message.text });
      return Promise.resolve(results.shift() ?? { ok: true, provider_id: `TP-${req.message.message_id}`, status: 'sent' });
    },
  };
  return {
    name: 'test',
    // Serves `chat` with the web chat's capabilities (threaded by address, bot answers in the background).
    channels: [CHAT_CHANNEL_DECLARATION],
    config: { schema: z.object({}), docs: {} },
    create: (_config, deps): ChannelAdapter => ({
      name: 'test',
      sender,
      routes: [
        {
          method: 'POST',
          path: '/webhooks/test/inbound',
          // Core tests: no provider to authenticate.
          verify: () => ({ ok: true }),
          async handle(req, ctx) {
            let body: { id?: unknown; from?: unknown; text?: unknown };
            try {
              body = JSON.parse(req.rawBody.toString('utf8')) as typeof body;
            } catch {
              return {
                status: 400,
                contentType: 'application/json',
                body: JSON.stringify({ error: { code: 'invalid_json', message: 'bad json' } }),
              };
            }
            if (typeof body?.id !== 'string' || typeof body.from !== 'string' || typeof body.text !== 'string') {
              return {
                status: 400,
                contentType: 'application/json',
                body: JSON.stringify({ error: { code: 'invalid_event', message: 'id, from, text required' } }),
              };
            }
            const outcome = await ctx.ingest({
              kind: 'message',
              channel: 'chat',
              external_id: body.id,
              contact: { address: body.from },
              text: body.text,
              attachments: [],
              received_at: deps.now().toISOString(),
            });
            return {
              status: 200,
              contentType: 'application/json',
              body: JSON.stringify(
                outcome.kind === 'stored'
                  ? { ticket_id: outcome.ticket.ticket_id, message_id: outcome.message.message_id, duplicate: outcome.duplicate }
                  : { kind: outcome.kind },
              ),
            };
          },
        },
      ],
    }),
  };
}
