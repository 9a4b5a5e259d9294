/**
 * The demo chat page: one ChatClient, sessions kept in localStorage, history loaded when a session
 * is opened, replies streamed when the responder streams, the connection's life shown as it happens.
 * The token comes from the local gateway's dev endpoint (`/demo/token`), asked again on every (re)connect.
 */
import { ChatClient, type ChatMessage, type StatusChange } from '../client/index.ts';

const element = <T extends HTMLElement>(id: string): T => {
  const found = document.getElementById(id);
  if (!found) throw new Error(`#${id} is missing from the page`);
  return found as T;
};

const params = new URLSearchParams(location.search);
const user = params.get('user') || 'alice';
const configuredUrl = document.querySelector<HTMLMetaElement>('meta[name="chat-websocket-url"]')?.content;
const webSocketUrl = configuredUrl || `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/dev`;
const sessionsKey = `chat-demo.sessions.${user}`;

const conversations = new Map<string, ChatMessage[]>();
const streaming = new Map<string, { sessionId: string; text: string }>();
const sessions: string[] = JSON.parse(localStorage.getItem(sessionsKey) ?? '["test-session"]');
let current = sessions[0] || 'test-session';

const client = new ChatClient({
  url: webSocketUrl,
  token: async ({ reason }) => {
    const response = await fetch(`/demo/token?user=${encodeURIComponent(user)}&reason=${reason}`, { cache: 'no-store' });
    if (!response.ok) throw new Error(`token endpoint answered ${response.status}`);
    return ((await response.json()) as { token: string }).token;
  },
  reconnect: { baseDelayMs: 500, maxDelayMs: 10_000 },
  keepAlive: { intervalMs: 60_000, timeoutMs: 10_000 },
});

const logEvent = (text: string): void => {
  const item = document.createElement('li');
  item.textContent = `${new Date().toLocaleTimeString()} ${text}`;
  element('events').prepend(item);
};

const bubble = (role: string, text: string, meta: string): HTMLLIElement => {
  const item = document.createElement('li');
  item.className = 'message';
  item.dataset.role = role;
  item.append(text);
  const small = document.createElement('span');
  small.className = 'meta';
  small.textContent = meta;
  item.append(small);
  return item;
};

const renderMessages = (): void => {
  const list = element('messages');
  const items: HTMLLIElement[] = [];
  for (const message of conversations.get(current) ?? []) {
    const item = bubble(message.role, message.message, `${message.role} · ${new Date(message.createdAt).toLocaleTimeString()}`);
    item.dataset.messageId = message.messageId;
    items.push(item);
  }
  for (const [messageId, partial] of streaming) {
    if (partial.sessionId !== current) continue;
    const item = bubble('assistant', partial.text, 'assistant · streaming');
    item.classList.add('streaming');
    item.dataset.streamingId = messageId;
    items.push(item);
  }
  const pending = client.pending;
  for (const waiting of pending) {
    if (waiting.sessionId !== current) continue;
    const item = bubble('user', waiting.message, 'sending…');
    item.classList.add('pending');
    items.push(item);
  }
  list.replaceChildren(...items);
  list.scrollTop = list.scrollHeight;
  element('queued').textContent = String(pending.length);
};

const renderSessions = (): void => {
  element('sessions').replaceChildren(
    ...sessions.map((sessionId) => {
      const item = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = sessionId;
      button.dataset.sessionId = sessionId;
      button.setAttribute('aria-current', String(sessionId === current));
      button.addEventListener('click', () => selectSession(sessionId));
      item.append(button);
      return item;
    }),
  );
  element('session-title').textContent = `Session ${current}`;
};

/** Opens a session and shows it; false (and a log line) when the client refuses the id, which is then neither shown nor kept. */
const selectSession = (sessionId: string): boolean => {
  try {
    client.openSession(sessionId).catch(() => undefined);
  } catch (error) {
    logEvent((error as Error).message);
    return false;
  }
  current = sessionId;
  if (!sessions.includes(sessionId)) {
    sessions.push(sessionId);
    localStorage.setItem(sessionsKey, JSON.stringify(sessions));
  }
  renderSessions();
  renderMessages();
  return true;
};

const showStatus = (change: StatusChange): void => {
  const status = element('status');
  status.dataset.status = change.status;
  status.textContent = change.status === 'reconnecting' && change.retryInMs !== undefined ? `reconnecting (attempt ${change.attempt})` : change.status;
  const why = change.reason ? ` (${change.reason})` : '';
  const delay = change.retryInMs !== undefined ? ` in ${change.retryInMs} ms` : '';
  logEvent(`${change.status}${why}${delay}${change.detail ? ` – ${change.detail}` : ''}`);
  if (change.status !== 'open') element('connection-id').textContent = '–';
  if (change.status === 'open') {
    client.ping().then(
      (pong) => {
        element('connection-id').textContent = pong.connectionId;
      },
      () => undefined,
    );
  }
};

client.on('status', showStatus);
client.on('message', (message) => {
  const list = conversations.get(message.sessionId) ?? [];
  list.push(message);
  conversations.set(message.sessionId, list);
  streaming.delete(message.messageId);
  if (message.sessionId === current) renderMessages();
});
client.on('chunk', (chunk) => {
  const partial = streaming.get(chunk.messageId) ?? { sessionId: chunk.sessionId, text: '' };
  partial.text += chunk.delta;
  streaming.set(chunk.messageId, partial);
  if (chunk.sessionId === current) renderMessages();
});
client.on('error', (error) => logEvent(`error ${error.code}: ${error.message}`));
client.on('sendFailed', (failure) => {
  logEvent(`not sent: ${failure.message}`);
  renderMessages();
});

element<HTMLFormElement>('composer').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = element<HTMLInputElement>('message');
  const text = input.value;
  if (!text.trim()) return;
  try {
    client.send(current, text).acknowledged.then(renderMessages, renderMessages);
    input.value = '';
  } catch (error) {
    logEvent((error as Error).message);
  }
  renderMessages();
});

element<HTMLFormElement>('new-session-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = element<HTMLInputElement>('new-session');
  if (selectSession(input.value.trim())) input.value = '';
});

element('user').textContent = user;
element('ws-url').textContent = webSocketUrl;
client.connect();
const requested = params.get('session');
if (!requested || !selectSession(requested)) selectSession(current);

export { client };
