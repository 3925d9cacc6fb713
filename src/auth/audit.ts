// The audit trail in the store: who did what, when, from where. Keys start with the instant so a listing in key
// order is a listing in time order (newest first for GET /audit).
import { monotonicFactory } from 'ulid';
import type { Page } from '../storage/types.js';
import type { RecordStore } from '../storage/records.js';
import { KIND } from './types.js';

export const AUDIT_ACTIONS = [
  'login',
  'login_failed',
  'login_throttled',
  'logout',
  'refresh_token_reused',
  'agent_created',
  'agent_updated',
  'role_changed',
  'agent_disabled',
  'agent_enabled',
  'password_reset',
  'token_created',
  'token_revoked',
  'ticket_replied',
  'ticket_closed',
  'ticket_reopened',
  'export',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditEntry {
  at: string;
  /** Agent id, `service` for an API_TOKENS caller, `cli` for the command line, null when nobody authenticated. */
  actor_id: string | null;
  action: AuditAction;
  /** What it was done to: an agent id, a ticket id, a token id, an e-mail for a failed login, an export's filter. */
  target: string | null;
  ip: string | null;
  details?: Record<string, unknown>;
}

export interface AuditLog {
  record(entry: Omit<AuditEntry, 'at'>): Promise<void>;
  list(limit: number, cursor: string | null): Promise<Page<AuditEntry>>;
}

export function createAuditLog(deps: { records: RecordStore; now: () => Date; onError?: (error: Error) => void }): AuditLog {
  const ids = monotonicFactory();
  return {
    async record(entry) {
      const at = deps.now().toISOString();
      const key = `${at}#${ids()}`;
      await deps.records.putRecordIfAbsent<AuditEntry>(KIND.audit, key, { at, ...entry }, at);
    },
    async list(limit, cursor) {
      const page = await deps.records.listRecords<AuditEntry>(KIND.audit, { limit, cursor, order: 'desc' });
      return { items: page.items.map((r) => r.data), next_cursor: page.next_cursor };
    },
  };
}
