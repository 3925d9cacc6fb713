// After an attempt whose outcome is unknown (reset or timeout after the request was sent, or a crash during the call):
// does Twilio have the message? Read with the List Messages API (To = the recipient, From = our sender, newest first).
// A listed message is one of ours when it is outbound, its body is exactly one part of our text, it was created after
// our message was, and its SID is not one of our other messages'. The StatusCallback URL is not part of the message
// resource, so a marker in it could not be matched here: the body and the recipient are what Twilio returns.
import type { Message } from '../../src/domain/types.js';
import type { TwilioClient } from './send.js';

/** What the reconciliation reads of a listed message. */
export interface ListedMessage {
  sid: string;
  body: string;
  direction: string;
  status: string;
  dateCreated: Date;
}

/** Clock skew allowed between our `created_at` and Twilio's `date_created` (which has a one-second resolution). */
const SKEW_MS = 60_000;
/** Messages read back per lookup: the recipient's most recent ones. */
export const RECONCILE_PAGE = 100;

/**
 * Which listed message is each part of ours, in order (null where none). Pure. Oldest first, each listed message used
 * once, so a text sent twice on purpose (two replies with the same words) needs two listed messages to match twice.
 */
export function matchParts(
  parts: readonly string[],
  listed: readonly ListedMessage[],
  message: Pick<Message, 'created_at'>,
  knownSids: ReadonlySet<string>,
): (ListedMessage | null)[] {
  const notBefore = Date.parse(message.created_at) - SKEW_MS;
  const candidates = listed
    .filter((m) => m.direction.startsWith('outbound') && m.dateCreated.getTime() >= notBefore && !knownSids.has(m.sid))
    .sort((a, b) => a.dateCreated.getTime() - b.dateCreated.getTime());
  const used = new Set<string>();
  return parts.map((part) => {
    const hit = candidates.find((m) => !used.has(m.sid) && m.body === part) ?? null;
    if (hit) used.add(hit.sid);
    return hit;
  });
}

/** The parts Twilio has, from the first, until the first it does not have (what a resend must skip). */
export function leadingParts(found: readonly (ListedMessage | null)[]): ListedMessage[] {
  const end = found.indexOf(null);
  return (end === -1 ? found : found.slice(0, end)) as ListedMessage[];
}

/** The recipient's recent messages from our sender (throws what the SDK throws: the caller says `unknown`). */
export async function listRecent(client: TwilioClient, route: { to: string; from?: string }): Promise<ListedMessage[]> {
  const listed = await client.messages.list({
    to: route.to,
    ...(route.from ? { from: route.from } : {}),
    pageSize: RECONCILE_PAGE,
    limit: RECONCILE_PAGE,
  });
  return listed.map((m) => ({
    sid: m.sid,
    body: m.body ?? '',
    direction: m.direction ?? '',
    status: m.status ?? '',
    dateCreated: m.dateCreated,
  }));
}
