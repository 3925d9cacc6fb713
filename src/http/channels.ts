// GET /channels: the channels this build serves, as their modules declare them (the dashboard's filter and labels).
import { Router } from 'express';
import type { ChannelCatalog } from '../domain/catalog.js';

export function channelsRouter(channels: ChannelCatalog): Router {
  const items = channels.declarations.map(({ name, label, capabilities }) => ({
    name,
    label,
    written_replies: capabilities.written_replies,
  }));
  const router = Router();
  router.get('/channels', (_req, res) => {
    res.json({ items });
  });
  return router;
}
