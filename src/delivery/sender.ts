import type { ServerFrame } from '../domain/frames.ts';

type DeliveryOutcome = 'delivered' | 'gone' | 'failed';

/** Posts frames to WebSocket connections and closes them (the @connections management API). */
interface Sender {
  post(connectionId: string, frame: ServerFrame): Promise<DeliveryOutcome>;
  /** Closes the connection on the gateway; API Gateway then runs $disconnect. */
  close(connectionId: string): Promise<DeliveryOutcome>;
}

export type { DeliveryOutcome, Sender };
