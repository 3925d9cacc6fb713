// Lists and exports: one index partition per channel (gsi1 by channel, gsi2 by channel + status, both sorted by
// created_at), queried in parallel and merged — newest first for pages, oldest first for exports. Never a Scan.
// The cursor holds, per channel, the key to resume from (or 'done') and a fingerprint of the filter it was made for.
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Channel, Ticket } from '../../domain/types.js';
import { ValidationError } from '../../errors.js';
import type { Page, TicketFilter } from '../types.js';
import { itemToTicket } from './items.js';
import {
  GSI_CHANNEL,
  GSI_CHANNEL_STATUS,
  META_SK,
  channelGsiPk,
  channelStatusGsiPk,
  createdRange,
  decodeCursor,
  encodeCursor,
  type ExclusiveKey,
  type ListCursor,
} from './keys.js';
import type { TableOps } from './ops.js';

export interface TicketListing {
  listTickets(filter: TicketFilter, limit: number, cursor?: string | null): Promise<Page<Ticket>>;
  iterateTickets(filter: TicketFilter): AsyncIterable<Ticket>;
}

/** Keys an export reads per channel partition at a time (memory stays at one page per channel plus one batch). */
const EXPORT_PAGE = 100;

export function createTicketListing(deps: { ops: TableOps; channels: readonly Channel[] }): TicketListing {
  const { ops } = deps;

  const channelsOf = (filter: TicketFilter): Channel[] =>
    filter.channels?.length ? deps.channels.filter((c) => filter.channels!.includes(c)) : [...deps.channels];

  const fingerprint = (filter: TicketFilter): string => {
    const channels = [...(filter.channels?.length ? filter.channels : deps.channels)].sort();
    return JSON.stringify([filter.status ?? null, channels, filter.created_from ?? null, filter.created_to ?? null]);
  };

  /** Which index (and its attribute names) serves the filter on one channel. */
  const indexOf = (channel: Channel, filter: TicketFilter) =>
    filter.status !== undefined
      ? { index: GSI_CHANNEL_STATUS, pkName: 'gsi2pk', skName: 'gsi2sk', pkValue: channelStatusGsiPk(channel, filter.status) }
      : { index: GSI_CHANNEL, pkName: 'gsi1pk', skName: 'gsi1sk', pkValue: channelGsiPk(channel) };

  const sortKey = (key: ExclusiveKey, filter: TicketFilter): string => (filter.status !== undefined ? key.gsi2sk : key.gsi1sk);

  /** One page of index keys for one channel, paging by LastEvaluatedKey until `want` keys or the end. */
  async function queryIndexKeys(
    channel: Channel,
    filter: TicketFilter,
    page: { ascending: boolean; want: number; start: ExclusiveKey | undefined },
  ): Promise<{ keys: ExclusiveKey[]; more: boolean }> {
    const { index, pkName, skName, pkValue } = indexOf(channel, filter);
    const { lo, hi } = createdRange(filter.created_from, filter.created_to);
    if (lo !== undefined && hi !== undefined && lo > hi) return { keys: [], more: false };
    const values: Record<string, unknown> = { ':p': pkValue };
    let condition = '#pk = :p';
    if (lo !== undefined && hi !== undefined) {
      condition += ' AND #sk BETWEEN :lo AND :hi';
      values[':lo'] = lo;
      values[':hi'] = hi;
    } else if (lo !== undefined) {
      condition += ' AND #sk >= :lo';
      values[':lo'] = lo;
    } else if (hi !== undefined) {
      condition += ' AND #sk <= :hi';
      values[':hi'] = hi;
    }
    const keys: ExclusiveKey[] = [];
    let exclusiveStart = page.start;
    for (;;) {
      const out = await ops.doc.send(
        new QueryCommand({
          TableName: ops.table,
          IndexName: index,
          KeyConditionExpression: condition,
          ExpressionAttributeNames: condition.includes('#sk') ? { '#pk': pkName, '#sk': skName } : { '#pk': pkName },
          ExpressionAttributeValues: values,
          ScanIndexForward: page.ascending,
          Limit: page.want - keys.length,
          ExclusiveStartKey: exclusiveStart,
        }),
      );
      keys.push(...((out.Items ?? []) as ExclusiveKey[]));
      exclusiveStart = out.LastEvaluatedKey as ExclusiveKey | undefined;
      if (!exclusiveStart) return { keys, more: false };
      if (keys.length >= page.want) return { keys, more: true };
    }
  }

  /** Tickets for index keys, re-read consistently; drops any whose status moved since the index was written. */
  async function ticketsForKeys(keys: ExclusiveKey[], filter: TicketFilter): Promise<Ticket[]> {
    const items = await ops.batchGet(keys.map((k) => ({ pk: k.pk, sk: k.sk })));
    return items.map(itemToTicket).filter((t) => filter.status === undefined || t.status === filter.status);
  }

  /** Every resume key must be a ticket key of the very index partition it will be used on. */
  function cursorKeysFit(pos: ListCursor['pos'], filter: TicketFilter): boolean {
    const channels = channelsOf(filter);
    return Object.entries(pos).every(([channel, key]) => {
      if (!channels.includes(channel) || key === undefined) return false;
      if (key === 'done') return true;
      const { pkName, skName, pkValue } = indexOf(channel, filter);
      const names = Object.keys(key).sort().join(',');
      return (
        names === ['pk', 'sk', pkName, skName].sort().join(',') && key[pkName] === pkValue && key.sk === META_SK && key.pk.startsWith('T#')
      );
    });
  }

  async function listTickets(filter: TicketFilter, limit: number, cursor?: string | null): Promise<Page<Ticket>> {
    const filterPrint = fingerprint(filter);
    let position: ListCursor['pos'] = {};
    if (cursor) {
      const decoded = decodeCursor(cursor);
      if (!decoded || decoded.f !== filterPrint || !cursorKeysFit(decoded.pos, filter)) {
        throw new ValidationError('invalid_cursor', 'The cursor is not valid for this query.');
      }
      position = decoded.pos;
    }
    const pageSize = Math.max(1, Math.floor(limit));
    const channels = channelsOf(filter).filter((c) => position[c] !== 'done');
    // Each channel partition is queried newest first (limit + 1 keys tells whether more remain), then merged.
    const perChannel = await Promise.all(
      channels.map(async (channel) => {
        const start = position[channel];
        const page = await queryIndexKeys(channel, filter, {
          ascending: false,
          want: pageSize + 1,
          start: start === 'done' ? undefined : start,
        });
        return { channel, ...page };
      }),
    );
    const merged = perChannel
      .flatMap(({ channel, keys }) => keys.map((key) => ({ channel, key, sort: sortKey(key, filter) })))
      .sort((a, b) => (a.sort < b.sort ? 1 : a.sort > b.sort ? -1 : 0));
    const taken = merged.slice(0, pageSize);
    const nextPos: ListCursor['pos'] = { ...position };
    for (const { channel, keys, more } of perChannel) {
      const consumed = taken.filter((t) => t.channel === channel);
      if (consumed.length === keys.length && !more) nextPos[channel] = 'done';
      else if (consumed.length) nextPos[channel] = consumed[consumed.length - 1].key;
    }
    const hasMore = merged.length > taken.length || perChannel.some((p) => p.more);
    const items = await ticketsForKeys(
      taken.map((t) => t.key),
      filter,
    );
    return { items, next_cursor: hasMore ? encodeCursor({ v: 1, f: filterPrint, pos: nextPos }) : null };
  }

  async function* iterateTickets(filter: TicketFilter): AsyncIterable<Ticket> {
    type Stream = { channel: Channel; buffer: ExclusiveKey[]; start: ExclusiveKey | undefined; ended: boolean };
    const streams: Stream[] = channelsOf(filter).map((channel) => ({ channel, buffer: [], start: undefined, ended: false }));
    const refill = async (s: Stream) => {
      if (s.buffer.length || s.ended) return;
      const page = await queryIndexKeys(s.channel, filter, { ascending: true, want: EXPORT_PAGE, start: s.start });
      s.buffer = page.keys;
      s.start = page.keys.length ? page.keys[page.keys.length - 1] : s.start;
      s.ended = !page.more;
    };
    // k-way merge of the per-channel ascending streams.
    for (;;) {
      await Promise.all(streams.map(refill));
      const batch: ExclusiveKey[] = [];
      while (batch.length < EXPORT_PAGE) {
        let best: Stream | null = null;
        for (const s of streams) {
          if (!s.buffer.length) continue;
          if (!best || sortKey(s.buffer[0], filter) < sortKey(best.buffer[0], filter)) best = s;
        }
        if (!best) break;
        batch.push(best.buffer.shift()!);
        if (!best.buffer.length && !best.ended) break; // refill before comparing again
      }
      if (!batch.length) return;
      for (const ticket of await ticketsForKeys(batch, filter)) yield ticket;
    }
  }

  return { listTickets, iterateTickets };
}
