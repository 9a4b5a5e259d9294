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

export { ConnectionClosedError, SendFailedError };
