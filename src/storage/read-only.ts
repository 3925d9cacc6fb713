// Cut-over support: a switch that pauses every write of this instance (reads keep working). While it is on, a write
// fails with 503 `store_read_only` + Retry-After, so providers retry the webhook later — against the new instance once
// traffic has moved — and nothing is lost. `drained()` resolves once the writes that were already running are done:
// from then on the old store holds everything this instance ever acknowledged. See docs/migration-dynamodb.md.
import { UnavailableError } from '../errors.js';
import type { TicketStore } from './types.js';

const WRITES = new Set<string>([
  'ingest',
  'appendMessage',
  'indexProviderIds',
  'updateTicket',
  'updateMessage',
  'setStatus',
  'upsertContact',
]);

export const READ_ONLY_RETRY_AFTER_S = 5;

export interface ReadOnlySwitch {
  readonly on: boolean;
  readonly since: string | null;
  readonly inFlight: number;
  set(on: boolean): void;
  /** Resolves when no write started before the switch is still running (or after timeoutMs; false then). */
  drained(timeoutMs: number): Promise<boolean>;
}

export function withReadOnlySwitch(
  store: TicketStore,
  now: () => Date = () => new Date(),
): { store: TicketStore; readOnly: ReadOnlySwitch } {
  let on = false;
  let since: string | null = null;
  let inFlight = 0;
  let waiters: (() => void)[] = [];
  const settle = () => {
    if (inFlight > 0) return;
    for (const w of waiters) w();
    waiters = [];
  };
  const readOnly: ReadOnlySwitch = {
    get on() {
      return on;
    },
    get since() {
      return since;
    },
    get inFlight() {
      return inFlight;
    },
    set(value) {
      on = value;
      since = value ? (since ?? now().toISOString()) : null;
    },
    drained(timeoutMs) {
      if (inFlight === 0) return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        waiters.push(() => {
          clearTimeout(timer);
          resolve(true);
        });
      });
    },
  };
  const gated = new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      if (typeof property !== 'string' || !WRITES.has(property)) return method.bind(target);
      return async (...args: unknown[]) => {
        if (on)
          throw new UnavailableError(
            'store_read_only',
            'This instance is switching to another store: writes are paused for a few seconds. Retry shortly.',
            READ_ONLY_RETRY_AFTER_S,
          );
        inFlight++;
        try {
          return await method.apply(target, args);
        } finally {
          inFlight--;
          settle();
        }
      };
    },
  });
  return { store: gated, readOnly };
}
