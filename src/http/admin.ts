// Operations endpoints (API token): `GET /admin/read-only`, `POST /admin/read-only {"read_only": true|false}` — pause
// this instance's writes for a store cut-over (webhooks answer 503 store_read_only + Retry-After meanwhile). The POST
// answers once writes already running have finished (`drained`), so the old store is complete when it returns.
import express, { Router } from 'express';
import { ValidationError } from '../errors.js';
import type { ReadOnlySwitch } from '../storage/read-only.js';
import { requireApiToken } from './auth.js';

const DRAIN_TIMEOUT_MS = 10_000;

export function adminRouter(deps: { readOnly: ReadOnlySwitch; apiTokens: readonly string[]; log(on: boolean): void }): Router {
  const router = Router();
  router.use('/admin', requireApiToken(deps.apiTokens), express.json({ limit: '10kb', strict: true }));
  const state = (drained: boolean) => ({
    read_only: deps.readOnly.on,
    since: deps.readOnly.since,
    in_flight_writes: deps.readOnly.inFlight,
    drained,
  });
  router.get('/admin/read-only', (_req, res) => {
    res.json(state(deps.readOnly.inFlight === 0));
  });
  router.post('/admin/read-only', async (req, res) => {
    const value = (req.body as { read_only?: unknown } | undefined)?.read_only;
    if (typeof value !== 'boolean') throw new ValidationError('invalid_body', 'Send {"read_only": true} or {"read_only": false}.');
    deps.readOnly.set(value);
    deps.log(value);
    const drained = value ? await deps.readOnly.drained(DRAIN_TIMEOUT_MS) : true;
    res.json(state(drained));
  });
  return router;
}
