// Per client IP limits of the web chat, with rate-limiter-flexible: concurrent visitor connections, and new tickets per
// hour. In memory by default; any RateLimiterAbstract fits (a RateLimiterRedis shared by several instances, for example),
// passed to createWebchatModule({ limiters }).
import ipaddr from 'ipaddr.js';
import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

export interface VisitorLimiters {
  /**
   * Open visitor connections per IP: `points` = the limit, one consumed per connection and given back when it closes.
   * A shared store should use a `duration` as a safety net (an instance that dies never gives its points back).
   */
  connections: RateLimiterAbstract;
  /** New tickets per IP: `points` per `duration` (3600 s). */
  newTickets: RateLimiterAbstract;
}

export interface VisitorLimits {
  maxConnectionsPerIp: number;
  maxNewTicketsPerIpPerHour: number;
}

export function memoryLimiters(limits: VisitorLimits): VisitorLimiters {
  return {
    // duration 0: a point lives until it is given back (the connection closes).
    connections: new RateLimiterMemory({ keyPrefix: 'webchat-conn', points: limits.maxConnectionsPerIp, duration: 0 }),
    newTickets: new RateLimiterMemory({ keyPrefix: 'webchat-tickets', points: limits.maxNewTicketsPerIpPerHour, duration: 3600 }),
  };
}

/**
 * The key a client address is counted under: an IPv4 address (also when IPv4-mapped), or the /64 network of an IPv6 one
 * (one subscriber usually holds a whole /64: counting single addresses would let it open 2^64 times the limit).
 */
export function limitKey(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  const parsed = ipaddr.process(address);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const parts = (parsed as ipaddr.IPv6).parts.slice(0, 4).map((p) => p.toString(16));
  return `${parts.join(':')}::/64`;
}

/** When a refused visitor may try again, in seconds. */
export type Admission = { ok: true } | { ok: false; retryAfterSeconds: number };

/** Seconds suggested to a visitor refused for too many open connections (freed only when one closes). */
export const CONNECTION_RETRY_SECONDS = 30;

async function consume(limiter: RateLimiterAbstract, key: string): Promise<RateLimiterRes | null> {
  try {
    await limiter.consume(key);
    return null;
  } catch (refusal) {
    if (refusal instanceof RateLimiterRes) return refusal;
    throw refusal;
  }
}

/** One more connection for this IP, or a refusal (the refused attempt's point is given back: it holds no connection). */
export async function admitConnection(limiters: VisitorLimiters, ip: string): Promise<Admission> {
  if (!(await consume(limiters.connections, ip))) return { ok: true };
  await limiters.connections.reward(ip, 1);
  return { ok: false, retryAfterSeconds: CONNECTION_RETRY_SECONDS };
}

/** The connection closed: its point is given back; an IP with none left is forgotten (memory stays bounded by live IPs). */
export async function releaseConnection(limiters: VisitorLimiters, ip: string): Promise<void> {
  const left = await limiters.connections.reward(ip, 1);
  // A connection admitted between these two calls loses its count (one more allowed at worst): cheaper than a lock.
  if (left.consumedPoints <= 0) await limiters.connections.delete(ip);
}

/** One more new ticket for this IP this hour, or when the next one is allowed. */
export async function admitNewTicket(limiters: VisitorLimiters, ip: string): Promise<Admission> {
  const refusal = await consume(limiters.newTickets, ip);
  return refusal ? { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(refusal.msBeforeNext / 1000)) } : { ok: true };
}
