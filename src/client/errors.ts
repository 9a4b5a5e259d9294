/** Rejects what waits on a connection when the client closes. */
class ConnectionClosedError extends Error {
  public constructor(message = 'The chat client is closed') {
    super(message);
    this.name = 'ConnectionClosedError';
  }
}

/** A chat message the server never acknowledged after `maxSendAttempts` sends. */
class SendFailedError extends Error {
  public readonly clientMessageId: string;

  public constructor(clientMessageId: string, attempts: number) {
    super(`Message ${clientMessageId} was not acknowledged after ${attempts} attempts`);
    this.name = 'SendFailedError';
    this.clientMessageId = clientMessageId;
  }
}

/**
 * A chat message the server refused for a reason asking again does not cure (BUDGET_EXCEEDED until
 * the budget resets, ASSISTANT_UNAVAILABLE until an operator acts): given up at once, not resent.
 */
class SendRefusedError extends Error {
  public readonly clientMessageId: string;
  public readonly code: string;
  /** BUDGET_EXCEEDED: the time until the budget resets. */
  public readonly retryAfterMs: number | undefined;

  public constructor(clientMessageId: string, refusal: { code: string; message: string; retryAfterMs?: number }) {
    super(`Message ${clientMessageId} was refused: ${refusal.code}: ${refusal.message}`);
    this.name = 'SendRefusedError';
    this.clientMessageId = clientMessageId;
    this.code = refusal.code;
    this.retryAfterMs = refusal.retryAfterMs;
  }
}

/**
 * A session's history could not be fetched: `maxHistoryAttempts` requests for one page got no answer
 * in time or an error frame. `openSession` rejects with it and the client emits `historyFailed`; live
 * messages held back meanwhile are delivered, and the next reconnect resumes the session again.
 */
class HistoryFailedError extends Error {
  public readonly sessionId: string;
  public readonly attempts: number;

  public constructor(sessionId: string, attempts: number, lastProblem: string) {
    super(`History of session ${sessionId} failed after ${attempts} attempts (last: ${lastProblem})`);
    this.name = 'HistoryFailedError';
    this.sessionId = sessionId;
    this.attempts = attempts;
  }
}

export { ConnectionClosedError, HistoryFailedError, SendFailedError, SendRefusedError };
