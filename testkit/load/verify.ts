/**
 * The load's verdict, counted from storage: every message each client sent, read back from the
 * messages table, against what the client acknowledged and what it handed to the application.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { storedMessages } from '../stored-messages.ts';
import type { ClientRun, LoadRun } from './load-run.ts';

interface StoredMessage {
  messageId: string;
  role: 'user' | 'assistant';
  message: string;
  clientMessageId?: string;
  replyTo?: string;
}

interface Verdict {
  /** Messages the clients handed to `send`. */
  sent: number;
  /** Of those, acknowledged by the server with the stored message. */
  acknowledged: number;
  storedUser: number;
  storedAssistant: number;
  /** `message` events, all clients. */
  delivered: number;
  /** Sent but not stored; stored user messages without a reply; stored messages a client never delivered. */
  lost: { notStored: number; replyMissing: number; notDelivered: number; total: number };
  /** Stored more than once per clientMessageId; more than one reply to a question; delivered more than once; stored but never sent. */
  doubled: { stored: number; replies: number; delivered: number; unexpected: number; total: number };
  /** Clients whose delivered sequence (messageIds) differs in order from the stored history. */
  outOfOrderClients: number;
  /** Acknowledgements that name another messageId than the stored one, or delivered text that differs from storage. */
  mismatched: number;
  /** Clients that did not finish before the deadline or stopped on their own. */
  unfinishedClients: number;
  /** The first few problems, for a person. */
  problems: string[];
}

interface HistoryReader {
  read(userId: string, sessionId: string): Promise<StoredMessage[]>;
  destroy(): void;
}

/** Reads a session's stored messages (oldest first, through the message store) from the messages table. */
const historyReader = (options: { endpoint: string; region: string; tableName: string }): HistoryReader => {
  const base = new DynamoDBClient({
    endpoint: options.endpoint,
    region: options.region,
    credentials: {
      accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'local',
      secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
    },
  });
  const documents = DynamoDBDocumentClient.from(base);
  const read = (userId: string, sessionId: string): Promise<StoredMessage[]> => storedMessages(documents, options.tableName, userId, sessionId);
  return { read, destroy: () => base.destroy() };
};

const MAX_PROBLEMS = 20;

const countBy = <T>(values: T[]): Map<T, number> => {
  const counts = new Map<T, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
};

const sameSequence = (a: string[], b: string[]): boolean => a.length === b.length && a.every((value, i) => value === b[i]);

