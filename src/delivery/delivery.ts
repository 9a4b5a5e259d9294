import type { ServerFrame } from '../domain/frames.ts';
import type { DeliveryOutcome, Sender } from './sender.ts';

/** Posts in flight at once during a fan-out: enough for a user's devices, gentle on throttling. */
const DEFAULT_CONCURRENCY = 8;

/**
 * One request's deliveries. Remembers which connections answered 410 so later frames of the same
 * request skip them and the stale-connections middleware can remove exactly those rows.
 */
class Delivery {
  public readonly gone = new Set<string>();
  private readonly sender: Sender;
  private readonly concurrency: number;

  public constructor(sender: Sender, concurrency = DEFAULT_CONCURRENCY) {
    this.sender = sender;
    this.concurrency = concurrency;
  }

  public async post(connectionId: string, frame: ServerFrame): Promise<DeliveryOutcome> {
    if (this.gone.has(connectionId)) return 'gone';
    const outcome = await this.sender.post(connectionId, frame);
    if (outcome === 'gone') this.gone.add(connectionId);
    return outcome;
  }

  /** Posts to every connection; one failure never stops the others. */
  public async postToAll(connectionIds: readonly string[], frame: ServerFrame): Promise<DeliveryOutcome[]> {
    const outcomes: DeliveryOutcome[] = new Array(connectionIds.length);
    let next = 0;
    const worker = async () => {
      while (next < connectionIds.length) {
        const index = next;
        next += 1;
        outcomes[index] = await this.post(connectionIds[index] as string, frame);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, connectionIds.length) }, worker));
    return outcomes;
  }

  public async close(connectionId: string): Promise<DeliveryOutcome> {
    const outcome = await this.sender.close(connectionId);
    if (outcome === 'gone') this.gone.add(connectionId);
    return outcome;
  }
}

export { Delivery };
