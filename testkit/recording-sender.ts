import type { DeliveryOutcome, Sender } from '../src/domain/sender.ts';
import type { ServerFrame } from '../src/protocol/frames.ts';

/** An in-memory Sender for middleware unit tests: records posts, answers per connection as told. */
class RecordingSender implements Sender {
  public readonly posts: Array<{ connectionId: string; frame: ServerFrame }> = [];
  public readonly closes: string[] = [];
  private readonly outcomes = new Map<string, DeliveryOutcome>();

  public answer(connectionId: string, outcome: DeliveryOutcome): this {
    this.outcomes.set(connectionId, outcome);
    return this;
  }

  public async post(connectionId: string, frame: ServerFrame): Promise<DeliveryOutcome> {
    this.posts.push({ connectionId, frame });
    return this.outcomes.get(connectionId) ?? 'delivered';
  }

  public async close(connectionId: string): Promise<DeliveryOutcome> {
    this.closes.push(connectionId);
    return this.outcomes.get(connectionId) ?? 'delivered';
  }
}

/** The role of a chat_message frame (user or assistant); undefined for any other frame. */
const roleOf = (frame: ServerFrame): string | undefined => (frame.type === 'chat_message' ? frame.data.role : undefined);

export { RecordingSender, roleOf };
