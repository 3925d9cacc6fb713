// The auth service the HTTP layer, the WebSocket hub and the CLI share: login / refresh / logout, and turning a bearer
// credential into a Principal. Every check reads the agent's current record, so disabling an agent or changing its
// role takes effect on the next request, on every instance.
import { AppError, TooManyRequestsError, UnauthorizedError } from '../errors.js';
import type { RecordStore } from '../storage/records.js';
import { createAgentDirectory, type AgentDirectory } from './agents.js';
import { createAuditLog, type AuditLog } from './audit.js';
import { type AccessTokenCodec, createAccessTokens, loadSigningKey } from './jwt.js';
import { dummyVerify, verifyPassword } from './passwords.js';
import { createPersonalTokens, PERSONAL_PREFIX, type PersonalTokens } from './personal-tokens.js';
import { createSessions, type Sessions } from './sessions.js';
import { createLoginThrottle, type LoginThrottle, type LoginThrottleOptions } from './throttle.js';
import { tokenMatches } from './tokens.js';
import { type Agent, normaliseEmail, type Principal, publicAgent, SERVICE_PRINCIPAL } from './types.js';

/** One answer for an unknown e-mail, a wrong password and a disabled account. */
export class InvalidCredentialsError extends AppError {
  constructor() {
    super(401, 'invalid_credentials', 'The e-mail or the password is wrong.');
  }
}

export interface SessionTokens {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  agent: { agent_id: string; email: string; name: string; role: Agent['role'] };
  /** Not in the JSON body of a cookie login: the HTTP layer puts it in the HttpOnly cookie (and the body on request). */
  refresh_token: string;
}

export interface AuthOptions {
  records: RecordStore;
  apiTokens: readonly string[];
  jwtSecret?: string;
  accessTtlSeconds: number;
  refreshTtlDays: number;
  now: () => Date;
  throttle?: LoginThrottleOptions;
}

export interface AuthService {
  readonly agents: AgentDirectory;
  readonly sessions: Sessions;
  readonly tokens: PersonalTokens;
  readonly audit: AuditLog;
  readonly access: AccessTokenCodec;
  login(email: string, password: string, ip: string): Promise<SessionTokens>;
  refresh(refreshToken: string, ip: string): Promise<SessionTokens>;
  /** Revokes the session named by the refresh token (cookie) or by the access token's family. */
  logout(input: { refreshToken: string | null; principal: Principal | null; ip: string }): Promise<void>;
  /** The caller a bearer credential stands for, null when it is not valid now. */
  authenticate(bearer: string | null | undefined): Promise<Principal | null>;
}

export function createAuth(options: AuthOptions): AuthService {
  const { records, now } = options;
  const agents = createAgentDirectory({ records, now });
  const sessions = createSessions({ records, now, ttlSeconds: options.refreshTtlDays * 86_400 });
  const tokens = createPersonalTokens({ records, now });
  const audit = createAuditLog({ records, now });
  const access = createAccessTokens(() => loadSigningKey(records, options.jwtSecret, now), options.accessTtlSeconds, now);
  const throttle: LoginThrottle = createLoginThrottle(options.throttle);

  async function issue(agent: Agent, familyId: string, refreshToken: string): Promise<SessionTokens> {
    const { token } = await access.sign({ agent_id: agent.agent_id, role: agent.role, family_id: familyId });
    const { agent_id, email, name, role } = publicAgent(agent);
    return {
      access_token: token,
      token_type: 'Bearer',
      expires_in: access.ttlSeconds,
      agent: { agent_id, email, name, role },
      refresh_token: refreshToken,
    };
  }

  async function authenticate(bearer: string | null | undefined): Promise<Principal | null> {
    if (!bearer) return null;
    if (tokenMatches(bearer, options.apiTokens)) return SERVICE_PRINCIPAL;
    if (bearer.startsWith(PERSONAL_PREFIX)) {
      const token = await tokens.check(bearer);
      const agent = token ? await agents.get(token.agent_id) : null;
      if (!token || !agent || agent.status !== 'active') return null;
      const { agent_id, role, name, email } = agent;
      return { kind: 'agent', agent_id, role, name, email, via: { type: 'personal_token', token_id: token.token_id } };
    }
    const claims = await access.verify(bearer);
    if (!claims) return null;
    const agent = await agents.get(claims.sub);
    if (!agent || agent.status !== 'active' || !(await sessions.isActive(claims.sid, agent.agent_id))) return null;
    const { agent_id, role, name, email } = agent;
    return { kind: 'agent', agent_id, role, name, email, via: { type: 'access_token', family_id: claims.sid, jti: claims.jti } };
  }

  return {
    agents,
    sessions,
    tokens,
    audit,
    access,
    authenticate,

    async login(rawEmail, password, ip) {
      const email = normaliseEmail(rawEmail);
      const wait = await throttle.blockedFor(email, ip);
      if (wait > 0) {
        await audit.record({ actor_id: null, action: 'login_throttled', target: email, ip });
        throw new TooManyRequestsError('too_many_attempts', `Too many failed sign-ins; try again in ${wait} s.`, wait);
      }
      const agent = await agents.byEmail(email);
      // Unknown e-mail: the same scrypt work and the same answer as a wrong password (no user enumeration).
      const ok = agent ? await verifyPassword(password, agent.password_hash) : await dummyVerify(password);
      if (!agent || !ok || agent.status !== 'active') {
        await throttle.failed(email, ip);
        await audit.record({ actor_id: agent?.agent_id ?? null, action: 'login_failed', target: email, ip });
        throw new InvalidCredentialsError();
      }
      await throttle.succeeded(email);
      await agents.recordLogin(agent.agent_id);
      const session = await sessions.start(agent.agent_id);
      await audit.record({ actor_id: agent.agent_id, action: 'login', target: agent.agent_id, ip });
      return issue(agent, session.family_id, session.refresh_token);
    },

    async refresh(refreshToken, ip) {
      const result = await sessions.rotate(refreshToken);
      if (result.kind === 'reused') {
        await audit.record({ actor_id: result.agent_id, action: 'refresh_token_reused', target: result.family_id, ip });
      }
      const agent = result.kind === 'rotated' ? await agents.get(result.agent_id) : null;
      if (result.kind !== 'rotated' || !agent || agent.status !== 'active')
        throw new UnauthorizedError('The session has ended (signed out, expired or revoked): sign in again.');
      return issue(agent, result.family_id, result.refresh_token);
    },

    async logout({ refreshToken, principal, ip }) {
      const fromCookie = refreshToken ? await sessions.familyOf(refreshToken) : null;
      const familyId =
        fromCookie?.family_id ?? (principal?.kind === 'agent' && principal.via.type === 'access_token' ? principal.via.family_id : null);
      if (!familyId) return;
      const revoked = await sessions.revoke(familyId, 'logout');
      if (revoked) await audit.record({ actor_id: revoked.agent_id, action: 'logout', target: revoked.agent_id, ip });
    },
  };
}
