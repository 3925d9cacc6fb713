// The set of channels this build serves, learned from the channel modules at composition time (src/app.ts, src/cli.ts).
// The core asks it what a channel can do and which names are valid; it never lists channels itself.
import type { ChannelCapabilities, ChannelDeclaration } from './capabilities.js';
import type { Channel } from './types.js';

export interface ChannelCatalog {
  /** Channel names in registry order. */
  readonly names: readonly Channel[];
  /** The declarations, in registry order (GET /channels). */
  readonly declarations: readonly ChannelDeclaration[];
  has(name: string): boolean;
  /** What the channel can do. A name no module declares (tickets left by a removed module) gets UNDECLARED_CHANNEL. */
  capabilities(channel: Channel): ChannelCapabilities;
}

/** A channel nobody serves any more: its tickets stay readable, nobody answers on it. */
export const UNDECLARED_CHANNEL: ChannelCapabilities = {
  threading: 'by_address',
  bot_turns: 'background',
  written_replies: false,
  reply: { max_chars: 600, style: { fr: '', en: '' } },
};

const CHANNEL_NAME = /^[a-z][a-z0-9_-]{0,31}$/;

/** Throws when two modules declare the same channel or a name is not a short lower-case word. */
export function createChannelCatalog(declarations: readonly ChannelDeclaration[]): ChannelCatalog {
  const byName = new Map<Channel, ChannelCapabilities>();
  for (const { name, capabilities } of declarations) {
    if (!CHANNEL_NAME.test(name)) throw new Error(`channel name ${JSON.stringify(name)} must match ${CHANNEL_NAME.source}`);
    if (byName.has(name)) throw new Error(`channel ${name} is declared by two channel modules`);
    byName.set(name, capabilities);
  }
  const names = [...byName.keys()];
  return {
    names,
    declarations: [...declarations],
    has: (name) => byName.has(name),
    capabilities: (channel) => byName.get(channel) ?? UNDECLARED_CHANNEL,
  };
}

/** The catalog of a list of channel modules (each declares its channels). */
export function catalogOf(modules: readonly { channels: readonly ChannelDeclaration[] }[]): ChannelCatalog {
  return createChannelCatalog(modules.flatMap((m) => m.channels));
}
