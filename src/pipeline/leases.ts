// Leases on follow-up work: with several instances on one store, exactly one instance does each piece of work (bot
// turn, analytics run, outbound attempt, stale-work sweep). A lease has an owner and an expiry: a crashed owner's work
// is taken over by another instance once the lease has expired (the periodic sweep finds it still pending).
// The stored state stays the real guard: the work re-reads it under the lease, and the bot reply's external id
// `bot:<customer message id>` remains the last defence if an expired owner was only slow, not dead.

export interface Lease {
  name: string;
  /** Grows with every claim of this name: tells an old holder from a new one. */
  fence: number;
}

export interface LeaseStore {
  readonly kind: 'memory' | 'dynamodb';
  /** Claims `name` for `ttlMs`; null when another owner holds it and it has not expired. The same owner may claim again. */
  claim(name: string, ttlMs: number): Promise<Lease | null>;
  /** Extends a lease we still hold by `ttlMs` from now; false when it expired and another owner took it. */
  renew(lease: Lease, ttlMs: number): Promise<boolean>;
  /** Gives the lease back early (no-op when another owner has taken it since). */
  release(lease: Lease): Promise<void>;
}

/**
 * One process. Enough for the JSON store: it cannot be shared (one process per DATA_DIR, src/storage/json/lock.ts),
 * so no other instance can do the same work.
 */
export function createMemoryLeases(now: () => number = Date.now): LeaseStore {
  const held = new Map<string, { fence: number; expiresAt: number }>();
  let fences = 0;
  return {
    kind: 'memory',
    claim(name, ttlMs) {
      const current = held.get(name);
      if (current && current.expiresAt > now()) return Promise.resolve(null);
      const lease = { fence: ++fences, expiresAt: now() + ttlMs };
      held.set(name, lease);
      return Promise.resolve({ name, fence: lease.fence });
    },
    renew(lease, ttlMs) {
      const current = held.get(lease.name);
      if (current?.fence !== lease.fence) return Promise.resolve(false);
      current.expiresAt = now() + ttlMs;
      return Promise.resolve(true);
    },
    release(lease) {
      if (held.get(lease.name)?.fence === lease.fence) held.delete(lease.name);
      return Promise.resolve();
    },
  };
}

export interface LeaseOptions {
  leases: LeaseStore;
  ttlMs: number;
  onBusy?: (name: string) => void;
}

/**
 * Runs `job` under the lease `name`; undefined without running it when another instance holds it.
 * `keep`: not released after the job (the sweep: at most one per TTL across the instances).
 */
export async function withLease<T>(options: LeaseOptions, name: string, job: () => Promise<T>, keep = false): Promise<T | undefined> {
  const lease = await options.leases.claim(name, options.ttlMs);
  if (!lease) {
    options.onBusy?.(name);
    return undefined;
  }
  // Renewed while the job runs (a slow provider or a loaded machine must not hand the work to a second instance);
  // a crashed owner stops renewing, so its lease expires and the work is taken over.
  const renewal = keep
    ? undefined
    : setInterval(() => void options.leases.renew(lease, options.ttlMs).catch(() => false), Math.max(100, options.ttlMs / 3));
  renewal?.unref();
  try {
    return await job();
  } finally {
    clearInterval(renewal);
    if (!keep) await options.leases.release(lease).catch(() => undefined);
  }
}
