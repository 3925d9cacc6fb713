// Login throttling with rate-limiter-flexible: failed attempts counted per account (the e-mail as typed, lower-cased:
// unknown e-mails are counted the same way, so the 429 tells nothing about which exist) and per client IP. Checked
// before the password is hashed, so a blocked guesser costs no scrypt. In memory, per instance.
import { RateLimiterMemory } from 'rate-limiter-flexible';

export interface LoginThrottleOptions {
  perAccount: { points: number; durationSeconds: number };
  perIp: { points: number; durationSeconds: number };
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottleOptions = {
  perAccount: { points: 10, durationSeconds: 15 * 60 },
  perIp: { points: 50, durationSeconds: 15 * 60 },
};

export interface LoginThrottle {
  /** Seconds to wait when this account or IP has used up its failures, else 0. */
  blockedFor(email: string, ip: string): Promise<number>;
  failed(email: string, ip: string): Promise<void>;
  succeeded(email: string): Promise<void>;
}

export function createLoginThrottle(options: LoginThrottleOptions = DEFAULT_LOGIN_THROTTLE): LoginThrottle {
  const account = new RateLimiterMemory({
    keyPrefix: 'login_account',
    points: options.perAccount.points,
    duration: options.perAccount.durationSeconds,
  });
  const ip = new RateLimiterMemory({ keyPrefix: 'login_ip', points: options.perIp.points, duration: options.perIp.durationSeconds });
  const waitOf = async (limiter: RateLimiterMemory, key: string, points: number) => {
    const res = await limiter.get(key);
    return res && res.consumedPoints >= points ? Math.ceil(res.msBeforeNext / 1000) : 0;
  };
  // consume() rejects once the points are used up: the count is what matters here, not the rejection.
  const count = (limiter: RateLimiterMemory, key: string) =>
    limiter.consume(key).then(
      () => undefined,
      () => undefined,
    );
  return {
    async blockedFor(email, clientIp) {
      return Math.max(await waitOf(account, email, options.perAccount.points), await waitOf(ip, clientIp, options.perIp.points));
    },
    async failed(email, clientIp) {
      await Promise.all([count(account, email), count(ip, clientIp)]);
    },
    async succeeded(email) {
      await account.delete(email);
    },
  };
}
