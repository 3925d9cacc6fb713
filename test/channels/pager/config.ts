// Pager's own environment keys: parsed by src/config.ts together with the core's once the module is registered.
import { z } from 'zod';
import { envString, envUrl, type FragmentValues, type SharedConfig } from '../../../src/domain/config.js';

const shape = {
  PAGER_SIGNING_SECRET: envString,
  PAGER_API_KEY: envString,
  PAGER_API_BASE_URL: envUrl,
};

export const pagerConfig = {
  schema: z.object(shape),
  docs: {
    PAGER_SIGNING_SECRET: 'Checks `X-Pager-Signature` on inbound webhooks; unset: every webhook is refused (403).',
    PAGER_API_KEY: 'Bearer key of the Pager API; unset: replies are disabled.',
    PAGER_API_BASE_URL: 'Pager API base URL.',
  },
};

export type PagerConfig = FragmentValues<typeof shape> & SharedConfig;
