// Who wrote an agent reply, as stored (message meta) and as the customer sees it. Pure functions.
import type { Message } from './types.js';

/** AGENT_NAME_DISPLAY: the agent's full name, the first word of it, or the generic "Conseiller". */
export type NameDisplay = 'full' | 'first' | 'generic';
export const GENERIC_AGENT_NAME = 'Conseiller';

export function customerFacingName(name: string, display: NameDisplay): string {
  if (display === 'generic') return GENERIC_AGENT_NAME;
  const trimmed = name.trim();
  if (!trimmed) return GENERIC_AGENT_NAME;
  return display === 'first' ? trimmed.split(/\s+/)[0] : trimmed;
}

/** Stored in the reply's meta when an agent account wrote it (service tokens write none). */
export interface AuthorMeta {
  agent_id: string;
  /** The agent's display name when the reply was written (dashboards, exports). */
  author_name: string;
  /** What the customer is shown (AGENT_NAME_DISPLAY applied). */
  customer_author_name: string;
}

const str = (value: unknown): string | null => (typeof value === 'string' && value.length > 0 ? value : null);

// Replies keep their author in meta (with what the customer saw); internal notes carry agent_id/author_name on the
// message itself (issue #16). Both read the same way.
export const agentIdOf = (message: Message): string | null => str(message.agent_id) ?? str(message.meta?.agent_id);
export const authorNameOf = (message: Message): string | null => str(message.author_name) ?? str(message.meta?.author_name);
export const customerAuthorNameOf = (message: Message): string | null =>
  message.author === 'agent' ? str(message.meta?.customer_author_name) : null;

/** The text an SMS/WhatsApp customer receives: `Ana : <text>` when an agent account wrote it. */
export function prefixedWithAuthor(message: Message): string {
  const name = customerAuthorNameOf(message);
  return name ? `${name} : ${message.text}` : message.text;
}

/** The text of an e-mail reply: the agent's name as a signature line. */
export function signedByAuthor(message: Message): string {
  const name = customerAuthorNameOf(message);
  return name ? `${message.text}\n\n${name}` : message.text;
}
