import type { ServerFrame } from '../protocol/frames.ts';
import type { DeliveryOutcome, Sender } from './sender.ts';

/** Posts in flight at once during a fan-out: enough for a user's devices, gentle on throttling. */
const DEFAULT_CONCURRENCY = 8;

/**
 * One request's deliveries. Remembers which connections answered 410 so later frames of the same
 * request skip them and the stale-connections middleware can remove exactly those rows.
 */
class Delivery {
  public readonly gone = new Set<string>();
  /** Connections known to be closed (a frame sent before its close): nothing is posted, nothing is stale. */
  private readonly closed = new Set<string>();
  private readonly sender: Sender;
  private readonly concurrency: number;

  public constructor(sender: Sender, concurrency = DEFAULT_CONCURRENCY) {
    this.sender = sender;
    this.concurrency = concurrency;
  }

  /** The connection has closed (its row says so): posts to it are dropped without a call. */
  public treatAsClosed(connectionId: string): void {
    this.closed.add(connectionId);
  }

  public async post(connectionId: string, frame: ServerFrame): Promise<DeliveryOutcome> {
    if (this.gone.has(connectionId) || this.closed.has(connectionId)) return 'gone';
    const outcome = await this.sender.post(connectionId, frame);
    if (outcome === 'gone') this.gone.add(connectionId);
    return outcome;
  }

  /** Posts to every connection; one failure never stops the others. */
  public async postToAll(connectionIds: readonly string[], frame: ServerFrame): Promise<DeliveryOutcome[]> {
    return this.forEach(connectionIds, (connectionId) => this.post(connectionId, frame));
  }

  public async close(connectionId: string): Promise<DeliveryOutcome> {
    const outcome = await this.sender.close(connectionId);
    if (outcome === 'gone') this.gone.add(connectionId);
    return outcome;
  }

  /**
   * Closes connections whose rows have ended (token expired, or closed within the grace). A 410 is
   * expected for the ones already closed and marks nothing stale: their rows expire by themselves.
   * @returns how many were open and are now closing
   */
  public async closeEnded(connectionIds: readonly string[]): Promise<number> {
    const outcomes = await this.forEach(connectionIds, (connectionId) => this.sender.close(connectionId));
    return outcomes.filter((outcome) => outcome === 'delivered').length;
  }

  /** Runs `call` for every connection, at most `concurrency` at once. */
  private async forEach(connectionIds: readonly string[], call: (connectionId: string) => Promise<DeliveryOutcome>): Promise<DeliveryOutcome[]> {
    const outcomes: DeliveryOutcome[] = new Array(connectionIds.length);
    let next = 0;
    const worker = async () => {
      while (next < connectionIds.length) {
        const index = next;
        next += 1;
        outcomes[index] = await call(connectionIds[index] as string);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, connectionIds.length) }, worker));
    return outcomes;
  }
}

export { Delivery };