/** Compares one client with its stored session and adds what it finds to `verdict`. */
const judgeClient = (run: ClientRun, stored: StoredMessage[], verdict: Verdict): void => {
  const problem = (text: string) => {
    if (verdict.problems.length < MAX_PROBLEMS) verdict.problems.push(`${run.userId}: ${text}`);
  };
  verdict.sent += run.sent.length;
  verdict.delivered += run.delivered.length;
  if (!run.finished) {
    verdict.unfinishedClients += 1;
    problem(`did not finish${run.stopped ? ` (stopped: ${run.stopped})` : ''}; last status ${JSON.stringify(run.statuses.at(-1))}`);
  }

  const users = stored.filter((message) => message.role === 'user');
  const assistants = stored.filter((message) => message.role === 'assistant');
  verdict.storedUser += users.length;
  verdict.storedAssistant += assistants.length;

  // Every message sent is stored exactly once (by clientMessageId), and acknowledged with that copy.
  const storedByClientId = countBy(users.map((message) => message.clientMessageId));
  const sentIds = new Set(run.sent.map((sent) => sent.clientMessageId));
  for (const sent of run.sent) {
    const copies = storedByClientId.get(sent.clientMessageId) ?? 0;
    if (copies === 0) {
      verdict.lost.notStored += 1;
      problem(`"${sent.message}" (${sent.clientMessageId}) was not stored${sent.failed ? `: ${sent.failed}` : ''}`);
    } else if (copies > 1) {
      verdict.doubled.stored += copies - 1;
      problem(`"${sent.message}" was stored ${copies} times`);
    }
    if (sent.acknowledged) {
      verdict.acknowledged += 1;
      const original = users.find((message) => message.clientMessageId === sent.clientMessageId);
      if (original && (original.messageId !== sent.acknowledged.messageId || original.message !== sent.message)) {
        verdict.mismatched += 1;
        problem(`"${sent.message}" was acknowledged as ${sent.acknowledged.messageId}, stored as ${original.messageId}`);
      }
    }
  }
  for (const message of users) {
    if (message.clientMessageId === undefined || !sentIds.has(message.clientMessageId)) {
      verdict.doubled.unexpected += 1;
      problem(`stored user message ${message.messageId} was never sent by this client`);
    }
  }

  // Every question has exactly one reply.
  const repliesTo = countBy(assistants.map((message) => message.replyTo));
  for (const question of users) {
    const count = repliesTo.get(question.messageId) ?? 0;
    if (count === 0) {
      verdict.lost.replyMissing += 1;
      problem(`no reply stored to ${question.messageId} ("${question.message}")`);
    } else if (count > 1) {
      verdict.doubled.replies += count - 1;
      problem(`${count} replies stored to ${question.messageId}`);
    }
  }

  // The client's view is the stored history: each message once, the same text, the same order.
  const storedById = new Map(stored.map((message) => [message.messageId, message]));
  const deliveredCounts = countBy(run.delivered.map((message) => message.messageId));
  for (const [messageId, count] of deliveredCounts) {
    if (count > 1) {
      verdict.doubled.delivered += count - 1;
      problem(`delivered ${messageId} ${count} times`);
    }
    if (!storedById.has(messageId)) {
      verdict.doubled.unexpected += 1;
      problem(`delivered ${messageId}, which is not stored`);
    }
  }
  for (const message of stored) {
    if (!deliveredCounts.has(message.messageId)) {
      verdict.lost.notDelivered += 1;
      problem(`stored ${message.role} message ${message.messageId} ("${message.message}") was never delivered`);
    }
  }
  for (const message of run.delivered) {
    const original = storedById.get(message.messageId);
    if (original && (original.message !== message.message || original.role !== message.role)) {
      verdict.mismatched += 1;
      problem(`delivered ${message.messageId} differs from storage`);
    }
  }
  const deliveredOrder = [...new Set(run.delivered.map((message) => message.messageId))];
  const storedOrder = stored.map((message) => message.messageId);
  if (deliveredCounts.size === stored.length && !sameSequence(deliveredOrder, storedOrder)) {
    verdict.outOfOrderClients += 1;
    const at = deliveredOrder.findIndex((messageId, i) => messageId !== storedOrder[i]);
    problem(`delivered out of order from position ${at}: ${deliveredOrder.slice(at, at + 3).join(',')} vs stored ${storedOrder.slice(at, at + 3).join(',')}`);
  }
};

/**
 * Reads every client's session back from storage and counts what was lost, doubled or reordered.
 * @example const verdict = await verifyLoad(run, reader); expect(verdict.lost.total).toBe(0);
 */
const verifyLoad = async (run: LoadRun, reader: HistoryReader): Promise<Verdict> => {
  const verdict: Verdict = {
    sent: 0,
    acknowledged: 0,
    storedUser: 0,
    storedAssistant: 0,
    delivered: 0,
    lost: { notStored: 0, replyMissing: 0, notDelivered: 0, total: 0 },
    doubled: { stored: 0, replies: 0, delivered: 0, unexpected: 0, total: 0 },
    outOfOrderClients: 0,
    mismatched: 0,
    unfinishedClients: 0,
    problems: [],
  };
  // A few sessions at a time: DynamoDB Local is one process.
  for (let offset = 0; offset < run.clients.length; offset += 10) {
    const batch = run.clients.slice(offset, offset + 10);
    const histories = await Promise.all(batch.map((client) => reader.read(client.userId, client.sessionId)));
    for (const [i, client] of batch.entries()) judgeClient(client, histories[i] as StoredMessage[], verdict);
  }
  verdict.lost.total = verdict.lost.notStored + verdict.lost.replyMissing + verdict.lost.notDelivered;
  verdict.doubled.total = verdict.doubled.stored + verdict.doubled.replies + verdict.doubled.delivered + verdict.doubled.unexpected;
  return verdict;
};

/** True when nothing was lost, doubled, reordered or mismatched and every client finished. */
const clean = (verdict: Verdict): boolean =>
  verdict.lost.total === 0 && verdict.doubled.total === 0 && verdict.outOfOrderClients === 0 && verdict.mismatched === 0 && verdict.unfinishedClients === 0;

export type { HistoryReader, StoredMessage, Verdict };
export { clean, historyReader, verifyLoad };
