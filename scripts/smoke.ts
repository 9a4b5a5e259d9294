/**
 * `npm run smoke -- --url <ws(s) URL> --token <jwt>`: a smoke test of a deployed (or local) stack.
 * Connects, sends the seed's frame and expects the user's message then the assistant's reply (any
 * responder's: `You said: Hello` from echo, the model's answer from bedrock, whose streamed chunks
 * must add up to it and whose status must be complete), reads them back with `history`, checks
 * ping/pong, that a non-JSON frame gets an error frame and that a frame without a message gets
 * VALIDATION_ERROR. Exits non-zero on the first failure; an assistant that refuses (MODEL_BUSY,
 * ASSISTANT_UNAVAILABLE, BUDGET_EXCEEDED) fails at once, with what to check.
 * The token may also come from SMOKE_TOKEN; it is never printed.
 */
import { parseArgs } from 'node:util';
import WebSocket from 'ws';

type Frame = Record<string, any>;

const usage = 'usage: npm run smoke -- --url <wss://…/stage> --token <jwt> [--session test-session] [--timeout 30000]';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    token: { type: 'string' },
    session: { type: 'string', default: 'test-session' },
    // A model's answer streams for a while: up to the message function's timeout (29 s at most).
    timeout: { type: 'string', default: '30000' },
  },
});
const token = values.token ?? process.env.SMOKE_TOKEN;
const timeoutMs = Number(values.timeout);
if (!values.url || !token || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
  console.error(usage);
  process.exit(2);
}
const target = new URL(values.url);
if (target.protocol !== 'ws:' && target.protocol !== 'wss:') {
  console.error(`--url must be a ws:// or wss:// URL, got ${target.protocol}`);
  process.exit(2);
}
const shownUrl = `${target.origin}${target.pathname}`;
target.searchParams.set('token', token);

const started = Date.now();
const ok = (text: string) => console.log(`  ✓ ${text}`);
const fail = (text: string): never => {
  console.error(`  ✗ ${text}`);
  console.error(`\nSmoke test FAILED against ${shownUrl}`);
  process.exit(1);
};

const connect = (): Promise<WebSocket> =>
  new Promise((resolve) => {
    const socket = new WebSocket(target);
    socket.once('unexpected-response', (_req, res) => fail(`handshake refused with HTTP ${res.statusCode} (is the token valid and unexpired?)`));
    socket.once('error', (error) => fail(`could not connect: ${error.message}`));
    socket.once('open', () => resolve(socket));
  });

const socket = await connect();
ok(`connected to ${shownUrl}`);

const received: Frame[] = [];
const waiters = new Set<() => void>();
socket.on('message', (data: Buffer) => {
  try {
    received.push(JSON.parse(data.toString('utf8')) as Frame);
  } catch {
    received.push({ unparsable: data.toString('utf8') });
  }
  for (const wake of waiters) wake();
});
socket.on('close', (code: number) => {
  if (!closing) fail(`the server closed the connection (code ${code})`);
});
let closing = false;

/** Waits for a frame matching `predicate`, then removes it from the buffer. */
const expectFrame = (label: string, predicate: (frame: Frame) => boolean): Promise<Frame> =>
  new Promise((resolve) => {
    const check = () => {
      const index = received.findIndex(predicate);
      if (index < 0) return;
      waiters.delete(check);
      clearTimeout(timer);
      resolve(received.splice(index, 1)[0] as Frame);
    };
    const timer = setTimeout(() => fail(`no ${label} within ${timeoutMs} ms; received: ${JSON.stringify(received).slice(0, 500)}`), timeoutMs);
    waiters.add(check);
    check();
  });

const sessionId = values.session;
const send = (frame: unknown) => socket.send(JSON.stringify(frame));

