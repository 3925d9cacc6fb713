// Agent dashboard: REST for state, /ws events for live updates (resume after reconnect). All text via textContent.
// Sign-in and tokens: session.js; the "Compte" panel (agents, personal tokens): admin.js.
import { openAccount } from './admin.js';
import { authFetch, currentToken, refresh, resume, signIn, signOut, SignInError, useApiToken, usesApiToken, whenEnded } from './session.js';

const ROLE_LABELS = { admin: 'administrateur', agent: 'agent', analyst: 'analyste' };
/** Channel name → label, from GET /channels (the channels the server's modules declare). */
const CHANNEL_LABELS = {};
const AUTHOR_LABELS = { customer: 'Client', bot: 'Bot', agent: 'Agent', system: 'Système' };

/** Accent- and case-folded, as the server's search folds (domain/search.ts). */
const fold = (text) =>
  text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/œ/g, 'oe')
    .replace(/æ/g, 'ae');
function queryWords() {
  return (els.q.value.trim() ? fold(els.q.value).match(/[\p{L}\p{N}]+/gu) : null) ?? [];
}
/** Text with the searched words in <mark> (DOM nodes, never HTML strings). */
function highlighted(text) {
  const words = queryWords();
  if (!words.length) return [text];
  const nodes = [];
  let last = 0;
  for (const match of text.matchAll(/[\p{L}\p{N}]+/gu)) {
    if (!words.includes(fold(match[0]))) continue;
    nodes.push(text.slice(last, match.index), el('mark', null, match[0]));
    last = match.index + match[0].length;
  }
  nodes.push(text.slice(last));
  return nodes;
}
const DELIVERY_LABELS = { queued: 'en file', sent: 'envoyé', delivered: 'distribué', read: 'lu', failed: 'échec', unknown: 'incertain' };

const $ = (id) => document.getElementById(id);
const els = {
  login: $('login'),
  loginForm: $('login-form'),
  token: $('token'),
  signinForm: $('signin-form'),
  email: $('signin-email'),
  password: $('password'),
  noAgents: $('no-agents'),
  sessionNav: $('session-nav'),
  whoami: $('whoami'),
  account: $('account'),
  accountOpen: $('account-open'),
  accountClose: $('account-close'),
  loginError: $('login-error'),
  dashboard: $('dashboard'),
  logout: $('logout'),
  live: $('live'),
  channel: $('filter-channel'),
  status: $('filter-status'),
  exportButton: $('export'),
  listNotice: $('list-notice'),
  tickets: $('tickets'),
  ticketsEmpty: $('tickets-empty'),
  more: $('more'),
  convEmpty: $('conv-empty'),
  conv: $('conv'),
  convTitle: $('conv-title'),
  convSub: $('conv-sub'),
  badges: $('conv-badges'),
  summary: $('conv-summary'),
  messages: $('conv-messages'),
  toggle: $('toggle-status'),
  replyForm: $('reply-form'),
  replyText: $('reply-text'),
  replySend: $('reply-send'),
  replyError: $('reply-error'),
  back: $('back'),
  view: $('filter-view'),
  q: $('filter-q'),
  sound: $('sound'),
  byActivity: $('by-activity'),
  assign: $('assign'),
  asNote: $('as-note'),
  canned: $('canned'),
  callback: $('callback'),
  callbackLink: $('callback-link'),
};
/** Channel name → can it take a written reply (GET /channels); a phone ticket gets a call-back link instead. */
const WRITABLE = {};
const BASE_TITLE = document.title;

let me = null; // GET /me: { kind, role, agent }
let socket = null;
let lastSeq = null;
let retryMs = 500;
let nextCursor = null;
let selected = null; // ticket detail (with messages)
const tickets = new Map(); // ticket_id → ticket
const unread = new Set();

class HttpError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Authenticated download (the token is a header, so a plain link cannot carry it). */
async function downloadFrom(path, filename) {
  const blob = await (await api(path)).blob();
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
}

