// `migrate --verify`: both stores read item by item through the export port (canonical records, blobs left out: both
// store types keep them in DATA_DIR/attachments) and compared by digest: every ticket, message, dedup key, contact,
// provider id, canned reply, contact profile and generic record (agents, tokens, audit…), plus counts per kind and per
// channel and status. Any difference is named (`ticket <id>`, `message <ticket>/<id>`, `record agent/<id>`…).
import { canonicalJson, sha256 } from './format.js';
import { canonicalRecords, type ExportSource } from './source.js';

export interface StoreDigest {
  /** item name → sha256 of its canonical JSON */
  items: Map<string, string>;
  /** `channel/status` → tickets */
  counts: Map<string, number>;
  /** Items per kind (`tickets`, `messages`, … `records agent`, `records audit`…). */
  kinds: Map<string, number>;
  tickets: number;
  messages: number;
}

const KIND_NAMES: Record<string, string> = {
  ticket: 'tickets',
  message: 'messages',
  dedup: 'dedup keys',
  contact: 'contacts',
  provider_id: 'provider ids',
  canned_reply: 'canned replies',
  contact_profile: 'contact profiles',
};

export async function digestStore(source: ExportSource): Promise<StoreDigest> {
  const digest: StoreDigest = { items: new Map(), counts: new Map(), kinds: new Map(), tickets: 0, messages: 0 };
  const tally = (kind: string) => digest.kinds.set(kind, (digest.kinds.get(kind) ?? 0) + 1);
  for await (const record of canonicalRecords(source)) {
    let name: string;
    switch (record.kind) {
      case 'ticket': {
        name = `ticket ${record.ticket.ticket_id}`;
        digest.tickets++;
        const key = `${record.ticket.channel}/${record.ticket.status}`;
        digest.counts.set(key, (digest.counts.get(key) ?? 0) + 1);
        break;
      }
      case 'message':
        name = `message ${record.message.ticket_id}/${record.message.message_id}`;
        digest.messages++;
        break;
      case 'dedup':
        name = `dedup key ${record.channel}/${record.external_id}`;
        break;
      case 'contact':
        name = `contact ${record.contact.channel}/${record.contact.address}`;
        break;
      case 'provider_id':
        name = `provider id ${record.channel}/${record.provider_id}`;
        break;
      case 'canned_reply':
        name = `canned reply ${record.canned_reply.canned_id}`;
        break;
      case 'contact_profile':
        name = `contact profile ${record.profile.contact_id}`;
        break;
      case 'record':
        name = `record ${record.record.kind}/${record.record.key}`;
        break;
      case 'blob':
        continue;
    }
    tally(record.kind === 'record' ? `records ${record.record.kind}` : KIND_NAMES[record.kind]);
    digest.items.set(name, sha256(canonicalJson(record)));
  }
  return digest;
}

export interface VerifyReport {
  differences: string[];
  counts: { key: string; source: number; target: number }[];
  kinds: { key: string; source: number; target: number }[];
}

export function compareDigests(source: StoreDigest, target: StoreDigest, maxListed = 50): VerifyReport {
  const differences: string[] = [];
  for (const [name, sha] of source.items) {
    const other = target.items.get(name);
    if (other === undefined) differences.push(`${name}: missing in the target`);
    else if (other !== sha) differences.push(`${name}: differs`);
  }
  for (const name of target.items.keys()) if (!source.items.has(name)) differences.push(`${name}: only in the target`);
  const side = (a: Map<string, number>, b: Map<string, number>) =>
    [...new Set([...a.keys(), ...b.keys()])].sort().map((key) => ({ key, source: a.get(key) ?? 0, target: b.get(key) ?? 0 }));
  const counts = side(source.counts, target.counts);
  const kinds = side(source.kinds, target.kinds);
  const shown = differences.slice(0, maxListed);
  if (differences.length > maxListed) shown.push(`… and ${differences.length - maxListed} more`);
  return { differences: shown, counts, kinds };
}

export async function verifyStores(source: ExportSource, target: ExportSource, say: (line: string) => void): Promise<boolean> {
  const [a, b] = await Promise.all([digestStore(source), digestStore(target)]);
  const report = compareDigests(a, b);
  for (const c of report.counts)
    say(`verify: ${c.key}: ${c.source} tickets in the source, ${c.target} in the target${c.source === c.target ? '' : '  <-- DIFFERENT'}`);
  for (const k of report.kinds)
    say(`verify: ${k.key}: ${k.source} in the source, ${k.target} in the target${k.source === k.target ? '' : '  <-- DIFFERENT'}`);
  for (const d of report.differences) say(`verify: DIFFERENT: ${d}`);
  if (report.differences.length) {
    say(`verify: FAILED: ${report.differences.length} difference(s) between the source and the target`);
    return false;
  }
  say(`verify: OK: ${a.tickets} tickets, ${a.messages} messages, ${a.items.size} items identical in both stores`);
  return true;
}
