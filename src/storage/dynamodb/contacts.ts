// Contact records (`C#<channel>#<address>`): opt-out and last inbound time, upserted field by field so two instances
// patching different fields of one contact do not overwrite each other.
import type { Channel, ContactRecord } from '../../domain/types.js';
import type { Item } from './client.js';
import { SINGLETON_SK, contactPk } from './keys.js';
import type { TableOps } from './ops.js';

type ContactPatch = Partial<Omit<ContactRecord, 'channel' | 'address'>>;

const CONTACT_DEFAULTS = { display_name: null, opted_out: false, opted_out_at: null, last_inbound_at: null } as const;

function itemToContact(item: Item): ContactRecord {
  return {
    channel: item.channel as Channel,
    address: String(item.address),
    display_name: (item.display_name as string | null | undefined) ?? null,
    opted_out: Boolean(item.opted_out),
    opted_out_at: (item.opted_out_at as string | null | undefined) ?? null,
    last_inbound_at: (item.last_inbound_at as string | null | undefined) ?? null,
    updated_at: String(item.updated_at),
  };
}

export function createContacts(ops: TableOps) {
  return {
    async get(channel: Channel, address: string): Promise<ContactRecord | null> {
      const item = await ops.get({ pk: contactPk(channel, address), sk: SINGLETON_SK });
      return item ? itemToContact(item) : null;
    },

    /** Sets the patched fields; a field not in the patch keeps its value, or gets its default on a new contact. */
    async upsert(channel: Channel, address: string, patch: ContactPatch, now: string): Promise<ContactRecord> {
      const names: Record<string, string> = { '#channel': 'channel', '#address': 'address', '#type': 'type' };
      const values: Record<string, unknown> = { ':channel': channel, ':address': address, ':type': 'contact', ':updated_at': now };
      const sets = ['#channel = :channel', '#address = :address', '#type = :type', '#updated_at = :updated_at'];
      names['#updated_at'] = 'updated_at';
      for (const [field, fallback] of Object.entries(CONTACT_DEFAULTS)) {
        const value = patch[field as keyof typeof CONTACT_DEFAULTS];
        names[`#${field}`] = field;
        values[`:${field}`] = value !== undefined ? value : fallback;
        sets.push(value !== undefined ? `#${field} = :${field}` : `#${field} = if_not_exists(#${field}, :${field})`);
      }
      const out = await ops.update({
        key: { pk: contactPk(channel, address), sk: SINGLETON_SK },
        update: `SET ${sets.join(', ')}`,
        names,
        values,
      });
      return itemToContact(out ?? {});
    },
  };
}