send({ action: 'chat_message', data: { message: 'Hello', sessionId } });
const isChat = (f: Frame, role: string) => f.type === 'chat_message' && f.data?.role === role && f.data?.sessionId === sessionId;
const mine = await expectFrame("the user's message", (f) => isChat(f, 'user') && f.data.message === 'Hello');
ok(`user message stored and delivered (messageId ${mine.data.messageId}, user ${mine.data.userId})`);
/** What an assistant's refusal means for whoever runs the smoke test against a deployed stack. */
const REFUSAL_HINTS: Record<string, string> = {
  MODEL_BUSY: 'Bedrock throttled the model through the SDK retries: check the account quota for the model, or retry later',
  ASSISTANT_UNAVAILABLE:
    "the model refused the request: check BEDROCK_MODEL_ID, that model access is enabled in the Bedrock console for this Region, and the message function's role (its log line names the AWS error)",
  BUDGET_EXCEEDED: "this user's daily output-token budget is spent (DAILY_OUTPUT_TOKENS_PER_USER): use another user, or wait for 00:00 UTC",
  INTERNAL_ERROR: 'the message function failed: read its logs',
};
const answer = await expectFrame("the assistant's reply", (f) => isChat(f, 'assistant') || (f.type === 'error' && f.error?.code in REFUSAL_HINTS));
if (answer.type === 'error') fail(`the assistant refused with ${answer.error.code} (${answer.error.message}): ${REFUSAL_HINTS[answer.error.code]}`);
const reply = answer;
// A streaming responder's chunks for this reply (none from echo): they must add up to the reply.
const chunks = received.filter((f) => f.type === 'chat_message_chunk' && f.data?.messageId === reply.data.messageId);
const streamed = chunks
  .sort((a, b) => a.data.seq - b.data.seq)
  .map((f) => f.data.delta)
  .join('');
if (chunks.length > 0 && streamed !== reply.data.message) fail(`the ${chunks.length} streamed chunks do not add up to the reply: ${JSON.stringify(streamed.slice(0, 80))}`);
if (reply.data.status !== undefined && reply.data.status !== 'complete') {
  fail(`the reply ended ${reply.data.status} (stopReason ${reply.data.stopReason ?? 'none'}): the model stream broke or outlived the function; read the message function's logs`);
}
const how = [
  chunks.length > 0 ? `streamed in ${chunks.length} chunks` : 'in one frame',
  ...(reply.data.status ? [`status ${reply.data.status}`, `stopReason ${reply.data.stopReason}`] : []),
  ...(reply.data.usage ? [`${reply.data.usage.inputTokens} input / ${reply.data.usage.outputTokens} output tokens`] : []),
].join(', ');
ok(`assistant replied (${how}): ${JSON.stringify(String(reply.data.message).slice(0, 80))}`);

// The session's history holds both; a deployed session may hold older messages, so page until found.
const HISTORY_PAGES = 20;
const history: Frame[] = [];
let after: string | undefined;
for (let page = 0; page < HISTORY_PAGES; page += 1) {
  send({ action: 'history', data: { sessionId, ...(after ? { after } : {}), limit: 100 } });
  const { data } = await expectFrame('history', (f) => f.type === 'history' && f.data?.sessionId === sessionId);
  const messages: Frame[] = Array.isArray(data.messages) ? data.messages : [];
  history.push(...messages);
  if (history.some((m) => m.messageId === reply.data.messageId) || !data.hasMore || messages.length === 0) break;
  after = messages[messages.length - 1]?.messageId;
}
const ids = history.map((m) => m.messageId);
const [mineAt, replyAt] = [ids.indexOf(mine.data.messageId), ids.indexOf(reply.data.messageId)];
if (mineAt < 0 || replyAt < mineAt) {
  fail(`history of ${sessionId} does not hold the message then its reply (positions ${mineAt}, ${replyAt} of ${ids.length})`);
}
ok(`history returns the message and its reply, in order (${ids.length} messages read)`);

send({ action: 'ping' });
await expectFrame('pong', (f) => f.type === 'pong');
ok('ping answered with pong');

socket.send('this is not json');
const invalid = await expectFrame('error frame for an invalid frame', (f) => f.type === 'error');
ok(`invalid frame answered with error ${invalid.error?.code}`);

send({ action: 'chat_message', data: { sessionId } });
const validation = await expectFrame('VALIDATION_ERROR for a frame without message', (f) => f.type === 'error' && f.error?.code === 'VALIDATION_ERROR');
ok(`frame without a message refused: ${validation.error.message}`);

closing = true;
socket.close(1000, 'smoke test done');
console.log(`\nSmoke test passed against ${shownUrl} in ${Date.now() - started} ms`);
