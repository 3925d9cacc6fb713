// Admin view of outgoing webhooks: GET /webhooks/outgoing (configuration and queue), GET /webhooks/outgoing/dead
// (dead-lettered deliveries), POST /webhooks/outgoing/dead/:delivery_id/retry (back in the queue, same event id).
import { Router } from 'express';
import { NotFoundError } from '../errors.js';
import type { OutgoingDelivery } from '../outgoing/queue.js';
import type { OutgoingWebhooks } from '../outgoing/webhooks.js';

/** A delivery as admins see it: the event parsed back from the stored body. */
function view(delivery: OutgoingDelivery) {
  const { body, ...rest } = delivery;
  return { ...rest, event: JSON.parse(body) as unknown };
}

export function outgoingWebhooksRouter(outgoing: OutgoingWebhooks | null, urls: readonly string[]): Router {
  const router = Router();
  router.get('/webhooks/outgoing', (_req, res) => {
    res.json({
      enabled: outgoing !== null,
      urls,
      pending: outgoing?.pendingCount ?? 0,
      dead: outgoing?.listDead().length ?? 0,
    });
  });
  router.get('/webhooks/outgoing/dead', (_req, res) => {
    res.json({ items: (outgoing?.listDead() ?? []).map(view) });
  });
  router.post('/webhooks/outgoing/dead/:delivery_id/retry', async (req, res) => {
    const id = String(req.params.delivery_id);
    const revived = outgoing ? await outgoing.retryDead(id) : null;
    if (!revived) throw new NotFoundError('delivery_not_found', `No dead-lettered delivery ${id.slice(0, 80)}.`);
    res.status(202).json(view(revived));
  });
  return router;
}