async function api(path, init = {}) {
  const headers = init.body ? { 'content-type': 'application/json' } : {};
  const response = await authFetch(path, { ...init, headers });
  if (response.status === 401) {
    logout(usesApiToken() ? 'Jeton refusé : reconnectez-vous.' : 'Session expirée : reconnectez-vous.');
    throw new HttpError(401, 'unauthorized', 'Jeton refusé.');
  }
  if (!response.ok) {
    const body = await response.json().catch(() => null);
    throw new HttpError(response.status, body?.error?.code ?? 'http_error', body?.error?.message ?? `Erreur HTTP ${response.status}`);
  }
  return response;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

function formatDate(iso) {
  if (!iso) return '';
  return new Date(iso).toLocaleString('fr-FR', { day: '2-digit', month: '2-digit', hour: '2-digit', minute: '2-digit' });
}

function ticketTitle(ticket) {
  return ticket.contact?.display_name || ticket.contact?.address || ticket.ticket_id;
}

const BADGE_KINDS = {
  channel: 'Canal',
  status: 'Statut',
  sentiment: 'Sentiment',
  urgency: 'Urgence',
  category: 'Catégorie',
  handled: 'Pris en charge par',
};

function badge(kind, value, label) {
  const node = el('span', `badge badge-${kind} badge-${kind}-${String(value).replace(/\s+/g, '-')}`);
  node.title = `${BADGE_KINDS[kind] ?? kind} : ${value}`;
  node.append(el('span', 'visually-hidden', `${BADGE_KINDS[kind] ?? kind} : `), label ?? value);
  return node;
}

function ticketBadges(ticket) {
  const nodes = [badge('channel', ticket.channel, CHANNEL_LABELS[ticket.channel] ?? ticket.channel), badge('status', ticket.status)];
  if (ticket.analytics) {
    nodes.push(
      badge('sentiment', ticket.analytics.sentiment),
      badge('urgency', ticket.analytics.urgency),
      badge('category', ticket.analytics.category),
    );
  }
  if (ticket.handled_by === 'agent') nodes.push(badge('handled', 'agent', 'agent'));
  return nodes;
}

// ---------- filters & list ----------

function filterParams() {
  const params = new URLSearchParams();
  if (els.channel.value) params.set('channel', els.channel.value);
  if (els.status.value) params.set('status', els.status.value);
  if (els.view.value) params.set('assignee', els.view.value);
  if (els.q.value.trim()) params.set('q', els.q.value.trim());
  return params;
}

let myAgentId = null; // learnt from the first ticket assigned to "me"
function matchesFilters(ticket) {
  if (els.view.value === 'none' && ticket.assignee_id) return false;
  if (els.view.value === 'me' && ticket.assignee_id !== myAgentId) return false;
  if (els.q.value.trim() && !tickets.has(ticket.ticket_id)) return false; // search results come from the server
  return (!els.channel.value || ticket.channel === els.channel.value) && (!els.status.value || ticket.status === els.status.value);
}

function renderTicketItem(ticket) {
  const item = el('li', 'ticket-item');
  item.dataset.ticketId = ticket.ticket_id;
  const button = el('button', 'ticket-button');
  button.type = 'button';
  if (selected?.ticket_id === ticket.ticket_id) button.setAttribute('aria-current', 'true');
  if (unread.has(ticket.ticket_id)) item.classList.add('unread');
  const top = el('span', 'ticket-top');
  top.append(
    (() => {
      const title = el('span', 'ticket-title');
      title.append(...highlighted(ticketTitle(ticket)));
      return title;
    })(),
    el('time', 'ticket-time', formatDate(ticket.last_message_at ?? ticket.updated_at)),
  );
  const sub = el('span', 'ticket-sub');
  sub.append(...highlighted(ticket.subject || ticket.analytics?.summary || `${ticket.messages_count ?? 0} message(s)`));
  if (ticket.assignee_id)
    sub.append(' · ', el('span', 'assignee', `assigné : ${ticket.assignee_id === myAgentId ? 'moi' : ticket.assignee_id}`));
  const badges = el('span', 'badges');
  badges.append(...ticketBadges(ticket));
  button.append(top, sub, badges);
  button.setAttribute(
    'aria-label',
    `${ticketTitle(ticket)}, ${CHANNEL_LABELS[ticket.channel] ?? ticket.channel}, ${ticket.status}${unread.has(ticket.ticket_id) ? ', nouveau message' : ''}`,
  );
  button.addEventListener('click', () => openTicket(ticket.ticket_id));
  item.append(button);
  return item;
}

function sortedTickets() {
  // Newest first by creation, or (option) by last activity: the ticket with the latest message on top.
  const key = els.byActivity.checked ? (t) => t.last_message_at ?? t.updated_at ?? t.created_at : (t) => t.created_at;
  return [...tickets.values()].sort((a, b) => (key(b) > key(a) ? 1 : key(b) < key(a) ? -1 : b.ticket_id.localeCompare(a.ticket_id)));
}

function renderList() {
  document.title = unread.size ? `(${unread.size}) ${BASE_TITLE}` : BASE_TITLE;
  els.tickets.replaceChildren(...sortedTickets().map(renderTicketItem));
  els.ticketsEmpty.hidden = tickets.size > 0;
  els.more.hidden = !nextCursor;
}

async function loadTickets(append = false) {
  const params = filterParams();
  params.set('limit', '50');
  if (append && nextCursor) params.set('cursor', nextCursor);
  try {
    const page = await (await api(`/tickets?${params}`)).json();
    if (!append) tickets.clear();
    for (const ticket of page.items) tickets.set(ticket.ticket_id, ticket);
    nextCursor = page.next_cursor;
    showListNotice('');
    renderList();
  } catch (error) {
    if (error.status !== 401) showListNotice(`Impossible de charger les tickets : ${error.message}`);
  }
}

function showListNotice(text) {
  els.listNotice.textContent = text;
  els.listNotice.hidden = !text;
}

// ---------- conversation ----------

function deliveryText(delivery) {
  if (!delivery) return '';
  const label = DELIVERY_LABELS[delivery.status] ?? delivery.status;
  return (delivery.status === 'failed' || delivery.status === 'unknown') && delivery.error_code
    ? `${label} (${delivery.error_code}${delivery.error_message ? ` : ${delivery.error_message}` : ''})`
    : label;
}

function renderMessage(message) {
  const internal = message.visibility === 'internal';
  const item = el('li', `msg msg-${message.author}${internal ? ' msg-internal' : ''}`);
  item.dataset.messageId = message.message_id;
  const meta = el('p', 'meta');
  const when = el('time', null, formatDate(message.created_at));
  when.dateTime = message.created_at;
  const who = internal
    ? `Note interne${message.author_name ? ` · ${message.author_name}` : ''}`
    : `${AUTHOR_LABELS[message.author] ?? message.author}${message.author === 'agent' && message.author_name ? ` · ${message.author_name}` : ''}`;
  meta.append(el('span', 'author', who), ' · ', when);
  const body = el('p', 'text');
  body.append(...highlighted(message.text));
  item.append(meta, body);
  for (const attachment of message.attachments ?? []) {
    const line = el(
      'p',
      'attachment',
      `📎 ${attachment.filename || attachment.content_type}${attachment.size ? ` (${formatSize(attachment.size)})` : ''} `,
    );
    if (attachment.stored_key) {
      const button = el('button', 'link-button', 'Télécharger');
      button.type = 'button';
      button.setAttribute('aria-label', `Télécharger ${attachment.filename || 'la pièce jointe'}`);
      button.addEventListener('click', () => {
        downloadFrom(
          `/tickets/${message.ticket_id}/attachments/${attachment.stored_key}`,
          attachment.filename || attachment.stored_key,
        ).catch((error) => {
          if (error.status !== 401) showListNotice(`Téléchargement impossible : ${error.message}`);
        });
      });
      line.append(button);
    }
    item.append(line);
  }
  if (message.delivery) {
    const state = el('p', `state delivery-${message.delivery.status}`, deliveryText(message.delivery));
    state.dataset.role = 'delivery';
    item.append(state);
  }
  return item;
}

/** 14 octets, 2,5 Ko, 1,2 Mo: never "0 Ko" for a small file. */
function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} octets`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toLocaleString('fr-FR', { maximumFractionDigits: 1 })} Ko`;
  return `${(bytes / 1024 / 1024).toLocaleString('fr-FR', { maximumFractionDigits: 1 })} Mo`;
}

