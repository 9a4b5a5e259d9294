import type { ServerFrame } from '../protocol/frames.ts';

/** `too-large`: API Gateway refused the frame for its size (413); sending it again cannot help. */
type DeliveryOutcome = 'delivered' | 'gone' | 'failed' | 'too-large';

/** Posts frames to WebSocket connections and closes them (the @connections management API). */
interface Sender {
  post(connectionId: string, frame: ServerFrame): Promise<DeliveryOutcome>;
  /** Closes the connection on the gateway; API Gateway then runs $disconnect. */
  close(connectionId: string): Promise<DeliveryOutcome>;
}

export type { DeliveryOutcome, Sender };
