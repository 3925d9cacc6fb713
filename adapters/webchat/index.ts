// Web chat (channel `chat`): visitors on /ws without a token, replies pushed to their sockets (see README.md).
import { randomBytes } from 'node:crypto';
import type { BusEvent } from '../../src/domain/bus.js';
import type { AdapterDeps, ChannelAdapter, ChannelContext, ChannelModule } from '../../src/domain/channel.js';
import { webchatConfig, type WebchatConfig } from './config.js';
import { visitorTicket } from './normalize.js';
import { createChatSender } from './send.js';
import { createVisitorSession } from './session.js';
import { simulators } from './simulate.js';
import { createVisitorSockets } from './sockets.js';
import { CHAT_CHANNEL, CHAT_CHANNEL_DECLARATION, DEFAULT_LIMITS, type WebchatSettings } from './types.js';
import { visitorIdFromRandom } from './verify.js';

export function webchatSettings(
  config: Pick<WebchatConfig, 'WEBCHAT_SECRET'>,
  overrides: Partial<Omit<WebchatSettings, 'secret' | 'secretGenerated'>> = {},
): WebchatSettings {
  return {
    secret: config.WEBCHAT_SECRET ?? randomBytes(32).toString('base64url'),
    secretGenerated: config.WEBCHAT_SECRET === undefined,
    ...DEFAULT_LIMITS,
    ...overrides,
  };
}

export function createWebchatAdapter(settings: WebchatSettings, deps: Pick<AdapterDeps, 'logger'>): ChannelAdapter {
  const sockets = createVisitorSockets();
  let unsubscribe: (() => void) | null = null;

  if (settings.secretGenerated) {
    deps.logger.warn(
      {},
      'WEBCHAT_SECRET is not set: visitor tokens are signed with a key generated for this run, so visitors cannot resume their conversation after a restart',
    );
  }

  /** A visitor sees their conversation closed or reopened by an agent. */
  function onEvent(event: BusEvent): void {
    if (event.type !== 'ticket.status_changed' || event.data.channel !== CHAT_CHANNEL) return;
    sockets.push(event.data.contact.address, { type: 'ticket.status_changed', data: visitorTicket(event.data) });
  }

  function subscribe(ctx: ChannelContext): void {
    unsubscribe ??= ctx.subscribe(onEvent);
  }

  return {
    name: 'webchat',
    routes: [],
    sender: createChatSender(sockets),
    start(ctx) {
      subscribe(ctx);
    },
    stop() {
      unsubscribe?.();
      unsubscribe = null;
    },
    onVisitorConnection(socket, ctx) {
      subscribe(ctx);
      return createVisitorSession({ socket, ctx, settings, sockets, newVisitorId: () => visitorIdFromRandom(randomBytes(16)) });
    },
  };
}

/** The registry entry; `overrides` lets tests tighten limits (e.g. a rate limit that never refills). */
export function createWebchatModule(
  overrides: Partial<Omit<WebchatSettings, 'secret' | 'secretGenerated'>> = {},
): ChannelModule<typeof webchatConfig.schema.shape> {
  return {
    name: 'webchat',
    channels: [CHAT_CHANNEL_DECLARATION],
    config: webchatConfig,
    create: (config, deps) => createWebchatAdapter(webchatSettings(config, overrides), deps),
    simulators: () => simulators,
  };
}

export const webchatModule = createWebchatModule();
export default webchatModule;
