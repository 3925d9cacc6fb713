// The json store's generic records in memory: per kind, a map by key plus the keys kept sorted (cursor listing).
import type { StoredRecord } from '../records.js';

export class RecordIndex {
  private readonly byKind = new Map<string, { byKey: Map<string, StoredRecord>; sorted: string[] }>();

  get(kind: string, key: string): StoredRecord | undefined {
    return this.byKind.get(kind)?.byKey.get(key);
  }

  put(record: StoredRecord): void {
    let entry = this.byKind.get(record.kind);
    if (!entry) this.byKind.set(record.kind, (entry = { byKey: new Map(), sorted: [] }));
    if (!entry.byKey.has(record.key)) {
      const at = upperBound(entry.sorted, record.key);
      // Keys mostly arrive in order (time-prefixed audit keys, ULIDs): appending is the common case.
      if (at === entry.sorted.length) entry.sorted.push(record.key);
      else entry.sorted.splice(at, 0, record.key);
    }
    entry.byKey.set(record.key, record);
  }

  /** Up to `limit` records strictly after (asc) or before (desc) `after`, in that order. */
  page(kind: string, limit: number, after: string | null, order: 'asc' | 'desc'): StoredRecord[] {
    const entry = this.byKind.get(kind);
    if (!entry) return [];
    const out: StoredRecord[] = [];
    if (order === 'asc') {
      for (let i = after === null ? 0 : upperBound(entry.sorted, after); i < entry.sorted.length && out.length < limit; i++)
        out.push(entry.byKey.get(entry.sorted[i])!);
    } else {
      for (let i = (after === null ? entry.sorted.length : lowerBound(entry.sorted, after)) - 1; i >= 0 && out.length < limit; i--)
        out.push(entry.byKey.get(entry.sorted[i])!);
    }
    return out;
  }

  all(): StoredRecord[] {
    const out: StoredRecord[] = [];
    for (const entry of this.byKind.values()) out.push(...entry.byKey.values());
    return out;
  }
}

/** First index whose key is > value. */
function upperBound(sorted: string[], value: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose key is >= value. */
function lowerBound(sorted: string[], value: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
