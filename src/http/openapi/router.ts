// GET /openapi.json (public): the document is built once.
import { Router } from 'express';
import type { ChannelAdapter } from '../../domain/channel.js';
import { openApiDocument } from './document.js';

export function openApiRouter(adapters: readonly ChannelAdapter[], options: { metricsOnApiPort: boolean }): Router {
  const router = Router();
  let document: unknown = null;
  router.get('/openapi.json', (_req, res) => {
    document ??= openApiDocument(adapters, options);
    res.setHeader('Cache-Control', 'no-cache');
    res.json(document);
  });
  return router;
}
