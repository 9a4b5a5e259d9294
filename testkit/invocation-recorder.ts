import type { InvocationRecord } from '../src/local/gateway/gateway.ts';

/** Keeps every invocation the gateway makes, for assertions on events and on what ran. */
class InvocationRecorder {
  public readonly records: InvocationRecord[] = [];

  public readonly onInvoke = (record: InvocationRecord): void => {
    this.records.push(record);
  };

  public forConnection(connectionId: string): InvocationRecord[] {
    return this.records.filter((record) => (record.event as { requestContext?: { connectionId?: string } }).requestContext?.connectionId === connectionId);
  }

  /**
   * Route keys invoked for the connections whose handshake started after `mark` (a records length),
   * grouped by connection in handshake order: invocations of earlier connections that end late are ignored.
   */
  public routesOfConnectionsSince(mark: number): string[][] {
    const ids = this.records
      .slice(mark)
      .filter((record) => record.routeKey === 'authorizer')
      .map((record) => requestContextOf(record).connectionId as string);
    return ids.map((id) => this.forConnection(id).map((record) => record.routeKey));
  }

  /** Resolves with the `$disconnect` invocation of a connection once it has run. */
  public waitForDisconnect(connectionId: string): Promise<InvocationRecord> {
    return this.waitFor((record) => record.routeKey === '$disconnect' && requestContextOf(record).connectionId === connectionId, `$disconnect of ${connectionId}`);
  }

  /** Resolves once an invocation matching `predicate` has been recorded. */
  public async waitFor(predicate: (record: InvocationRecord) => boolean, label: string): Promise<InvocationRecord> {
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const found = this.records.find(predicate);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`No invocation matching ${label}`);
  }
}

const requestContextOf = (record: InvocationRecord): Record<string, any> => (record.event as { requestContext: Record<string, any> }).requestContext;

export { InvocationRecorder, requestContextOf };
