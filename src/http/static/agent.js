// Agent dashboard: REST for state, /ws events for live updates (resume after reconnect). All text via textContent.
const TOKEN_KEY = 'freeda.agent.token';
/** Channel name → label, from GET /channels (the channels the server's modules declare). */
const CHANNEL_LABELS = {};
const AUTHOR_LABELS = { customer: 'Client', bot: 'Bot', agent: 'Agent', system: 'Système' };
const DELIVERY_LABELS = { queued: 'en file', sent: 'envoyé', delivered: 'distribué', read: 'lu', failed: 'échec', unknown: 'incertain' };

const $ = (id) => document.getElementById(id);
const els = {
  login: $('login'),
  loginForm: $('login-form'),
  token: $('token'),
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
};

let token = sessionStorage.getItem(TOKEN_KEY);
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
  const headers = { authorization: `Bearer ${token}`, ...(init.body ? { 'content-type': 'application/json' } : {}) };
  const response = await fetch(path, { ...init, headers });
  if (response.status === 401) {
    logout('Jeton refusé : reconnectez-vous.');
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
  return params;
}

function matchesFilters(ticket) {
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
    el('span', 'ticket-title', ticketTitle(ticket)),
    el('time', 'ticket-time', formatDate(ticket.last_message_at ?? ticket.updated_at)),
  );
  const sub = el('span', 'ticket-sub', ticket.analytics?.summary || ticket.subject || `${ticket.messages_count ?? 0} message(s)`);
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
  return [...tickets.values()].sort((a, b) =>
    b.created_at > a.created_at ? 1 : b.created_at < a.created_at ? -1 : b.ticket_id.localeCompare(a.ticket_id),
  );
}

function renderList() {
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
  const item = el('li', `msg msg-${message.author}`);
  item.dataset.messageId = message.message_id;
  const meta = el('p', 'meta');
  const when = el('time', null, formatDate(message.created_at));
  when.dateTime = message.created_at;
  meta.append(el('span', 'author', AUTHOR_LABELS[message.author] ?? message.author), ' · ', when);
  item.append(meta, el('p', 'text', message.text));
  for (const attachment of message.attachments ?? []) {
    const line = el(
      'p',
      'attachment',
      `📎 ${attachment.filename || attachment.content_type}${attachment.size ? ` (${Math.round(attachment.size / 1024)} Ko)` : ''} `,
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
  els.replyText.placeholder = isClosed ? 'Ticket fermé : rouvrez-le pour répondre.' : 'Répondre au client (Ctrl+Entrée pour envoyer)…';
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
    case 'message.created':
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
  if (!token) return;
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws?token=${encodeURIComponent(token)}`;
  const ws = new WebSocket(url);
  socket = ws;
  ws.addEventListener('open', () => {
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
  ws.addEventListener('close', () => {
    if (socket !== ws) return;
    setLive('offline', 'Reconnexion…');
    setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, 15000);
  });
}

// ---------- actions ----------

els.replyForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const text = els.replyText.value.trim();
  if (!text || !selected) return;
  els.replySend.disabled = true;
  els.replyError.hidden = true;
  try {
    const message = await (
      await api(`/tickets/${selected.ticket_id}/messages`, {
        method: 'POST',
        body: JSON.stringify({ text, client_id: crypto.randomUUID() }),
      })
    ).json();
    els.replyText.value = '';
    onEvent({ type: 'message.created', data: message });
  } catch (error) {
    els.replyError.textContent = `Réponse non envoyée : ${error.message}`;
    els.replyError.hidden = false;
  } finally {
    els.replySend.disabled = selected?.status === 'fermé';
    els.replyText.focus();
  }
});

els.replyText.addEventListener('keydown', (event) => {
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
els.more.addEventListener('click', () => loadTickets(true));
els.back.addEventListener('click', () => {
  els.dashboard.classList.remove('show-conversation');
  els.tickets.querySelector('[aria-current="true"]')?.focus();
});

// ---------- login ----------

function logout(message) {
  token = null;
  sessionStorage.removeItem(TOKEN_KEY);
  const ws = socket;
  socket = null;
  ws?.close();
  setLive('offline', 'Hors ligne');
  els.dashboard.hidden = true;
  els.logout.hidden = true;
  els.login.hidden = false;
  els.loginError.textContent = message ?? '';
  els.loginError.hidden = !message;
  els.token.focus();
}

/** The channel filter lists what the server serves (GET /channels); an unknown channel shows its name. */
async function loadChannels() {
  const response = await fetch('/channels', { headers: { authorization: `Bearer ${token}` } }).catch(() => null);
  if (!response || !response.ok) return;
  const { items } = await response.json();
  for (const channel of items) {
    CHANNEL_LABELS[channel.name] = channel.label;
    const option = el('option', '', channel.label);
    option.value = channel.name;
    els.channel.append(option);
  }
}

async function enter() {
  els.login.hidden = true;
  els.dashboard.hidden = false;
  els.logout.hidden = false;
  if (els.channel.options.length === 1) await loadChannels();
  await loadTickets();
  connect();
}

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
  token = candidate;
  sessionStorage.setItem(TOKEN_KEY, token);
  els.token.value = '';
  await enter();
});

els.logout.addEventListener('click', () => logout());

if (token) void enter();
else els.token.focus();
