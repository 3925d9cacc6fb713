import assert from 'node:assert/strict';

export interface StoredMessage {
  ticket_id: string;
  external_id: string | null;
  author: string;
  text: string;
  delivery: { status: string; provider_id: string | null } | null;
  meta?: Record<string, unknown>;
}

/** Every stored message, read through the API (every ticket, every message). */
export async function storedMessages(url: string, token = 'test-api-token'): Promise<StoredMessage[]> {
  const auth = { authorization: `Bearer ${token}` };
  const messages: StoredMessage[] = [];
  let cursor: string | null = null;
  do {
    const res: Response = await fetch(`${url}/tickets?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, {
      headers: auth,
    });
    assert.equal(res.status, 200);
    const page = (await res.json()) as { items: { ticket_id: string }[]; next_cursor: string | null };
    for (const t of page.items) {
      const detail = (await (await fetch(`${url}/tickets/${t.ticket_id}`, { headers: auth })).json()) as { messages: StoredMessage[] };
      messages.push(...detail.messages);
    }
    cursor = page.next_cursor;
  } while (cursor);
  return messages;
}

/** How many times each external id is stored, read through the API (every ticket, every message). */
export async function storedExternalIdCounts(url: string, token = 'test-api-token'): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const m of await storedMessages(url, token)) counts.set(m.external_id!, (counts.get(m.external_id!) ?? 0) + 1);
  return counts;
}
