// Personal API tokens for scripts and CSV pulls: named, shown once (`frd_<id>.<secret>`), stored hashed, revocable,
// with their last-used time (written at most once a minute per token: no write on every request).
import { NotFoundError } from '../errors.js';
import { updateRecord, type RecordStore } from '../storage/records.js';
import { newSecret, secretMatches, splitSecret } from './secrets.js';
import { KIND } from './types.js';

export const PERSONAL_PREFIX = 'frd_';
const LAST_USED_RESOLUTION_MS = 60_000;

export interface PersonalToken {
  token_id: string;
  agent_id: string;
  name: string;
  secret_hash: string;
  created_at: string;
  created_by: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

export type PublicPersonalToken = Omit<PersonalToken, 'secret_hash'>;
export const publicToken = ({ secret_hash: _hash, ...rest }: PersonalToken): PublicPersonalToken => rest;

export interface PersonalTokens {
  create(input: { agent_id: string; name: string; created_by: string | null }): Promise<{ token: string; record: PersonalToken }>;
  /** The live token record a presented token names, null otherwise. Refreshes last_used_at. */
  check(presented: string): Promise<PersonalToken | null>;
  get(tokenId: string): Promise<PersonalToken | null>;
  /** Every token (or one agent's), newest first, revoked ones included. */
  list(agentId?: string): Promise<PersonalToken[]>;
  revoke(tokenId: string): Promise<PersonalToken>;
}

export function createPersonalTokens(deps: { records: RecordStore; now: () => Date }): PersonalTokens {
  const { records } = deps;
  const now = () => deps.now().toISOString();

  return {
    async create({ agent_id, name, created_by }) {
      const secret = newSecret(PERSONAL_PREFIX);
      const record: PersonalToken = {
        token_id: secret.id,
        agent_id,
        name: name.trim(),
        secret_hash: secret.hash,
        created_at: now(),
        created_by,
        last_used_at: null,
        revoked_at: null,
      };
      await records.putRecordIfAbsent(KIND.apiToken, secret.id, record, record.created_at);
      return { token: secret.token, record };
    },

    async check(presented) {
      const parts = splitSecret(PERSONAL_PREFIX, presented);
      const stored = parts ? await records.getRecord<PersonalToken>(KIND.apiToken, parts.id) : null;
      if (!parts || !stored || stored.data.revoked_at !== null || !secretMatches(parts.secret, stored.data.secret_hash)) return null;
      const last = stored.data.last_used_at ? Date.parse(stored.data.last_used_at) : 0;
      if (deps.now().getTime() - last >= LAST_USED_RESOLUTION_MS) {
        // Best effort: a lost race means another request just wrote it.
        await records.putRecordIfVersion(KIND.apiToken, stored.key, { ...stored.data, last_used_at: now() }, stored.version, now());
      }
      return stored.data;
    },

    async get(tokenId) {
      return (await records.getRecord<PersonalToken>(KIND.apiToken, tokenId))?.data ?? null;
    },

    async list(agentId) {
      const out: PersonalToken[] = [];
      let cursor: string | null = null;
      do {
        const page: Awaited<ReturnType<typeof records.listRecords<PersonalToken>>> = await records.listRecords<PersonalToken>(
          KIND.apiToken,
          {
            limit: 200,
            cursor,
            order: 'desc',
          },
        );
        for (const r of page.items) if (!agentId || r.data.agent_id === agentId) out.push(r.data);
        cursor = page.next_cursor;
      } while (cursor);
      return out;
    },

    async revoke(tokenId) {
      const stored = await updateRecord<PersonalToken>(
        records,
        KIND.apiToken,
        tokenId,
        (t) => (t.revoked_at ? null : { ...t, revoked_at: now() }),
        now,
      );
      if (!stored) throw new NotFoundError('token_not_found', `No token ${tokenId}.`);
      return stored.data;
    },
  };
}
