// The web chat module's environment keys (parsed by src/config.ts with the core's, documented in the README table).
import { z } from 'zod';
import { envPositiveInt, envString, type FragmentValues, type SharedConfig } from '../../src/domain/config.js';
import { DEFAULT_LIMITS } from './types.js';

const shape = {
  /** Secret used to sign web-chat visitor tokens; generated per start when unset (visitors then cannot resume after a restart). */
  WEBCHAT_SECRET: envString,
  /** Visitor WebSocket connections open at once per client IP (agents are not counted). */
  WEBCHAT_MAX_CONNECTIONS_PER_IP: envPositiveInt(DEFAULT_LIMITS.limits.maxConnectionsPerIp),
  /** Web-chat tickets a client IP may open per hour. */
  WEBCHAT_MAX_NEW_TICKETS_PER_IP_PER_HOUR: envPositiveInt(DEFAULT_LIMITS.limits.maxNewTicketsPerIpPerHour),
};

export const webchatConfig = {
  schema: z.object(shape),
  docs: {
    WEBCHAT_SECRET: 'Signs web-chat visitor tokens. Unset: generated on the first start and kept in `DATA_DIR/.webchat-secret` (0600).',
    WEBCHAT_MAX_CONNECTIONS_PER_IP:
      'Visitor WebSockets open at once per client IP (see `TRUST_PROXY`); one more is closed with 4029 and a `rate_limited` frame. Agents are not limited.',
    WEBCHAT_MAX_NEW_TICKETS_PER_IP_PER_HOUR:
      'Web-chat tickets one client IP may open per hour; past it the message is refused with a `rate_limited` frame and `retry_after` (seconds).',
  },
};

export type WebchatConfig = FragmentValues<typeof shape> & SharedConfig;
