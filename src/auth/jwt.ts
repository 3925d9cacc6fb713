// Short-lived access tokens: JWT HS256 signed with jose. The key is JWT_SECRET when set, else one generated key kept
// in the store (put-if-absent: the first instance to start writes it, every other instance and every restart reads the
// same one), so tokens survive restarts and work on every instance sharing the DATA_DIR or the table.
import { randomBytes } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { ulid } from 'ulid';
import type { RecordStore } from '../storage/records.js';
import { KIND, ROLES, type Role } from './types.js';

export const JWT_ISSUER = 'freeda';
export const JWT_AUDIENCE = 'freeda-api';
const KEY_RECORD = 'jwt_hs256';
/** Clock skew accepted between instances (and the client's idea of now) on exp / iat / nbf. */
export const CLOCK_TOLERANCE_SECONDS = 30;

export interface AccessClaims {
  sub: string;
  role: Role;
  /** Session (refresh-token family) id: logging out or a reused refresh token revokes it, and its access tokens with it. */
  sid: string;
  jti: string;
  iat: number;
  exp: number;
}

export async function loadSigningKey(records: RecordStore, configured: string | undefined, now: () => Date): Promise<Uint8Array> {
  if (configured) return new TextEncoder().encode(configured);
  const fresh = { secret: randomBytes(32).toString('base64url'), created_at: now().toISOString() };
  await records.putRecordIfAbsent(KIND.key, KEY_RECORD, fresh, fresh.created_at);
  const stored = await records.getRecord<{ secret: string }>(KIND.key, KEY_RECORD);
  if (!stored) throw new Error('the JWT signing key could not be stored');
  return Buffer.from(stored.data.secret, 'base64url');
}

export interface AccessTokenCodec {
  sign(input: { agent_id: string; role: Role; family_id: string }): Promise<{ token: string; claims: AccessClaims }>;
  /** The claims, or null for anything not a valid, unexpired token of ours (bad signature, alg, issuer, shape). */
  verify(token: string): Promise<AccessClaims | null>;
  readonly ttlSeconds: number;
}

/** `loadKey` runs on first use (the store must be open by then) and once only. */
export function createAccessTokens(loadKey: () => Promise<Uint8Array>, ttlSeconds: number, now: () => Date): AccessTokenCodec {
  let keyPromise: Promise<Uint8Array> | null = null;
  const keyOf = () => {
    keyPromise ??= loadKey().catch((error: unknown) => {
      keyPromise = null; // a store hiccup at first use is retried on the next request
      throw error;
    });
    return keyPromise;
  };
  return {
    ttlSeconds,
    async sign({ agent_id, role, family_id }) {
      const iat = Math.floor(now().getTime() / 1000);
      const claims: AccessClaims = { sub: agent_id, role, sid: family_id, jti: ulid(), iat, exp: iat + ttlSeconds };
      const token = await new SignJWT({ role, sid: family_id })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(agent_id)
        .setJti(claims.jti)
        .setIssuedAt(iat)
        .setExpirationTime(claims.exp)
        .setIssuer(JWT_ISSUER)
        .setAudience(JWT_AUDIENCE)
        .sign(await keyOf());
      return { token, claims };
    },
    async verify(token) {
      const key = await keyOf();
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: ['HS256'], // pinned: `none` and every other alg are refused
          issuer: JWT_ISSUER,
          audience: JWT_AUDIENCE,
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
          requiredClaims: ['sub', 'exp', 'iat', 'jti'],
          currentDate: now(),
          maxTokenAge: ttlSeconds + CLOCK_TOLERANCE_SECONDS,
        });
        const { sub, role, sid, jti, iat, exp } = payload as Partial<AccessClaims>;
        if (typeof sub !== 'string' || typeof sid !== 'string' || typeof jti !== 'string') return null;
        if (typeof iat !== 'number' || typeof exp !== 'number' || !ROLES.includes(role as Role)) return null;
        return { sub, role: role as Role, sid, jti, iat, exp };
      } catch (error) {
        if (error instanceof joseErrors.JOSEError) return null;
        throw error;
      }
    },
  };
}