function renderConversationHeader() {
  const ticket = selected;
  els.convTitle.textContent = ticketTitle(ticket);
  els.convSub.textContent = `${CHANNEL_LABELS[ticket.channel] ?? ticket.channel} · ${ticket.contact?.address ?? ''} · ouvert le ${formatDate(ticket.created_at)}${ticket.subject ? ` · ${ticket.subject}` : ''}`;
  els.badges.replaceChildren(...ticketBadges(ticket));
  els.summary.textContent = ticket.analytics?.summary ?? '';
  els.summary.hidden = !ticket.analytics?.summary;
  const isClosed = ticket.status === 'fermé';
  els.toggle.textContent = isClosed ? 'Rouvrir le ticket' : 'Fermer le ticket';
  els.toggle.className = isClosed ? 'secondary' : 'danger';
  els.replyText.disabled = isClosed;
  els.replySend.disabled = isClosed;
  els.replyText.placeholder = isClosed
    ? 'Ticket fermé : rouvrez-le pour répondre (une note interne reste possible).'
    : 'Répondre au client (/ pour une réponse type, Ctrl+Entrée pour envoyer)…';
  const mine = ticket.assignee_id && ticket.assignee_id === myAgentId;
  els.assign.textContent = mine ? 'Me désassigner' : ticket.assignee_id ? `Assigné : ${ticket.assignee_id} — me l’assigner` : 'M’assigner';
  // A phone ticket: call the customer back (no written reply possible).
  const writable = WRITABLE[ticket.channel] !== false;
  els.callback.hidden = writable;
  els.callbackLink.href = `tel:${(ticket.contact?.address ?? '').replace(/^whatsapp:/, '')}`;
  els.callbackLink.textContent = `Rappeler ${ticket.contact?.address ?? ''}`;
  if (!writable) els.asNote.checked = true;
  els.asNote.disabled = !writable;
  if (els.asNote.checked) {
    els.replyText.disabled = false;
    els.replySend.disabled = false;
    els.replyText.placeholder = 'Note interne, visible des agents seulement…';
  }
}

