// Visitor chat over /ws (see adapters/webchat/README.md). All text goes through textContent.
const TOKEN_KEY = 'freeda.chat.visitor_token';
const TICKET_KEY = 'freeda.chat.ticket_id';
const AUTHOR_LABELS = { customer: 'Vous', bot: 'Assistant', agent: 'Conseiller', system: 'Info' };

const list = document.getElementById('messages');
const form = document.getElementById('composer');
const input = document.getElementById('text');
const sendButton = document.getElementById('send');
const badge = document.getElementById('closed-badge');
const closedPanel = document.getElementById('closed-panel');
const newConversation = document.getElementById('new-conversation');
const connection = document.getElementById('connection');
const notice = document.getElementById('notice');

const store = {
  get: (key) => {
    try {
      return localStorage.getItem(key);
    } catch {
      return null;
    }
  },
  set: (key, value) => {
    try {
      if (value) localStorage.setItem(key, value);
      else localStorage.removeItem(key);
    } catch {
      /* private mode */
    }
  },
};

let socket = null;
let ticketId = store.get(TICKET_KEY);
let closed = false;
let retryMs = 500;
/** client_id → { text, element }: sent but not yet acknowledged; resent with the same id after a reconnect. */
const pending = new Map();
const shownIds = new Set();

function formatTime(iso) {
  const date = iso ? new Date(iso) : new Date();
  return date.toLocaleTimeString('fr-FR', { hour: '2-digit', minute: '2-digit' });
}

function renderMessage({ author, text, created_at: createdAt, author_name: authorName }, state) {
  const item = document.createElement('li');
  item.className = `msg msg-${author === 'customer' ? 'customer' : author}`;
  const meta = document.createElement('p');
  meta.className = 'meta';
  const who = document.createElement('span');
  who.textContent = authorName || (AUTHOR_LABELS[author] ?? author);
  const when = document.createElement('time');
  when.textContent = formatTime(createdAt);
  if (createdAt) when.dateTime = createdAt;
  meta.append(who, ' · ', when);
  const body = document.createElement('p');
  body.className = 'text';
  body.textContent = text;
  item.append(meta, body);
  if (state) {
    const status = document.createElement('p');
    status.className = 'state';
    status.textContent = state;
    item.append(status);
  }
  list.append(item);
  list.scrollTop = list.scrollHeight;
  return item;
}

function showMessage(message) {
  if (shownIds.has(message.message_id)) return;
  const mine = message.client_id && pending.get(message.client_id);
  if (mine) return acknowledge(message.client_id, message.message_id);
  shownIds.add(message.message_id);
  renderMessage(message);
}

function acknowledge(clientId, messageId) {
  const entry = pending.get(clientId);
  if (!entry) return;
  pending.delete(clientId);
  shownIds.add(messageId);
  entry.element.dataset.messageId = messageId;
  entry.element.querySelector('.state')?.remove();
}

function clearConversation() {
  for (const item of [...list.querySelectorAll('.msg:not(.intro)')]) item.remove();
  shownIds.clear();
}

/**
 * The server could not verify the stored visitor token (its key changed): the conversation shown cannot be continued.
 * Say so and start clean; messages typed but not yet acknowledged stay and are sent in the new conversation.
 */
function startOver() {
  clearConversation();
  setTicket(null);
  setClosed(false);
  for (const entry of pending.values()) list.append(entry.element);
  showNotice(
    "Votre conversation précédente n'a pas pu être reprise (session expirée). Une nouvelle conversation commence : " +
      'renvoyez votre question si besoin.',
  );
}

function setClosed(value) {
  closed = value;
  badge.hidden = !value;
  closedPanel.hidden = !value;
  input.disabled = value;
  sendButton.disabled = value;
  input.setAttribute('aria-disabled', String(value));
}

function showNotice(text) {
  notice.textContent = text;
  notice.hidden = !text;
}

function setTicket(id) {
  ticketId = id;
  store.set(TICKET_KEY, id);
}

function send(frame) {
  if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
}

function onFrame(frame) {
  switch (frame.type) {
    case 'welcome':
      if (frame.token_refused) startOver();
      store.set(TOKEN_KEY, frame.visitor_token);
      if (frame.ticket_id) setTicket(frame.ticket_id);
      retryMs = 500;
      for (const [clientId, entry] of pending) send({ type: 'message', client_id: clientId, text: entry.text });
      break;
    case 'history':
      if (frame.ticket_id !== ticketId) clearConversation();
      setTicket(frame.ticket_id);
      for (const message of frame.messages) showMessage(message);
      setClosed(frame.status === 'fermé' && pending.size === 0);
      break;
    case 'message.ack':
      acknowledge(frame.client_id, frame.message_id);
      if (frame.ticket_id !== ticketId) {
        setTicket(frame.ticket_id);
        setClosed(false);
      }
      break;
    case 'message':
      if (frame.data.ticket_id !== ticketId && frame.data.author === 'customer') setTicket(frame.data.ticket_id);
      showMessage(frame.data);
      break;
    case 'ticket.status_changed':
      if (frame.data.ticket_id === ticketId) setClosed(frame.data.status === 'fermé');
      break;
    case 'error':
      showNotice(frame.code === 'rate_limited' ? 'Vous envoyez trop de messages : patientez quelques secondes.' : frame.message);
      break;
  }
}

function connect() {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
  socket = new WebSocket(url);
  socket.addEventListener('open', () => {
    connection.textContent = 'En ligne';
    connection.dataset.state = 'online';
    send({ type: 'hello', visitor_token: store.get(TOKEN_KEY), ticket_id: ticketId });
  });
  socket.addEventListener('message', (event) => {
    try {
      onFrame(JSON.parse(event.data));
    } catch (error) {
      console.error('bad frame', error);
    }
  });
  socket.addEventListener('close', () => {
    connection.textContent = 'Reconnexion…';
    connection.dataset.state = 'offline';
    setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, 15000);
  });
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = input.value.trim();
  if (!text || closed) return;
  showNotice('');
  const clientId = crypto.randomUUID();
  const element = renderMessage({ author: 'customer', text }, 'Envoi…');
  pending.set(clientId, { text, element });
  send({ type: 'message', client_id: clientId, text });
  input.value = '';
  input.focus();
});

input.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    form.requestSubmit();
  }
});

newConversation.addEventListener('click', () => {
  clearConversation();
  setClosed(false);
  input.focus();
});

connect();
