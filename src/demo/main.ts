/**
 * The demo chat page: one ChatClient, sessions kept in localStorage, history loaded when a session
 * is opened, replies streamed when the responder streams (an answer in progress continues after a
 * reload: the client hands out its text so far from history, then the live rest), a Stop button
 * while an answer streams, the connection's life shown as it happens.
 * The token comes from the local gateway's dev endpoint (`/demo/token`), asked again on every (re)connect.
 */
import { ChatClient, type ChatMessage, type ServerError, type StatusChange } from '../client/index.ts';

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

/** Why a reply is not the model's whole answer, for the note under it; undefined for a whole one. */
const incompleteNote = (message: ChatMessage): string | undefined => {
  if (message.status === 'truncated') return 'Cut short: the reply reached the time limit of one invocation.';
  if (message.status === 'failed') return 'Interrupted: the model stopped answering before the end; the text above is what came.';
  if (message.status === 'cancelled') return 'Cancelled before the end.';
  if (message.stopReason === 'max_tokens') return 'Stopped at the length limit (BEDROCK_MAX_TOKENS).';
  return undefined;
};

const messageItem = (message: ChatMessage): HTMLLIElement => {
  const usage = message.usage ? ` · ${message.usage.inputTokens} in / ${message.usage.outputTokens} out tokens` : '';
  const item = bubble(message.role, message.message, `${message.role} · ${new Date(message.createdAt).toLocaleTimeString()}${usage}`);
  item.dataset.messageId = message.messageId;
  if (message.status) item.dataset.status = message.status;
  const note = incompleteNote(message);
  if (note) {
    const small = document.createElement('span');
    small.className = 'note';
    small.textContent = note;
    item.append(small);
  }
  return item;
};

const renderMessages = (): void => {
  const list = element('messages');
  const items: HTMLLIElement[] = (conversations.get(current) ?? []).map(messageItem);
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
  showStop();
};

/** The Stop button, while an answer of the current session streams: it names that reply. */
const showStop = (): void => {
  const stop = element<HTMLButtonElement>('stop');
  const answering = [...streaming].findLast(([, partial]) => partial.sessionId === current)?.[0];
  stop.hidden = answering === undefined;
  if (answering === undefined) delete stop.dataset.messageId;
  else if (stop.dataset.messageId !== answering) {
    stop.dataset.messageId = answering;
    stop.disabled = false;
  }
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
  if (message.role === 'assistant') clearNotice();
  if (message.sessionId === current) renderMessages();
});
client.on('chunk', (chunk) => {
  const partial = streaming.get(chunk.messageId) ?? { sessionId: chunk.sessionId, text: '' };
  partial.text += chunk.delta;
  streaming.set(chunk.messageId, partial);
  if (chunk.sessionId === current) renderMessages();
});
/** Errors the client does not recover from by itself (it waits and resends RATE_LIMITED, reconnects on FORBIDDEN). */
const QUIET_ERRORS = new Set(['RATE_LIMITED', 'FORBIDDEN']);

/** The server's own words in the conversation pane, with what the client does about them. */
const showNotice = (error: ServerError): void => {
  if (QUIET_ERRORS.has(error.code)) return;
  const notice = element('notice');
  const retry = error.code === 'MODEL_BUSY' && error.retryAfterMs !== undefined ? ` Asking again in ${Math.ceil(error.retryAfterMs / 1000)} s.` : '';
  notice.textContent = `${error.message}${retry}`;
  notice.dataset.code = error.code;
  notice.hidden = false;
};

const clearNotice = (): void => {
  element('notice').hidden = true;
};

client.on('error', (error) => {
  logEvent(`error ${error.code}: ${error.message}`);
  showNotice(error);
});
client.on('debug', (event) => logEvent(`${event.kind} (harmless): ${event.message}`));
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

element<HTMLButtonElement>('stop').addEventListener('click', () => {
  const stop = element<HTMLButtonElement>('stop');
  const messageId = stop.dataset.messageId;
  if (!messageId) return;
  stop.disabled = true;
  // `cancelling`: the reply ends with status cancelled on every device; `finished`/`unknown`: nothing to stop.
  client.cancel(current, messageId).then(
    (result) => logEvent(`stop: ${result.outcome}${result.status ? ` (${result.status})` : ''}`),
    (error: Error) => {
      stop.disabled = false;
      logEvent(`stop not sent: ${error.message}`);
    },
  );
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
