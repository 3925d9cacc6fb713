// The web chat module's environment keys (parsed by src/config.ts with the core's, documented in the README table).
import { z } from 'zod';
import { envString, type FragmentValues, type SharedConfig } from '../../src/domain/config.js';

const shape = {
  /** Secret used to sign web-chat visitor tokens; generated per start when unset (visitors then cannot resume after a restart). */
  WEBCHAT_SECRET: envString,
};

export const webchatConfig = {
  schema: z.object(shape),
  docs: {
    WEBCHAT_SECRET: 'Signs web-chat visitor tokens; set it so visitors can resume after a restart.',
  },
};

export type WebchatConfig = FragmentValues<typeof shape> & SharedConfig;
