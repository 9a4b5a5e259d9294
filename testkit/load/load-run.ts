/**
 * Drives the load: N ChatClients (one user each, one session each) send M messages through the
 * gateway while a dropper deletes random live connections through the real management API client.
 * Everything each client hands to the application is recorded, to be compared with DynamoDB after.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiGatewayManagementApiClient, DeleteConnectionCommand, GoneException } from '@aws-sdk/client-apigatewaymanagementapi';
import { ChatClient, type ChatMessage, type StatusChange } from '../../src/client/index.ts';

/**
 * `queue`: every message handed to `send` at once (the client's outbox sends them one at a time,
 * each after the previous one's acknowledgement and reply). `conversation`: the application hands
 * over the next message only once the previous one's reply arrived, as a person chatting would.
 */
type Pace = 'queue' | 'conversation';

interface LoadOptions {
  /** The gateway's WebSocket URL with its stage. */
  url: string;
  managementEndpoint: string;
  region: string;
  clients: number;
  messagesPerClient: number;
  /** Management DELETEs of a random live connection per second, for as long as messages are outstanding. */
  dropsPerSecond: number;
  pace: Pace;
  /** The connections that are live now (the dropper picks one). */
  liveConnections: () => string[];
  /** A token for `user`, asked on every (re)connect. */
  token: (user: string) => Promise<string>;
  /** Distinguishes this run's users from any other's in the same tables. */
  runId: string;
  /** The run stops waiting after this long; what is missing then is counted as lost. */
  deadlineMs: number;
  /** Seeds the dropper's choices. */
  seed: number;
  /** Called about once a second while the run goes. */
  onProgress?: (progress: LoadProgress) => void;
}

interface LoadProgress {
  elapsedMs: number;
  acknowledged: number;
  delivered: number;
  expectedDeliveries: number;
  drops: number;
  reconnects: number;
}

interface SentMessage {
  clientMessageId: string;
  message: string;
  /** The stored message the server acknowledged with; undefined if never acknowledged. */
  acknowledged?: ChatMessage;
  failed?: string;
}

interface ClientRun {
  userId: string;
  sessionId: string;
  sent: SentMessage[];
  /** Every `message` event, in the order the application saw them. */
  delivered: ChatMessage[];
  statuses: StatusChange[];
  /** Error frames the server sent (RATE_LIMITED would show the limit shaped the run). */
  serverErrors: Array<{ code: string; message: string }>;
  sendFailures: number;
  /** Connections opened after the first. */
  reconnects: number;
  /** Whether every message was acknowledged and every reply delivered before the deadline. */
  finished: boolean;
  /** Why the client stopped on its own, if it did. */
  stopped?: string;
}

interface DropFigures {
  /** DELETEs answered 204: the connection was closed by the server. */
  dropped: number;
  /** DELETEs answered 410: the connection had gone meanwhile. */
  alreadyGone: number;
  /** DELETEs that failed otherwise (counted, never expected). */
  failed: number;
  /** Why each failed DELETE failed (error name and message), so a failed run says what happened. */
  failures: string[];
}

interface LoadRun {
  clients: ClientRun[];
  drops: DropFigures;
  /** From the first connect to the last client finished (or the deadline). */
  durationMs: number;
  /** True when every client finished before the deadline. */
  completed: boolean;
}

const SESSION_ID = 'load';

