// Web chat (channel `chat`): visitors on /ws without a token, replies pushed to their sockets (see README.md).
import { randomBytes } from 'node:crypto';
import type { BusEvent, VisitorFrame } from '../../src/domain/bus.js';
import type { AdapterDeps, ChannelAdapter, ChannelContext, ChannelModule } from '../../src/domain/channel.js';
import { webchatConfig, type WebchatConfig } from './config.js';
import { visitorTicket } from './normalize.js';
import { createChatSender } from './send.js';
import { createVisitorSession } from './session.js';
import { simulators } from './simulate.js';
import { createVisitorSockets } from './sockets.js';
import { CHAT_CHANNEL, CHAT_CHANNEL_DECLARATION, DEFAULT_LIMITS, type WebchatSettings } from './types.js';
import { memoryLimiters, type VisitorLimiters, type VisitorLimits } from './limits.js';
import { visitorIdFromRandom } from './verify.js';

export function webchatSettings(
  config: Pick<WebchatConfig, 'WEBCHAT_SECRET'> &
    Partial<Pick<WebchatConfig, 'WEBCHAT_MAX_CONNECTIONS_PER_IP' | 'WEBCHAT_MAX_NEW_TICKETS_PER_IP_PER_HOUR'>>,
  overrides: Partial<Omit<WebchatSettings, 'secret' | 'secretGenerated'>> = {},
  persistentSecret?: (name: string) => string,
): WebchatSettings {
  // No WEBCHAT_SECRET: the key the core keeps in DATA_DIR (same after a restart); per run only without one.
  const kept = config.WEBCHAT_SECRET === undefined ? persistentSecret?.('secret') : undefined;
  return {
    secret: config.WEBCHAT_SECRET ?? kept ?? randomBytes(32).toString('base64url'),
    secretGenerated: config.WEBCHAT_SECRET === undefined && kept === undefined,
    ...DEFAULT_LIMITS,
    limits: {
      maxConnectionsPerIp: config.WEBCHAT_MAX_CONNECTIONS_PER_IP ?? DEFAULT_LIMITS.limits.maxConnectionsPerIp,
      maxNewTicketsPerIpPerHour: config.WEBCHAT_MAX_NEW_TICKETS_PER_IP_PER_HOUR ?? DEFAULT_LIMITS.limits.maxNewTicketsPerIpPerHour,
    },
    ...overrides,
  };
}

/** What a deployment may plug in: the per-IP limiters (memory by default; e.g. Redis-backed ones across instances). */
export interface WebchatModuleOptions extends Partial<Omit<WebchatSettings, 'secret' | 'secretGenerated'>> {
  limiters?: (limits: VisitorLimits) => VisitorLimiters;
}

export function createWebchatAdapter(
  settings: WebchatSettings,
  deps: Pick<AdapterDeps, 'logger'>,
  limiters: VisitorLimiters = memoryLimiters(settings.limits),
): ChannelAdapter {
  const sockets = createVisitorSockets();
  let unsubscribe: (() => void) | null = null;
  let context: ChannelContext | null = null;

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

  /** A frame from another instance (shared bus) for a visitor whose socket may be open here. */
  function onVisitorFrame(frame: VisitorFrame): void {
    if (frame.channel === CHAT_CHANNEL) sockets.push(frame.visitor, frame.frame);
  }

  function subscribe(ctx: ChannelContext): void {
    context = ctx;
    if (unsubscribe) return;
    const offEvents = ctx.subscribe(onEvent);
    const offFrames = ctx.visitors?.subscribe(onVisitorFrame);
    unsubscribe = () => {
      offEvents();
      offFrames?.();
    };
  }

  return {
    name: 'webchat',
    routes: [],
    sender: createChatSender(sockets, () => context?.visitors),
    start(ctx) {
      subscribe(ctx);
    },
    stop() {
      unsubscribe?.();
      unsubscribe = null;
    },
    onVisitorConnection(socket, ctx) {
      subscribe(ctx);
      return createVisitorSession({ socket, ctx, settings, sockets, limiters, newVisitorId: () => visitorIdFromRandom(randomBytes(16)) });
    },
  };
}

/** The registry entry; `options` lets tests tighten limits (e.g. a rate limit that never refills) and deployments share limiters. */
export function createWebchatModule(options: WebchatModuleOptions = {}): ChannelModule<typeof webchatConfig.schema.shape> {
  const { limiters, ...overrides } = options;
  return {
    name: 'webchat',
    channels: [CHAT_CHANNEL_DECLARATION],
    config: webchatConfig,
    create: (config, deps) => {
      const settings = webchatSettings(config, overrides, deps.persistentSecret);
      return createWebchatAdapter(settings, deps, (limiters ?? memoryLimiters)(settings.limits));
    },
    simulators: () => simulators,
  };
}

export const webchatModule = createWebchatModule();
export default webchatModule;
