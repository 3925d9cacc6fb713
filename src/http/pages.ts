// The browser pages: /chat (embeddable visitor chat) and /agent (dashboard). Vanilla JS, no build step.
// Served with a strict Content-Security-Policy: scripts and styles only from our origin, no inline code.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Router, type Response } from 'express';

const STATIC_DIR = new URL('./static/', import.meta.url);

const ASSETS: Record<string, string> = {
  'chat.js': 'text/javascript; charset=utf-8',
  'agent.js': 'text/javascript; charset=utf-8',
  'session.js': 'text/javascript; charset=utf-8',
  'admin.js': 'text/javascript; charset=utf-8',
  'freeda.css': 'text/css; charset=utf-8',
  'account.css': 'text/css; charset=utf-8',
  'reports.js': 'text/javascript; charset=utf-8',
  'reports.css': 'text/css; charset=utf-8',
};

/** Chart.js's UMD build, served from node_modules by our origin (CSP script-src 'self' stays). */
// (its `exports` map hides dist/, so the file is found next to the package's main entry, dist/chart.cjs)
const CHART_JS = join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js');

const HOST = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/;

/**
 * frame-ancestors: the chat may be embedded in a customer's site (iframe); the dashboard never.
 * connect-src names the WebSocket origin explicitly as well: older Safari does not match ws: against 'self'.
 */
export function contentSecurityPolicy(embeddable: boolean, host?: string): string {
  const socketOrigins = host && HOST.test(host) ? ` ws://${host} wss://${host}` : '';
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self'${socketOrigins}`,
    "base-uri 'none'",
    "form-action 'none'",
    `frame-ancestors ${embeddable ? '*' : "'none'"}`,
  ].join('; ');
}

function send(res: Response, contentType: string, body: Buffer, csp: string | null): void {
  res.setHeader('Content-Type', contentType);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cache-Control', 'no-cache');
  if (csp) res.setHeader('Content-Security-Policy', csp);
  res.send(body);
}

export function pagesRouter(): Router {
  const read = (name: string) => readFileSync(new URL(name, STATIC_DIR));
  const chatHtml = read('chat.html');
  const agentHtml = read('agent.html');
  const reportsHtml = read('reports.html');
  const chartJs = readFileSync(CHART_JS);
  const assets = new Map(Object.keys(ASSETS).map((name) => [name, read(name)]));
  const router = Router();
  router.get('/chat', (req, res) => send(res, 'text/html; charset=utf-8', chatHtml, contentSecurityPolicy(true, req.headers.host)));
  router.get('/agent', (req, res) => {
    res.setHeader('X-Frame-Options', 'DENY');
    send(res, 'text/html; charset=utf-8', agentHtml, contentSecurityPolicy(false, req.headers.host));
  });
  // Reports (role analyst and up once accounts exist; the data comes from GET /stats, behind the token).
  router.get('/agent/reports', (req, res) => {
    res.setHeader('X-Frame-Options', 'DENY');
    send(res, 'text/html; charset=utf-8', reportsHtml, contentSecurityPolicy(false, req.headers.host));
  });
  router.get('/static/vendor/chart.umd.min.js', (_req, res) => send(res, 'text/javascript; charset=utf-8', chartJs, null));
  router.get('/static/:file', (req, res, next) => {
    const body = assets.get(req.params.file);
    if (!body) return next();
    send(res, ASSETS[req.params.file], body, null);
  });
  return router;
}
