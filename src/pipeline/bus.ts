// The event bus port. In memory (one instance) or shared through Redis (several instances: src/pipeline/redis-bus.ts).
import type { BusEvent, VisitorFrameChannel } from '../domain/bus.js';

export type { VisitorFrame } from '../domain/bus.js';

/** An event with the bus's global sequence number (the agents' `seq`). */
export type SequencedBusEvent = BusEvent & { seq: number };

export interface BusHealth {
  kind: 'memory' | 'redis';
  /** `degraded`: events are queued here until the shared bus is reachable again (webhooks are still stored and acked). */
  state: 'ok' | 'degraded';
  /** Events published here and not yet on the shared bus. */
  queued: number;
  /** Events dropped because the queue was full (agents resync). */
  dropped?: number;
  detail?: string;
}

export interface EventBus {
  readonly kind: 'memory' | 'redis';
  publish(event: BusEvent): void;
  /**
   * Every event published on any instance sharing the bus, once, in publication order. `seq` is the global sequence
   * of a shared bus (the same on every instance); undefined in memory (the hub numbers events itself).
   */
  subscribe(listener: (event: BusEvent, seq?: number) => void): () => void;
  /** Visitor frames for the other instances (they push them to their own sockets); a no-op in memory. */
  readonly visitors: VisitorFrameChannel;
  /** Connects; returns the recent events of a shared bus (the hub's replay buffer, so agents can resume here). */
  start(): Promise<SequencedBusEvent[]>;
  health(): BusHealth;
  close(): Promise<void>;
}

/** Calls every listener; one that throws does not stop the others. */
export function fanOut<A extends unknown[]>(
  listeners: Iterable<(...args: A) => void>,
  args: A,
  onListenerError: (error: unknown) => void,
): void {
  for (const listener of listeners) {
    try {
      listener(...args);
    } catch (error) {
      onListenerError(error);
    }
  }
}

export function createInProcessBus(onListenerError: (error: unknown) => void): EventBus {
  const listeners = new Set<(event: BusEvent, seq?: number) => void>();
  return {
    kind: 'memory',
    publish(event) {
      fanOut(listeners, [event], onListenerError);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    visitors: {
      publish: () => undefined,
      subscribe: () => () => undefined,
    },
    start: () => Promise.resolve([]),
    health: () => ({ kind: 'memory', state: 'ok', queued: 0 }),
    close: () => Promise.resolve(),
  };
}
