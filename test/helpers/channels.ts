// The channels of the registry's modules, for tests that build a core part (store, chatbot, CLI) without the whole app.
import { catalogOf } from '../../src/domain/catalog.js';
import { channelModules } from '../../src/registry.js';

export const BUILT_IN_CHANNELS = catalogOf(channelModules);
