/**
 * Judges what one connection received for each frame it sent, against the oracle in `frames.ts`, and
 * keeps the state the oracle needs (clientMessageIds already stored) and the counts a report shows.
 * Plain TypeScript (no jest), shared by the tests and `scripts/fuzz.ts`.
 */
import { describeExpected, type Expected, expectedOutcome } from './frames.ts';
import { internalsIn } from './internals.ts';

type Frame = Record<string, any>;

interface Original {
  messageId: string;
  message: string;
}

/** One user on one connection, sending frames one at a time. */
class FrameJudge {
  public readonly userId: string;
  public readonly connectionId: string;
  /** Frames by expected outcome (`chat`, `duplicate`, `pong`, `history`, or the error code). */
  public readonly counts: Record<string, number> = {};
  /** Items the messages table must hold for this user: 2 per new chat message, +1 marker with a clientMessageId, +1 turn item per session answered. */
  public get expectedItems(): number {
    return this.#messageItems + this.#answeredSessions.size;
  }
  #messageItems = 0;
  readonly #answeredSessions = new Set<string>();
  /** Frames that must have taken a rate-limit token (and so written the connection row). */
  public admitted = 0;
  private readonly originals = new Map<string, Original>();

  public constructor(userId: string, connectionId: string) {
    this.userId = userId;
    this.connectionId = connectionId;
  }

  /** What the server must answer to `raw`, given what this user has already stored. */
  public expect(raw: string): Expected & { original?: Original } {
    const expected = expectedOutcome(raw);
    if (expected.kind !== 'chat' || expected.clientMessageId === undefined) return expected;
    const original = this.originals.get(`${expected.sessionId}\u0000${expected.clientMessageId}`);
    return original ? { ...expected, original } : expected;
  }

  /**
   * Problems with `frames` (everything the connection received for `raw`, in order) and `result`
   * (what the handler or gateway reported); records the frame's effects for later frames.
   */
  public check(raw: string, frames: Frame[], result?: { statusCode?: number } | 'ok'): string[] {
    const expected = this.expect(raw);
    const label = expected.kind === 'chat' && expected.original ? 'duplicate' : describeExpected(expected);
    this.counts[label] = (this.counts[label] ?? 0) + 1;
    const problems = this.problems(raw, expected, frames, result);
    if (expected.kind !== 'error') this.admitted += 1;
    if (expected.kind === 'chat' && !expected.original && problems.length === 0) {
      this.#messageItems += expected.clientMessageId === undefined ? 2 : 3;
      this.#answeredSessions.add(expected.sessionId);
      if (expected.clientMessageId !== undefined) {
        this.originals.set(`${expected.sessionId}\u0000${expected.clientMessageId}`, {
          messageId: frames[0]?.data?.messageId as string,
          message: expected.message,
        });
      }
    }
    return problems.map((problem) => `${problem} [frame ${JSON.stringify(raw.slice(0, 300))}, got ${JSON.stringify(frames).slice(0, 400)}]`);
  }

  private problems(raw: string, expected: Expected & { original?: Original }, frames: Frame[], result?: { statusCode?: number } | 'ok'): string[] {
    const problems: string[] = [];
    if (result !== undefined && result !== 'ok' && result?.statusCode !== 200) problems.push(`handler answered ${JSON.stringify(result)}`);
    for (const frame of frames) {
      if (frame?.type === undefined && typeof frame?.message === 'string') problems.push(`a gateway frame "${frame.message}"`);
      if (frame?.type === 'error') problems.push(...internalsIn(frame, raw));
    }
    switch (expected.kind) {
      case 'error': {
        if (frames.length !== 1) return [...problems, `expected exactly one ${expected.code} error frame, got ${frames.length} frames`];
        const [frame] = frames as [Frame];
        if (frame.type !== 'error' || frame.error?.code !== expected.code) problems.push(`expected ${expected.code}, got ${frame.type}/${frame.error?.code}`);
        if (typeof frame.requestId !== 'string' || typeof frame.error?.message !== 'string') problems.push('error frame without requestId or message');
        if (expected.code === 'VALIDATION_ERROR' && !(Array.isArray(frame.error?.details) && frame.error.details.length > 0)) {
          problems.push('VALIDATION_ERROR without details');
        }
        return problems;
      }
      case 'pong':
        if (frames.length !== 1 || frames[0]?.type !== 'pong' || frames[0]?.data?.connectionId !== this.connectionId) problems.push('expected one pong');
        return problems;
      case 'history':
        if (frames.length !== 1 || frames[0]?.type !== 'history' || frames[0]?.data?.sessionId !== expected.sessionId) problems.push('expected one history frame');
        return problems;
      case 'chat': {
        const { original } = expected;
        if (original) {
          const [frame] = frames;
          if (frames.length !== 1 || frame?.type !== 'chat_message' || frame.data?.messageId !== original.messageId || frame.data?.message !== original.message) {
            problems.push('a resent clientMessageId must get back the original message only');
          }
          return problems;
        }
        const [mine, reply] = frames;
        if (frames.length !== 2) return [...problems, `expected the message and its reply, got ${frames.length} frames`];
        const owner = { userId: this.userId, sessionId: expected.sessionId, clientMessageId: expected.clientMessageId };
        if (mine?.type !== 'chat_message' || mine.data?.role !== 'user' || mine.data?.message !== expected.message) problems.push("first frame is not the user's message");
        if (reply?.type !== 'chat_message' || reply.data?.role !== 'assistant' || reply.data?.message !== `You said: ${expected.message}`) {
          problems.push('second frame is not the reply');
        }
        if (mine?.data?.userId !== owner.userId || reply?.data?.userId !== owner.userId) problems.push('a frame names another user');
        if (mine?.data?.sessionId !== owner.sessionId || mine?.data?.clientMessageId !== owner.clientMessageId) problems.push('session or clientMessageId not kept');
        if (!(reply?.data?.messageId > mine?.data?.messageId)) problems.push('reply id does not sort after the question');
        return problems;
      }
    }
  }
}

/** Sums the counts of several judges. */
const totalCounts = (judges: readonly FrameJudge[]): Record<string, number> => {
  const totals: Record<string, number> = {};
  for (const judge of judges) for (const [label, count] of Object.entries(judge.counts)) totals[label] = (totals[label] ?? 0) + count;
  return totals;
};

export type { Frame };
export { FrameJudge, totalCounts };
