// Agents, roles and who is calling. Pure types and small helpers; the record kinds the auth modules store.

export const ROLES = ['admin', 'agent', 'analyst'] as const;
export type Role = (typeof ROLES)[number];
export const AGENT_STATUSES = ['active', 'disabled'] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

export interface Agent {
  agent_id: string;
  /** Lower-cased, unique (an `agent_email` record claims it). */
  email: string;
  name: string;
  role: Role;
  status: AgentStatus;
  password_hash: string;
  created_at: string;
  last_login_at: string | null;
  password_changed_at: string;
}

/** What GET /agents and /me show: never the hash. */
export type PublicAgent = Omit<Agent, 'password_hash'>;
export const publicAgent = ({ password_hash: _hash, ...rest }: Agent): PublicAgent => rest;

/** The caller of an API request or an agent WebSocket, once its credential is checked. */
export type Principal =
  | { kind: 'service'; role: 'admin'; agent_id: null; name: 'service' }
  | {
      kind: 'agent';
      role: Role;
      agent_id: string;
      name: string;
      email: string;
      /** How it authenticated: a JWT access token (with its session family) or a personal token. */
      via: { type: 'access_token'; family_id: string; jti: string } | { type: 'personal_token'; token_id: string };
    };

export const SERVICE_PRINCIPAL: Principal = { kind: 'service', role: 'admin', agent_id: null, name: 'service' };

/** Record kinds in the store's generic records (src/storage/records.ts). */
export const KIND = {
  agent: 'agent',
  agentEmail: 'agent_email',
  refresh: 'refresh_token',
  session: 'session',
  apiToken: 'api_token',
  audit: 'audit',
  key: 'key',
} as const;

export const normaliseEmail = (email: string) => email.trim().toLowerCase();