/** A small seeded generator (mulberry32): the dropper's picks repeat for a seed. */
const seededRandom = (seed: number): (() => number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

/** The text of client `client`'s message `index`: unique in the run, so a stored copy names its sender. */
const messageText = (client: number, index: number): string => `load message ${index + 1} from client ${client + 1}`;

interface Driven {
  run: ClientRun;
  chat: ChatClient;
  done: Promise<void>;
}

const driveClient = (options: LoadOptions, index: number, deadline: Promise<void>): Driven => {
  const userId = `load-${options.runId}-${index + 1}`;
  const run: ClientRun = {
    userId,
    sessionId: SESSION_ID,
    sent: [],
    delivered: [],
    statuses: [],
    serverErrors: [],
    sendFailures: 0,
    reconnects: 0,
    finished: false,
  };
  const chat = new ChatClient({
    url: options.url,
    token: () => options.token(userId),
    // Quick reconnects and a bucket as large as the server's: the run measures survival, not backoff.
    reconnect: { baseDelayMs: 100, maxDelayMs: 2000, maxAttempts: 1000, stableAfterMs: 10_000 },
    maxHandshakeFailures: 1000,
    rateLimit: { burst: 1000, perSecond: 100 },
    // Under load a message can wait seconds for a free sandbox; a resend is safe but only adds work.
    requestTimeoutMs: 30_000,
    replyRecheckMs: 1000,
  });
  /** Resolved when the application has seen as many replies as the key says. */
  const replyWaiters = new Map<number, () => void>();
  let replies = 0;
  let opens = 0;
  chat.on('status', (status) => {
    run.statuses.push(status);
    if (status.status === 'open') {
      opens += 1;
      run.reconnects = opens - 1;
    }
  });
  chat.on('error', (error) => run.serverErrors.push({ code: error.code, message: error.message }));
  chat.on('sendFailed', () => {
    run.sendFailures += 1;
  });
  let deliveredAll: () => void = () => undefined;
  const allDelivered = new Promise<void>((resolve) => {
    deliveredAll = resolve;
  });
  const seen = new Set<string>();
  const expected = options.messagesPerClient * 2;
  chat.on('message', (message) => {
    run.delivered.push(message);
    if (message.role === 'assistant' && !seen.has(message.messageId)) {
      replies += 1;
      replyWaiters.get(replies)?.();
    }
    seen.add(message.messageId);
    if (seen.size >= expected) deliveredAll();
  });

  const sendOne = (message: string): Promise<void> => {
    const pending = chat.send(SESSION_ID, message);
    const sent: SentMessage = { clientMessageId: pending.clientMessageId, message };
    run.sent.push(sent);
    return pending.acknowledged.then(
      (stored) => {
        sent.acknowledged = stored;
      },
      (error: Error) => {
        sent.failed = error.message;
      },
    );
  };

  const sendAll = async (): Promise<void> => {
    const texts = Array.from({ length: options.messagesPerClient }, (_, i) => messageText(index, i));
    if (options.pace === 'queue') {
      await Promise.all(texts.map(sendOne));
      return;
    }
    for (const [i, text] of texts.entries()) {
      // The pairing of question and reply is checked against storage afterwards; here, one more reply is enough.
      const replied = new Promise<void>((resolve) => replyWaiters.set(i + 1, resolve));
      if (replies >= i + 1) replyWaiters.get(i + 1)?.();
      await sendOne(text);
      const outcome = await Promise.race([replied.then(() => 'replied' as const), deadline.then(() => 'deadline' as const)]);
      replyWaiters.delete(i + 1);
      if (outcome === 'deadline') return;
    }
  };

  chat.connect();
  const done = (async () => {
    await Promise.race([chat.openSession(SESSION_ID), deadline]);
    await Promise.race([sendAll(), deadline]);
    await Promise.race([allDelivered, deadline]);
  })()
    .catch((error: Error) => {
      // openSession rejects when the client stopped (closed: gave-up, refused, ...): the check counts what is missing.
      run.stopped = error.message;
    })
    .finally(() => {
      run.finished = seen.size >= expected && run.sent.length === options.messagesPerClient && run.sent.every((sent) => sent.acknowledged);
    });
  return { run, chat, done };
};

/**
 * Deletes a random live connection `dropsPerSecond` times a second through the SDK's
 * DeleteConnection, until stopped.
 */
const startDropper = (options: LoadOptions, figures: DropFigures): (() => Promise<void>) => {
  const management = new ApiGatewayManagementApiClient({
    endpoint: options.managementEndpoint,
    region: options.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    // The dropper is load, not the system under test: a reused keep-alive socket that the server closed at
    // that moment (ECONNRESET) is retried by the SDK's standard strategy rather than counted as a failure.
    maxAttempts: 3,
  });
  const random = seededRandom(options.seed);
  let stopped = false;
  const inFlight = new Set<Promise<void>>();
  const dropOne = async (): Promise<void> => {
    const live = options.liveConnections();
    if (live.length === 0) return;
    const connectionId = live[Math.floor(random() * live.length)] as string;
    try {
      await management.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
      figures.dropped += 1;
    } catch (error) {
      if (error instanceof GoneException) figures.alreadyGone += 1;
      else {
        figures.failed += 1;
        figures.failures.push(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
      }
    }
  };
  const loop = (async () => {
    if (options.dropsPerSecond <= 0) return;
    const intervalMs = 1000 / options.dropsPerSecond;
    const started = Date.now();
    for (let tick = 1; !stopped; tick += 1) {
      const work = dropOne().finally(() => inFlight.delete(work));
      inFlight.add(work);
      // Steady rate: each drop is due at its own tick, whatever the previous one took.
      await sleep(Math.max(0, started + tick * intervalMs - Date.now()));
    }
  })();
  return async () => {
    stopped = true;
    await loop;
    await Promise.all(inFlight);
    management.destroy();
  };
};

/**
 * Runs the load to the end (every client finished, or the deadline) and closes the clients.
 * @example
 * const run = await runLoad({ url, managementEndpoint, region, clients: 200, messagesPerClient: 50, ... });
 */
const runLoad = async (options: LoadOptions): Promise<LoadRun> => {
  const started = Date.now();
  let deadlineTimer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<void>((resolve) => {
    deadlineTimer = setTimeout(resolve, options.deadlineMs);
  });
  const drops: DropFigures = { dropped: 0, alreadyGone: 0, failed: 0, failures: [] };
  const driven = Array.from({ length: options.clients }, (_, index) => driveClient(options, index, deadline));
  const stopDropper = startDropper(options, drops);
  const progress = options.onProgress
    ? setInterval(() => {
        const runs = driven.map((client) => client.run);
        options.onProgress?.({
          elapsedMs: Date.now() - started,
          acknowledged: runs.reduce((sum, run) => sum + run.sent.filter((sent) => sent.acknowledged).length, 0),
          delivered: runs.reduce((sum, run) => sum + run.delivered.length, 0),
          expectedDeliveries: options.clients * options.messagesPerClient * 2,
          drops: drops.dropped,
          reconnects: runs.reduce((sum, run) => sum + run.reconnects, 0),
        });
      }, 1000)
    : undefined;
  // Each client's `done` settles by the deadline at the latest and never rejects.
  await Promise.all(driven.map((client) => client.done));
  const durationMs = Date.now() - started;
  clearTimeout(deadlineTimer);
  clearInterval(progress);
  await stopDropper();
  // Let the last drops' reconnects finish, so every drop is matched by a reconnect in the figures.
  const settleBy = Date.now() + 30_000;
  while (driven.some((client) => client.chat.status.status !== 'open' && client.chat.status.status !== 'closed') && Date.now() < settleBy) {
    await sleep(50);
  }
  for (const client of driven) client.chat.close();
  const clients = driven.map((client) => client.run);
  return { clients, drops, durationMs, completed: clients.every((run) => run.finished) };
};

export type { ClientRun, DropFigures, LoadOptions, LoadProgress, LoadRun, Pace, SentMessage };
export { messageText, runLoad, SESSION_ID };
