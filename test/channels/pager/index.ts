// The Pager channel module: everything Freeda needs to serve a new channel, in this one folder. Registered only by the
// test that proves it (one registry line in a real build).
import type { ChannelModule, WebhookResponse } from '../../../src/domain/channel.js';
import { pagerConfig } from './config.js';
import { normalizePagerInbound } from './normalize.js';
import { parsePagerInbound } from './parse.js';
import { createPagerSender } from './send.js';
import { INBOUND_PATH, PAGER_CHANNEL_DECLARATION } from './types.js';
import { verifyPagerWebhook } from './verify.js';

const json = (status: number, body: unknown): WebhookResponse => ({ status, contentType: 'application/json', body: JSON.stringify(body) });

export const pagerModule: ChannelModule<typeof pagerConfig.schema.shape> = {
  name: 'pager',
  channels: [PAGER_CHANNEL_DECLARATION],
  config: pagerConfig,
  create(config) {
    const { PAGER_API_KEY: apiKey, PAGER_API_BASE_URL: apiBaseUrl } = config;
    const sender = apiKey && apiBaseUrl ? createPagerSender({ apiBaseUrl, apiKey }) : null;
    return {
      name: 'pager',
      sender,
      ...(sender ? {} : { senderDisabledReason: 'PAGER_API_KEY or PAGER_API_BASE_URL not set' }),
      routes: [
        {
          method: 'POST',
          path: INBOUND_PATH,
          maxBodyBytes: 64 * 1024,
          verify: (req) => verifyPagerWebhook(req, config.PAGER_SIGNING_SECRET),
          async handle(req, ctx) {
            const parsed = parsePagerInbound(req.rawBody);
            if (!parsed.ok) return json(400, { error: { code: 'invalid_payload', message: parsed.reason } });
            const outcome = await ctx.ingest(normalizePagerInbound(parsed.value, ctx.now().toISOString()));
            return json(200, { status: outcome.kind });
          },
        },
      ],
    };
  },
};
