// GET /metrics (Prometheus text). On the API port it needs an API token; with METRICS_PORT set it is served only on
// that port, without a token (a port the operator keeps private: scrapers rarely hold application tokens).
import { createServer, type Server } from 'node:http';
import { Router } from 'express';
import type { Metrics } from '../observability/metrics.js';
import { errorBody } from './errors.js';

export function metricsRouter(metrics: Metrics): Router {
  const router = Router();
  router.get('/metrics', async (_req, res) => {
    const { contentType, body } = await metrics.render();
    res.setHeader('Content-Type', contentType);
    res.setHeader('Cache-Control', 'no-store');
    res.send(body);
  });
  return router;
}

/** A bare HTTP server answering GET /metrics only (METRICS_PORT). */
export function createMetricsServer(metrics: Metrics): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(errorBody('route_not_found', 'This port serves GET /metrics only.')));
      return;
    }
    metrics.render().then(
      ({ contentType, body }) => {
        res.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      (error: Error) => {
        res.writeHead(500, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(errorBody('internal_error', `Metrics could not be collected: ${error.message}`)));
      },
    );
  });
}
