// "Compte" panel: everyone manages their own personal API tokens; an admin also manages agents (add, role,
// disable/enable, reset password) and everyone's tokens. Secrets (new passwords, new tokens) are shown once.
import { authFetch } from './session.js';

const ROLE_LABELS = { admin: 'Administrateur', agent: 'Agent', analyst: 'Analyste' };
const $ = (id) => document.getElementById(id);

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}
function button(text, className, onClick) {
  const node = el('button', className, text);
  node.type = 'button';
  node.addEventListener('click', onClick);
  return node;
}
const formatDate = (iso) =>
  iso
    ? new Date(iso).toLocaleString('fr-FR', { day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' })
    : '—';

async function call(path, init = {}) {
  const response = await authFetch(path, { ...init, headers: init.body ? { 'content-type': 'application/json' } : {} });
  const body = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) throw new Error(body?.error?.message ?? `Erreur HTTP ${response.status}`);
  return body;
}

/** 16 characters from an unambiguous alphabet (no 0/O, 1/l/I): read aloud or copied once. */
export function generatedPassword() {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
}

/** A secret shown once, with what to do with it. */
function revealSecret(label, secret) {
  const box = $('account-secret');
  box.replaceChildren(
    el('p', null, label),
    el('code', 'secret', secret),
    el('p', 'muted', 'Copiez-le maintenant : il ne sera plus affiché.'),
  );
  box.hidden = false;
  box.focus();
}

function notice(text) {
  $('account-error').textContent = text;
  $('account-error').hidden = !text;
}

let me = null;
let agents = [];

async function guarded(action) {
  notice('');
  try {
    await action();
  } catch (error) {
    notice(error.message);
  }
}

function agentRow(agent) {
  const item = el('li', 'account-row');
  item.dataset.agentId = agent.agent_id;
  const who = el('div', 'account-who');
  who.append(el('strong', null, agent.name), el('span', 'muted', ` ${agent.email}`));
  who.append(el('span', 'muted', ` · dernière connexion ${formatDate(agent.last_login_at)}`));
  const role = el('select');
  role.setAttribute('aria-label', `Rôle de ${agent.name}`);
  for (const [value, label] of Object.entries(ROLE_LABELS)) {
    const option = el('option', null, label);
    option.value = value;
    option.selected = agent.role === value;
    role.append(option);
  }
  const self = agent.agent_id === me?.agent?.agent_id;
  role.disabled = self;
  role.addEventListener('change', () =>
    guarded(async () => {
      await call(`/agents/${agent.agent_id}`, { method: 'PATCH', body: JSON.stringify({ role: role.value }) });
      await renderAgents();
    }),
  );
  const disabled = agent.status === 'disabled';
  if (disabled) item.classList.add('disabled');
  const actions = el('span', 'account-actions');
  actions.append(
    role,
    button(disabled ? 'Réactiver' : 'Désactiver', disabled ? 'secondary' : 'danger', () =>
      guarded(async () => {
        await call(`/agents/${agent.agent_id}`, { method: 'PATCH', body: JSON.stringify({ status: disabled ? 'active' : 'disabled' }) });
        await renderAgents();
      }),
    ),
    button('Réinitialiser le mot de passe', 'secondary', () =>
      guarded(async () => {
        const password = generatedPassword();
        await call(`/agents/${agent.agent_id}`, { method: 'PATCH', body: JSON.stringify({ password }) });
        revealSecret(`Nouveau mot de passe de ${agent.name} (ses sessions sont fermées) :`, password);
      }),
    ),
  );
  if (self) actions.lastElementChild.previousElementSibling.disabled = true; // no self-disable (the API refuses it too)
  item.append(who, el('span', `badge badge-status-${agent.status}`, disabled ? 'désactivé' : 'actif'), actions);
  return item;
}

async function renderAgents() {
  agents = (await call('/agents')).items;
  $('agents-list').replaceChildren(...agents.map(agentRow));
  const owner = $('token-owner');
  const chosen = owner.value;
  owner.replaceChildren(
    ...agents
      .filter((a) => a.status === 'active')
      .map((a) => {
        const option = el('option', null, a.agent_id === me?.agent?.agent_id ? `${a.name} (moi)` : a.name);
        option.value = a.agent_id;
        return option;
      }),
  );
  owner.value = chosen || me?.agent?.agent_id || '';
}

function tokenRow(token) {
  const item = el('li', 'account-row');
  item.dataset.tokenId = token.token_id;
  const owner = agents.find((a) => a.agent_id === token.agent_id);
  const who = el('div', 'account-who');
  who.append(el('strong', null, token.name));
  if (owner && token.agent_id !== me?.agent?.agent_id) who.append(el('span', 'muted', ` · ${owner.name}`));
  who.append(el('span', 'muted', ` · créé le ${formatDate(token.created_at)} · utilisé ${formatDate(token.last_used_at)}`));
  item.append(who);
  if (token.revoked_at) item.append(el('span', 'badge', 'révoqué'));
  else
    item.append(
      button('Révoquer', 'danger', () =>
        guarded(async () => {
          await call(`/tokens/${token.token_id}`, { method: 'DELETE' });
          await renderTokens();
        }),
      ),
    );
  return item;
}

async function renderTokens() {
  const items = (await call('/tokens')).items.filter((t) => !t.revoked_at);
  $('tokens-list').replaceChildren(...items.map(tokenRow));
  $('tokens-empty').hidden = items.length > 0;
}

/** Open the panel for the signed-in caller (`GET /me` answer). */
export async function openAccount(whoami) {
  me = whoami;
  const admin = me.role === 'admin' && me.kind === 'agent';
  $('agents-section').hidden = !admin;
  $('token-owner-label').hidden = !admin;
  $('tokens-section').hidden = me.kind !== 'agent';
  $('account-service').hidden = me.kind === 'agent';
  $('account-secret').hidden = true;
  notice('');
  await guarded(async () => {
    if (admin) await renderAgents();
    if (me.kind === 'agent') await renderTokens();
  });
}

$('agent-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.target;
  void guarded(async () => {
    const password = generatedPassword();
    const agent = await call('/agents', {
      method: 'POST',
      body: JSON.stringify({
        email: $('new-agent-email').value.trim(),
        name: $('new-agent-name').value.trim(),
        role: $('new-agent-role').value,
        password,
      }),
    });
    form.reset();
    await renderAgents();
    revealSecret(`Mot de passe initial de ${agent.name} (${agent.email}) :`, password);
  });
});

$('token-form-new').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.target;
  void guarded(async () => {
    const ownerId = $('token-owner-label').hidden ? undefined : $('token-owner').value || undefined;
    const created = await call('/tokens', {
      method: 'POST',
      body: JSON.stringify({ name: $('new-token-name').value.trim(), ...(ownerId ? { agent_id: ownerId } : {}) }),
    });
    form.reset();
    await renderTokens();
    revealSecret(`Jeton « ${created.name} » :`, created.token);
  });
});
