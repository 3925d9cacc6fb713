import assert from 'node:assert/strict';

/** How many times each external id is stored, read through the API (every ticket, every message). */
export async function storedExternalIdCounts(url: string, token = 'test-api-token'): Promise<Map<string, number>> {
  const auth = { authorization: `Bearer ${token}` };
  const counts = new Map<string, number>();
  let cursor: string | null = null;
  do {
    const res: Response = await fetch(`${url}/tickets?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, {
      headers: auth,
    });
    assert.equal(res.status, 200);
    const page = (await res.json()) as { items: { ticket_id: string }[]; next_cursor: string | null };
    for (const t of page.items) {
      const detail = (await (await fetch(`${url}/tickets/${t.ticket_id}`, { headers: auth })).json()) as {
        messages: { external_id: string }[];
      };
      for (const m of detail.messages) counts.set(m.external_id, (counts.get(m.external_id) ?? 0) + 1);
    }
    cursor = page.next_cursor;
  } while (cursor);
  return counts;
}