async function openTicket(ticketId) {
  try {
    const detail = await (await api(`/tickets/${encodeURIComponent(ticketId)}`)).json();
    selected = detail;
    unread.delete(ticketId);
    tickets.set(ticketId, { ...tickets.get(ticketId), ...withoutMessages(detail) });
    els.convEmpty.hidden = true;
    els.conv.hidden = false;
    els.replyError.hidden = true;
    renderConversationHeader();
    els.messages.replaceChildren(...detail.messages.map(renderMessage));
    els.messages.scrollTop = els.messages.scrollHeight;
    els.dashboard.classList.add('show-conversation');
    renderList();
    els.convTitle.focus();
  } catch (error) {
    if (error.status !== 401) showListNotice(`Ticket introuvable : ${error.message}`);
  }
}

function withoutMessages(detail) {
  const { messages, ...ticket } = detail;
  return ticket;
}

// ---------- live events ----------

function onEvent(frame) {
  if (typeof frame.seq === 'number') lastSeq = frame.seq;
  const data = frame.data;
  switch (frame.type) {
    case 'ticket.created':
      alertFor(data.ticket_id, 'Nouveau ticket', data);
    // falls through
    case 'ticket.updated':
    case 'ticket.status_changed': {
      const merged = { ...tickets.get(data.ticket_id), ...data };
      if (matchesFilters(merged)) tickets.set(data.ticket_id, merged);
      else tickets.delete(data.ticket_id);
      if (selected?.ticket_id === data.ticket_id) {
        selected = { ...selected, ...data };
        renderConversationHeader();
      }
      renderList();
      break;
    }
    case 'ticket.assigned': {
      const merged = { ...tickets.get(data.ticket_id), ...data };
      if (matchesFilters(merged)) tickets.set(data.ticket_id, merged);
      else tickets.delete(data.ticket_id);
      if (selected?.ticket_id === data.ticket_id) {
        selected = { ...selected, ...data };
        renderConversationHeader();
      }
      renderList();
      break;
    }
    case 'note.created':
    case 'message.created':
      if (frame.type === 'message.created' && data.author === 'customer') alertFor(data.ticket_id, data.text);
      if (selected?.ticket_id === data.ticket_id) {
        if (!els.messages.querySelector(`[data-message-id="${CSS.escape(data.message_id)}"]`)) {
          selected.messages.push(data);
          els.messages.append(renderMessage(data));
          els.messages.scrollTop = els.messages.scrollHeight;
        }
      } else if (data.author === 'customer') {
        unread.add(data.ticket_id);
        renderList();
      }
      break;
    case 'message.updated':
      if (selected?.ticket_id === data.ticket_id) {
        const existing = els.messages.querySelector(`[data-message-id="${CSS.escape(data.message_id)}"]`);
        if (existing) existing.replaceWith(renderMessage(data));
      }
      break;
    case 'resync_required':
      void loadTickets();
      if (selected) void openTicket(selected.ticket_id);
      break;
    case 'error':
      if (frame.code === 'invalid_seq') {
        lastSeq = frame.seq ?? null;
        void loadTickets();
      }
      break;
  }
}

