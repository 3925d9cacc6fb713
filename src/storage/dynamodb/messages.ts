// Message items (`T#<ticket_id>` / `M#<message_id>`, in their ticket's partition) and the lookups that find one: by the
// provider's id of an inbound message (its dedup record) or of an outbound one (`P#<channel>#<provider_id>`).
import { compareMessages } from '../../domain/metrics.js';
import type { Channel, Message, Ticket } from '../../domain/types.js';
import { StoreConflictError } from '../../errors.js';
import type { MessageMutation } from '../types.js';
import { backoffMs, batchWriteAll, sleep } from './client.js';
import type { IntentItem } from './intents.js';
import { messageItem, prepareMessage } from './items.js';
import { DEDUP_SK, SINGLETON_SK, dedupPk, messageSk, providerPk, ticketPk } from './keys.js';
import type { TableOps } from './ops.js';

export interface MessageItems {
  get: (ticketId: string, messageId: string) => Promise<Message | null>;
  /** The ticket's messages in time order. */
  list: (ticketId: string) => Promise<Message[]>;
  findByExternalId: (channel: Channel, externalId: string) => Promise<Message | null>;
  findByProviderId: (channel: Channel, providerId: string) => Promise<Message | null>;
  indexProviderIds: (channel: Channel, ticketId: string, messageId: string, providerIds: string[]) => Promise<void>;
  /** Optimistic read-modify-write on the message's own version. */
  update: (ticketId: string, messageId: string, mutate: MessageMutation) => Promise<Message | null>;
}

export function createMessageItems(deps: {
  ops: TableOps;
  getTicket(ticketId: string): Promise<Ticket | null>;
  maxConflictRetries: number;
}): MessageItems {
  const { ops } = deps;

  const get = async (ticketId: string, messageId: string): Promise<Message | null> => {
    const item = await ops.get({ pk: ticketPk(ticketId), sk: messageSk(messageId) });
    return item ? (await ops.messagesOf([item]))[0] : null;
  };

  const indexProviderIds = async (channel: Channel, ticketId: string, messageId: string, providerIds: string[]): Promise<void> => {
    const item = (providerId: string) => ({
      pk: providerPk(channel, providerId),
      sk: SINGLETON_SK,
      type: 'provider_id',
      provider_id: providerId,
      ticket_id: ticketId,
      message_id: messageId,
    });
    const unique = [...new Set(providerIds.filter((id) => id))];
    await batchWriteAll(
      ops.doc,
      ops.table,
      unique.map((providerId) => ({ PutRequest: { Item: item(providerId) } })),
    );
  };

  return {
    get,
    indexProviderIds,
    async list(ticketId) {
      return (await ops.messagesOf(await ops.queryPartition(ticketPk(ticketId), 'M#'))).sort(compareMessages);
    },
    async findByExternalId(channel, externalId) {
      const intent = (await ops.get({ pk: dedupPk(channel, externalId), sk: DEDUP_SK })) as IntentItem | null;
      if (!intent || intent.state !== 'done' || !intent.ticket_id) return null;
      return get(intent.ticket_id, intent.message_id);
    },
    async findByProviderId(channel, providerId) {
      const index = await ops.get({ pk: providerPk(channel, providerId), sk: SINGLETON_SK });
      return index && index.provider_id === providerId ? get(String(index.ticket_id), String(index.message_id)) : null;
    },
    async update(ticketId, messageId, mutate) {
      for (let attempt = 0; attempt < deps.maxConflictRetries; attempt += 1) {
        const item = await ops.get({ pk: ticketPk(ticketId), sk: messageSk(messageId) });
        if (!item) return null;
        const current = (await ops.messagesOf([item]))[0];
        const changed = mutate(structuredClone(current));
        if (!changed) return current;
        const next: Message = { ...changed, ticket_id: current.ticket_id, message_id: current.message_id };
        const providerId = next.delivery?.provider_id;
        if (providerId && providerId !== current.delivery?.provider_id) {
          // Index first: a crash after it leaves an index entry pointing at the right message, never a lost status callback.
          const ticket = await deps.getTicket(ticketId);
          if (ticket) await indexProviderIds(ticket.channel, ticketId, messageId, [providerId]);
        }
        const prepared = prepareMessage(next);
        await ops.writeChunks(prepared);
        const mversion = Number(item.mversion ?? 0);
        const written = await ops.put({
          item: messageItem(prepared.stored, prepared.overflow, mversion + 1),
          condition: '#mversion = :v',
          values: { ':v': mversion },
        });
        if (written) return next;
        await sleep(backoffMs(attempt, 4, 120));
      }
      throw new StoreConflictError(`message ${messageId}: too many concurrent writes`);
    },
  };
}
