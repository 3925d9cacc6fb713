// Login sessions: a family of rotating refresh tokens. Each refresh token is single-use: presenting it marks it used
// (put-if-version, so two concurrent presentations cannot both win) and issues the next one in the same family.
// Presenting a token that was already used means it leaked (or was replayed): the whole family is revoked, and with it
// the access tokens that name the family (`sid`).
import { updateRecord, type RecordStore } from '../storage/records.js';
import { newSecret, secretMatches, splitSecret } from './secrets.js';
import { KIND } from './types.js';

export const REFRESH_PREFIX = 'frr_';

interface RefreshRecord {
  family_id: string;
  agent_id: string;
  secret_hash: string;
  created_at: string;
  used_at: string | null;
}

export interface SessionRecord {
  family_id: string;
  agent_id: string;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
  revoked_reason: string | null;
}

export type RotateResult =
  | { kind: 'rotated'; agent_id: string; family_id: string; refresh_token: string }
  | { kind: 'invalid' }
  /** An already-used token was presented: the family is now revoked. */
  | { kind: 'reused'; agent_id: string; family_id: string };

export interface Sessions {
  start(agentId: string): Promise<{ family_id: string; refresh_token: string }>;
  rotate(refreshToken: string): Promise<RotateResult>;
  /** Whether access tokens of this family are still accepted. */
  isActive(familyId: string, agentId: string): Promise<boolean>;
  revoke(familyId: string, reason: string): Promise<SessionRecord | null>;
  /** The family a refresh token belongs to (logout by cookie), null when it is not one of ours. */
  familyOf(refreshToken: string): Promise<{ family_id: string; agent_id: string } | null>;
  revokeAllOf(agentId: string, reason: string): Promise<number>;
}

export function createSessions(deps: { records: RecordStore; now: () => Date; ttlSeconds: number }): Sessions {
  const { records } = deps;
  const now = () => deps.now().toISOString();

  async function issue(familyId: string, agentId: string): Promise<string> {
    const secret = newSecret(REFRESH_PREFIX);
    const record: RefreshRecord = { family_id: familyId, agent_id: agentId, secret_hash: secret.hash, created_at: now(), used_at: null };
    await records.putRecordIfAbsent(KIND.refresh, secret.id, record, record.created_at);
    return secret.token;
  }

  async function find(token: string) {
    const parts = splitSecret(REFRESH_PREFIX, token);
    const stored = parts ? await records.getRecord<RefreshRecord>(KIND.refresh, parts.id) : null;
    return parts && stored && secretMatches(parts.secret, stored.data.secret_hash) ? stored : null;
  }

  async function session(familyId: string): Promise<SessionRecord | null> {
    return (await records.getRecord<SessionRecord>(KIND.session, familyId))?.data ?? null;
  }

  const live = (s: SessionRecord | null): s is SessionRecord => s !== null && s.revoked_at === null && s.expires_at > now();

  async function revoke(familyId: string, reason: string) {
    const stored = await updateRecord<SessionRecord>(
      records,
      KIND.session,
      familyId,
      (s) => (s.revoked_at ? null : { ...s, revoked_at: now(), revoked_reason: reason }),
      now,
    );
    return stored?.data ?? null;
  }

  return {
    async start(agentId) {
      const family = newSecret('').id;
      const created = now();
      const expires = new Date(deps.now().getTime() + deps.ttlSeconds * 1000).toISOString();
      const record: SessionRecord = {
        family_id: family,
        agent_id: agentId,
        created_at: created,
        expires_at: expires,
        revoked_at: null,
        revoked_reason: null,
      };
      await records.putRecordIfAbsent(KIND.session, family, record, created);
      return { family_id: family, refresh_token: await issue(family, agentId) };
    },

    async rotate(token) {
      const stored = await find(token);
      if (!stored) return { kind: 'invalid' };
      const { family_id, agent_id } = stored.data;
      if (!live(await session(family_id))) return { kind: 'invalid' };
      const used =
        stored.data.used_at === null &&
        (await records.putRecordIfVersion(KIND.refresh, stored.key, { ...stored.data, used_at: now() }, stored.version, now()));
      if (!used) {
        await revoke(family_id, 'refresh_token_reused');
        return { kind: 'reused', agent_id, family_id };
      }
      return { kind: 'rotated', agent_id, family_id, refresh_token: await issue(family_id, agent_id) };
    },

    async isActive(familyId, agentId) {
      const s = await session(familyId);
      return live(s) && s.agent_id === agentId;
    },

    revoke,

    async familyOf(token) {
      const stored = await find(token);
      return stored ? { family_id: stored.data.family_id, agent_id: stored.data.agent_id } : null;
    },

    async revokeAllOf(agentId, reason) {
      let cursor: string | null = null;
      let revoked = 0;
      do {
        const page: Awaited<ReturnType<typeof records.listRecords<SessionRecord>>> = await records.listRecords<SessionRecord>(
          KIND.session,
          { limit: 200, cursor },
        );
        for (const s of page.items)
          if (s.data.agent_id === agentId && s.data.revoked_at === null && (await revoke(s.key, reason))) revoked++;
        cursor = page.next_cursor;
      } while (cursor);
      return revoked;
    },
  };
}