function setLive(state, text) {
  els.live.dataset.state = state;
  els.live.textContent = text;
}

function connect() {
  const token = currentToken();
  if (!token) return;
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws?token=${encodeURIComponent(token)}`;
  const ws = new WebSocket(url);
  socket = ws;
  let opened = false;
  ws.addEventListener('open', () => {
    opened = true;
    setLive('online', 'En direct');
    retryMs = 500;
    if (lastSeq !== null) ws.send(JSON.stringify({ type: 'resume', after_seq: lastSeq }));
  });
  ws.addEventListener('message', (event) => {
    const frame = JSON.parse(event.data);
    if (frame.type === 'hello' && lastSeq === null) {
      lastSeq = frame.seq;
      return;
    }
    onEvent(frame);
  });
  ws.addEventListener('close', async (event) => {
    if (socket !== ws) return;
    setLive('offline', 'Reconnexion…');
    // 4401: the server closed us for an expired/revoked token; refused before opening: maybe the same. Renew first.
    const stale = event.code === 4401 || !opened;
    if (stale && !usesApiToken()) {
      const renewed = await refresh().catch(() => undefined);
      if (renewed === null || socket !== ws) return; // the session is over: the sign-in form is shown
    }
    setTimeout(connect, event.code === 4401 ? 0 : retryMs);
    retryMs = Math.min(retryMs * 2, 15000);
  });
}

// ---------- alerts ----------

/** New tickets and customer messages on my or unassigned tickets: browser notification (if allowed) and optional sound. */
function alertFor(ticketId, text, ticket = tickets.get(ticketId)) {
  if (ticket?.assignee_id && ticket.assignee_id !== myAgentId) return;
  if (document.visibilityState === 'visible' && selected?.ticket_id === ticketId) return;
  if ('Notification' in window && Notification.permission === 'granted') {
    const note = new Notification(`Freeda — ${ticket ? ticketTitle(ticket) : 'nouveau message'}`, {
      body: text.slice(0, 140),
      tag: ticketId,
    });
    note.onclick = () => {
      window.focus();
      void openTicket(ticketId);
    };
  }
  if (els.sound.checked) beep();
}

function beep() {
  const audio = new AudioContext();
  const tone = audio.createOscillator();
  const gain = audio.createGain();
  gain.gain.value = 0.08;
  tone.frequency.value = 880;
  tone.connect(gain).connect(audio.destination);
  tone.start();
  tone.stop(audio.currentTime + 0.15);
  tone.onended = () => void audio.close();
}

// ---------- canned replies ----------

let cannedItems = [];
async function showCanned() {
  const match = /^\/([\w-]*)$/.exec(els.replyText.value);
  if (!match || !selected) return void (els.canned.hidden = true);
  if (!cannedItems.length || cannedItems.ticketId !== selected.ticket_id) {
    cannedItems = (await (await api(`/canned-replies?ticket_id=${selected.ticket_id}`)).json()).items;
    cannedItems.ticketId = selected.ticket_id;
  }
  const shown = cannedItems.filter((r) => r.shortcut.startsWith(match[1].toLowerCase()));
  els.canned.replaceChildren(
    ...shown.map((reply, index) => {
      const item = el('li', 'canned-item');
      item.setAttribute('role', 'option');
      item.setAttribute('aria-selected', String(index === 0));
      item.append(el('strong', null, `/${reply.shortcut}`), ` ${reply.title}`);
      item.addEventListener('mousedown', (event) => {
        event.preventDefault();
        useCanned(reply);
      });
      return item;
    }),
  );
  els.canned.hidden = shown.length === 0;
  els.canned.shown = shown;
}
function useCanned(reply) {
  els.replyText.value = reply.rendered ?? reply.text;
  els.canned.hidden = true;
  els.replyText.focus();
}

// ---------- actions ----------

els.replyForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const text = els.replyText.value.trim();
  if (!text || !selected) return;
  els.replySend.disabled = true;
  els.replyError.hidden = true;
  try {
    const note = els.asNote.checked;
    const message = await (
      await api(`/tickets/${selected.ticket_id}/${note ? 'notes' : 'messages'}`, {
        method: 'POST',
        body: JSON.stringify(note ? { text } : { text, client_id: crypto.randomUUID() }),
      })
    ).json();
    els.replyText.value = '';
    onEvent({ type: note ? 'note.created' : 'message.created', data: message });
  } catch (error) {
    els.replyError.textContent = `Réponse non envoyée : ${error.message}`;
    els.replyError.hidden = false;
  } finally {
    els.replySend.disabled = selected?.status === 'fermé';
    els.replyText.focus();
  }
});

els.replyText.addEventListener('input', () => void showCanned().catch(() => (els.canned.hidden = true)));
els.asNote.addEventListener('change', () => selected && renderConversationHeader());
els.assign.addEventListener('click', async () => {
  if (!selected) return;
  const mine = selected.assignee_id && selected.assignee_id === myAgentId;
  try {
    const ticket = await (
      await api(`/tickets/${selected.ticket_id}/assignee`, { method: 'PATCH', body: JSON.stringify({ agent_id: mine ? null : 'me' }) })
    ).json();
    if (!mine) myAgentId = ticket.assignee_id;
    onEvent({ type: 'ticket.assigned', data: ticket });
  } catch (error) {
    els.replyError.textContent = `Assignation impossible : ${error.message}`;
    els.replyError.hidden = false;
  }
});
els.replyText.addEventListener('keydown', (event) => {
  if (!els.canned.hidden && event.key === 'Enter' && els.canned.shown?.length) {
    event.preventDefault();
    return useCanned(els.canned.shown[0]);
  }
  if (event.key === 'Escape') els.canned.hidden = true;
  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    els.replyForm.requestSubmit();
  }
});

els.toggle.addEventListener('click', async () => {
  if (!selected) return;
  const status = selected.status === 'fermé' ? 'en cours' : 'fermé';
  els.toggle.disabled = true;
  try {
    const ticket = await (await api(`/tickets/${selected.ticket_id}/status`, { method: 'PATCH', body: JSON.stringify({ status }) })).json();
    onEvent({ type: 'ticket.status_changed', data: ticket });
  } catch (error) {
    els.replyError.textContent = `Statut non modifié : ${error.message}`;
    els.replyError.hidden = false;
  } finally {
    els.toggle.disabled = false;
  }
});

els.exportButton.addEventListener('click', async () => {
  els.exportButton.disabled = true;
  try {
    await downloadFrom(`/export/csv?${filterParams()}`, `freeda-tickets-${new Date().toISOString().slice(0, 10)}.csv`);
  } catch (error) {
    if (error.status !== 401) showListNotice(`Export impossible : ${error.message}`);
  } finally {
    els.exportButton.disabled = false;
  }
});

els.channel.addEventListener('change', () => loadTickets());
els.status.addEventListener('change', () => loadTickets());
els.view.addEventListener('change', () => loadTickets());
els.byActivity.addEventListener('change', () => renderList());
let searchTimer = null;
els.q.addEventListener('input', () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => {
    void loadTickets();
    // The open conversation shows the searched words highlighted too.
    if (selected) els.messages.replaceChildren(...selected.messages.map(renderMessage));
  }, 250);
});
els.sound.addEventListener('change', () => {
  if (els.sound.checked) beep();
});
els.more.addEventListener('click', () => loadTickets(true));
els.back.addEventListener('click', () => {
  els.dashboard.classList.remove('show-conversation');
  els.tickets.querySelector('[aria-current="true"]')?.focus();
});

// ---------- sign-in ----------

function showLogin(message) {
  me = null;
  const ws = socket;
  socket = null;
  ws?.close();
  setLive('offline', 'Hors ligne');
  els.dashboard.hidden = true;
  els.account.hidden = true;
  els.sessionNav.hidden = true;
  els.login.hidden = false;
  els.loginError.textContent = message ?? '';
  els.loginError.hidden = !message;
  void fetch('/auth/status', { cache: 'no-store' })
    .then((r) => (r.ok ? r.json() : null))
    .then((status) => {
      // Nobody can sign in yet: explain how the first admin is created (the API-token form stays for services).
      const none = status?.agents_exist === false;
      els.noAgents.hidden = !none;
      els.signinForm.hidden = none;
      (none ? els.token : els.email).focus();
    })
    .catch(() => els.email.focus());
}

function logout(message) {
  void signOut();
  showLogin(message);
}
whenEnded(() => showLogin('Session expirée : reconnectez-vous.'));

/** The channel filter lists what the server serves (GET /channels); an unknown channel shows its name. */
async function loadChannels() {
  const response = await authFetch('/channels').catch(() => null);
  if (!response || !response.ok) return;
  const { items } = await response.json();
  for (const channel of items) {
    CHANNEL_LABELS[channel.name] = channel.label;
    WRITABLE[channel.name] = channel.written_replies;
    const option = el('option', '', channel.label);
    option.value = channel.name;
    els.channel.append(option);
  }
}

/** Who am I (GET /me): name and role in the top bar; analysts get a read-only conversation. */
async function loadMe() {
  me = await (await api('/me')).json();
  const name = me.agent?.name ?? 'Jeton de service';
  els.whoami.textContent = `${name} · ${ROLE_LABELS[me.role] ?? me.role}`;
  if (me.agent) myAgentId = me.agent.agent_id;
  document.body.dataset.role = me.role;
  const readOnly = me.role === 'analyst';
  els.replyForm.hidden = readOnly;
  els.toggle.hidden = readOnly;
  els.assign.hidden = readOnly;
}

async function enter() {
  els.login.hidden = true;
  els.account.hidden = true;
  els.dashboard.hidden = false;
  els.sessionNav.hidden = false;
  try {
    await loadMe();
  } catch {
    return; // 401: back to the sign-in form already
  }
  if (els.channel.options.length === 1) await loadChannels();
  await loadTickets();
  connect();
  // Notifications need the agent's permission, asked once from the dashboard.
  if ('Notification' in window && Notification.permission === 'default') void Notification.requestPermission();
}

els.signinForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  els.loginError.hidden = true;
  try {
    await signIn(els.email.value.trim(), els.password.value);
  } catch (error) {
    els.loginError.textContent =
      error instanceof SignInError && error.status === 401
        ? 'E-mail ou mot de passe incorrect.'
        : error instanceof SignInError && error.status === 429
          ? `Trop de tentatives : réessayez dans ${error.retryAfter ?? 'quelques'} secondes.`
          : 'Serveur injoignable.';
    els.loginError.hidden = false;
    return;
  }
  els.password.value = '';
  await enter();
});

els.loginForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const candidate = els.token.value.trim();
  if (!candidate) return;
  const response = await fetch('/tickets?limit=1', { headers: { authorization: `Bearer ${candidate}` } }).catch(() => null);
  if (!response || !response.ok) {
    els.loginError.textContent = response?.status === 401 ? 'Jeton invalide.' : 'Serveur injoignable.';
    els.loginError.hidden = false;
    return;
  }
  useApiToken(candidate);
  els.token.value = '';
  await enter();
});

els.logout.addEventListener('click', () => logout());
els.accountOpen.addEventListener('click', () => {
  if (!me) return;
  els.dashboard.hidden = true;
  els.account.hidden = false;
  void openAccount(me);
});
els.accountClose.addEventListener('click', () => {
  els.account.hidden = true;
  els.dashboard.hidden = false;
});

// A session left by an earlier page load (refresh cookie) or an API token resumes without asking again.
void resume().then((session) => (session ? enter() : showLogin()));
