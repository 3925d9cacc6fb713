// Response figures are folded in on append; a delivery that later fails takes its reply back out.
import { statsFromMessages } from '../domain/metrics.js';
import type { TicketStore } from '../storage/types.js';

export async function refreshTicketStats(store: TicketStore, ticketId: string): Promise<void> {
  const stats = statsFromMessages(await store.getMessages(ticketId));
  await store.updateTicket(ticketId, (t) => (JSON.stringify(t.stats) === JSON.stringify(stats) ? null : { ...t, stats }));
}
