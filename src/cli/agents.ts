// `freeda agents:add|agents:list|agents:disable|agents:reset-password`: manage agent accounts straight in the store
// (the first admin is created this way). With the json store the server must not be running on the same DATA_DIR
// (its lock says so); against a running server use POST /agents and PATCH /agents/:id with an admin or API token.
import { parseArgs } from 'node:util';
import { createAgentDirectory } from '../auth/agents.js';
import { createAuditLog } from '../auth/audit.js';
import { generatePassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../auth/passwords.js';
import { createSessions } from '../auth/sessions.js';
import { ROLES, type Role } from '../auth/types.js';
import type { Config } from '../config.js';
import type { TicketStore } from '../storage/types.js';

export interface AgentsCliIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export const AGENTS_USAGE = `  agents:add --email E --name "N" --role admin|agent|analyst [--password-stdin]
                                          create an agent; prints a one-time password unless given on stdin
  agents:list                             agents as a table (id, e-mail, name, role, status, last login)
  agents:disable --email E                disable an agent: its tokens stop working at once
  agents:reset-password --email E [--password-stdin]   set a new password (printed when generated); ends its sessions`;

async function readStdin(stdin: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stdin) text += String(chunk);
  return text.replace(/\r?\n$/, '');
}

async function passwordFrom(io: AgentsCliIo, fromStdin: boolean | undefined): Promise<{ password: string; generated: boolean }> {
  if (!fromStdin) return { password: generatePassword(), generated: true };
  const password = await readStdin(io.stdin);
  if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH)
    throw new Error(`the password must be ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters`);
  return { password, generated: false };
}

export async function agentsCommand(
  command: string,
  args: string[],
  io: AgentsCliIo,
  deps: { config: Config; openStore: () => Promise<TicketStore>; now?: () => Date },
): Promise<number> {
  const now = deps.now ?? (() => new Date());
  let values: { email?: string; name?: string; role?: string; 'password-stdin'?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args,
      options: {
        email: { type: 'string' },
        name: { type: 'string' },
        role: { type: 'string' },
        'password-stdin': { type: 'boolean' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    io.stderr.write(`freeda ${command}: ${(error as Error).message}\n${AGENTS_USAGE}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(AGENTS_USAGE + '\n');
    return 0;
  }
  const need = (key: 'email' | 'name' | 'role'): string => {
    const value = values[key]?.trim();
    if (!value) throw new UsageError(`--${key} is required`);
    return value;
  };

  let store: TicketStore | null = null;
  try {
    if (command === 'agents:add') {
      const email = need('email');
      const name = need('name');
      const role = need('role');
      if (!ROLES.includes(role as Role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw new UsageError('--email must be an e-mail address');
      const { password, generated } = await passwordFrom(io, values['password-stdin']);
      store = await deps.openStore();
      const agents = createAgentDirectory({ records: store, now });
      const agent = await agents.create({ email, name, role: role as Role, password });
      await createAuditLog({ records: store, now }).record({ actor_id: 'cli', action: 'agent_created', target: agent.agent_id, ip: null });
      io.stdout.write(`agent ${agent.agent_id} created: ${agent.email} (${agent.role})\n`);
      if (generated) io.stdout.write(`one-time password (shown once; change it after signing in): ${password}\n`);
      return 0;
    }
    if (command === 'agents:list') {
      store = await deps.openStore();
      const list = await createAgentDirectory({ records: store, now }).list();
      if (!list.length) io.stdout.write('no agents yet: freeda agents:add --email … --name … --role admin\n');
      for (const a of list)
        io.stdout.write([a.agent_id, a.email, a.name, a.role, a.status, a.last_login_at ?? 'never signed in'].join('\t') + '\n');
      return 0;
    }
    if (command === 'agents:disable' || command === 'agents:reset-password') {
      const email = need('email');
      const fresh = command === 'agents:reset-password' ? await passwordFrom(io, values['password-stdin']) : null;
      store = await deps.openStore();
      const agents = createAgentDirectory({ records: store, now });
      const agent = await agents.byEmail(email);
      if (!agent) {
        io.stderr.write(`freeda ${command}: no agent with e-mail ${email}\n`);
        return 1;
      }
      const audit = createAuditLog({ records: store, now });
      const sessions = createSessions({ records: store, now, ttlSeconds: deps.config.REFRESH_TOKEN_TTL_DAYS * 86_400 });
      if (fresh) {
        await agents.setPassword(agent.agent_id, fresh.password);
        await sessions.revokeAllOf(agent.agent_id, 'password_reset');
        await audit.record({ actor_id: 'cli', action: 'password_reset', target: agent.agent_id, ip: null });
        io.stdout.write(`password of ${agent.email} reset; its sessions were ended\n`);
        if (fresh.generated) io.stdout.write(`one-time password (shown once): ${fresh.password}\n`);
      } else {
        await agents.update(agent.agent_id, { status: 'disabled' });
        await audit.record({ actor_id: 'cli', action: 'agent_disabled', target: agent.agent_id, ip: null });
        io.stdout.write(`agent ${agent.email} disabled\n`);
      }
      return 0;
    }
    io.stderr.write(`freeda: unknown command ${command}\n${AGENTS_USAGE}\n`);
    return 2;
  } catch (error) {
    io.stderr.write(`freeda ${command}: ${(error as Error).message}\n`);
    return error instanceof UsageError ? 2 : 1;
  } finally {
    await store?.close();
  }
}

class UsageError extends Error {}
