// Chooses the analytics and chatbot implementations from the configuration.
import type { Config } from '../config.js';
import type { LoggerLike } from '../domain/channel.js';
import type { Analyzer, Chatbot } from '../domain/intelligence.js';

export interface Intelligence {
  analyzer: Analyzer | null;
  chatbot: Chatbot | null;
}

export function createIntelligence(config: Config, logger: LoggerLike): Intelligence {
  void logger;
  return {
    analyzer: null,
    chatbot: config.ENABLE_CHATBOT ? null : null,
  };
}
