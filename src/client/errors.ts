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

export { ConnectionClosedError, HistoryFailedError, SendFailedError };
