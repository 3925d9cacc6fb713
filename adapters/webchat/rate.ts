// Per-connection token bucket. Pure: the caller passes the clock.
import type { RateLimit } from './types.js';

export interface TokenBucket {
  /** Takes one token; false when the bucket is empty. */
  take(nowMs: number): boolean;
}

export function createTokenBucket(limit: RateLimit, startMs: number): TokenBucket {
  let tokens = limit.capacity;
  let last = startMs;
  return {
    take(nowMs) {
      const credited = Math.floor((nowMs - last) / limit.refillEveryMs);
      if (credited > 0) {
        tokens = Math.min(limit.capacity, tokens + credited);
        last = tokens === limit.capacity ? nowMs : last + credited * limit.refillEveryMs;
      }
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}
