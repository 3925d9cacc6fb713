// Chooses the analytics and chatbot implementations from the configuration.
import type { Config } from '../config.js';
import type { ChannelCatalog } from '../domain/catalog.js';
import type { LoggerLike } from '../domain/channel.js';
import type { Analyzer, Chatbot } from '../domain/intelligence.js';
import { createAnalyzer } from './analytics/index.js';
import { createChatbot, loadBotAnswers, loadKnowledge } from './chatbot/index.js';

export interface Intelligence {
  analyzer: Analyzer | null;
  chatbot: Chatbot | null;
}

export function createIntelligence(config: Config, logger: LoggerLike, channels: ChannelCatalog): Intelligence {
  const mistral = {
    apiKey: config.MISTRAL_API_KEY,
    model: config.MISTRAL_MODEL,
    serverUrl: config.MISTRAL_SERVER_URL,
    timeoutMs: config.MISTRAL_TIMEOUT_MS,
  };
  if (!config.MISTRAL_API_KEY) logger.info('MISTRAL_API_KEY is not set: analytics use the offline fallback and the chatbot uses templates');
  return {
    analyzer: createAnalyzer({ ...mistral, logger }),
    // Read and validated at start: a bad file stops the server with a message naming the file and the path.
    chatbot: createChatbot({
      ...mistral,
      logger,
      channels,
      answers: config.BOT_ANSWERS_FILE ? loadBotAnswers(config.BOT_ANSWERS_FILE) : undefined,
      knowledge: config.KNOWLEDGE_FILE ? loadKnowledge(config.KNOWLEDGE_FILE) : undefined,
    }),
  };
}
