// Agent accounts in the store's generic records: `agent/<id>` plus `agent_email/<lower-cased e-mail>` → id, claimed
// first with put-if-absent so two concurrent adds of one e-mail cannot both succeed (no transactions needed).
import { ulid } from 'ulid';
import { ConflictError, NotFoundError } from '../errors.js';
import { updateRecord, type RecordStore } from '../storage/records.js';
import { hashPassword } from './passwords.js';
import { type Agent, type AgentStatus, KIND, normaliseEmail, type Role } from './types.js';

export interface NewAgent {
  email: string;
  name: string;
  role: Role;
  password: string;
}

export interface AgentPatch {
  name?: string;
  role?: Role;
  status?: AgentStatus;
}

export interface AgentDirectory {
  create(input: NewAgent): Promise<Agent>;
  get(agentId: string): Promise<Agent | null>;
  byEmail(email: string): Promise<Agent | null>;
  /** Every agent, oldest first (teams are small: one page of the records). */
  list(): Promise<Agent[]>;
  /** Returns the updated agent and the one before (for the audit). */
  update(agentId: string, patch: AgentPatch): Promise<{ before: Agent; after: Agent }>;
  setPassword(agentId: string, password: string): Promise<Agent>;
  recordLogin(agentId: string): Promise<void>;
  count(): Promise<number>;
}

export function createAgentDirectory(deps: { records: RecordStore; now: () => Date }): AgentDirectory {
  const { records } = deps;
  const now = () => deps.now().toISOString();

  async function get(agentId: string): Promise<Agent | null> {
    return (await records.getRecord<Agent>(KIND.agent, agentId))?.data ?? null;
  }

  async function mustUpdate(agentId: string, mutate: (agent: Agent) => Agent | null): Promise<{ before: Agent; after: Agent }> {
    let before: Agent | null = null;
    const stored = await updateRecord<Agent>(
      records,
      KIND.agent,
      agentId,
      (agent) => {
        before = agent;
        return mutate(agent);
      },
      now,
    );
    if (!stored || !before) throw new NotFoundError('agent_not_found', `No agent ${agentId}.`);
    return { before, after: stored.data };
  }

  async function list(): Promise<Agent[]> {
    const out: Agent[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof records.listRecords<Agent>>> = await records.listRecords<Agent>(KIND.agent, {
        limit: 200,
        cursor,
      });
      out.push(...page.items.map((r) => r.data));
      cursor = page.next_cursor;
    } while (cursor);
    return out;
  }

  return {
    async create(input) {
      const email = normaliseEmail(input.email);
      const at = now();
      const agent: Agent = {
        agent_id: `ag_${ulid()}`,
        email,
        name: input.name.trim(),
        role: input.role,
        status: 'active',
        password_hash: await hashPassword(input.password),
        created_at: at,
        last_login_at: null,
        password_changed_at: at,
      };
      const claim = await records.putRecordIfAbsent(KIND.agentEmail, email, { agent_id: agent.agent_id }, at);
      if (!claim) {
        // A claim whose agent was never written (a crash between the two puts) is taken over; a live one is a conflict.
        const existing = await records.getRecord<{ agent_id: string }>(KIND.agentEmail, email);
        const owner = existing ? await get(existing.data.agent_id) : null;
        if (!existing || owner) throw new ConflictError('email_taken', `An agent with e-mail ${email} already exists.`);
        if (!(await records.putRecordIfVersion(KIND.agentEmail, email, { agent_id: agent.agent_id }, existing.version, at)))
          throw new ConflictError('email_taken', `An agent with e-mail ${email} already exists.`);
      }
      await records.putRecordIfAbsent(KIND.agent, agent.agent_id, agent, at);
      return agent;
    },

    get,

    async byEmail(email) {
      const claim = await records.getRecord<{ agent_id: string }>(KIND.agentEmail, normaliseEmail(email));
      const agent = claim ? await get(claim.data.agent_id) : null;
      return agent && agent.email === normaliseEmail(email) ? agent : null;
    },

    list,

    update(agentId, patch) {
      return mustUpdate(agentId, (agent) => ({
        ...agent,
        ...(patch.name !== undefined ? { name: patch.name.trim() } : {}),
        ...(patch.role !== undefined ? { role: patch.role } : {}),
        ...(patch.status !== undefined ? { status: patch.status } : {}),
      }));
    },

    async setPassword(agentId, password) {
      const hash = await hashPassword(password);
      return (await mustUpdate(agentId, (agent) => ({ ...agent, password_hash: hash, password_changed_at: now() }))).after;
    },

    async recordLogin(agentId) {
      await mustUpdate(agentId, (agent) => ({ ...agent, last_login_at: now() }));
    },

    async count() {
      return (await records.listRecords(KIND.agent, { limit: 1 })).items.length;
    },
  };
}
