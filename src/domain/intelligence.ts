// Ports for the chatbot and the analytics step (implemented in src/pipeline/analytics and src/pipeline/chatbot).
import type { Analytics, Author, Channel, Ticket } from './types.js';

export interface ConversationTurn {
  author: Author;
  text: string;
}

export interface AnalysisInput {
  id?: string;
  channel: Channel;
  subject?: string | null;
  /** Whole conversation in time order; only customer turns are evidence, the rest is context. */
  messages: ConversationTurn[];
}

export type AnalysisLabels = Pick<Analytics, 'sentiment' | 'category' | 'urgency' | 'summary'>;

export interface Analyzer {
  /** Never throws: any failure of the AI path yields the offline fallback with source "fallback". */
  analyze(input: AnalysisInput): Promise<Analytics>;
}

export interface ChatbotInput {
  ticket: Ticket;
  messages: ConversationTurn[];
  analytics: Analytics | null;
}

export interface ChatbotDecision {
  /** Text to send to the customer, null to stay silent. */
  reply: string | null;
  handoff: boolean;
  handoff_reason?: string;
}

export interface Chatbot {
  decide(input: ChatbotInput): Promise<ChatbotDecision>;
}
