import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ConnectionRegistry, GOING_AWAY } from './connections.ts';

/** API Gateway's integration timeout: how long a frame received before a stop may still run. */
const INTEGRATION_TIMEOUT_MS = 29_000;

/** How long the clients get to answer the close frame before their sockets are cut. */
const CLOSE_HANDSHAKE_MS = 2_000;

/** Background work the gateway owes an answer for: handshakes, frame invocations, `$disconnect`, HTTP requests, async events' attempts. */
class InFlightWork {
  private readonly pending = new Set<Promise<unknown>>();

  public readonly track = (work: Promise<unknown>): void => {
    const settled = work.catch(() => undefined).finally(() => this.pending.delete(settled));
    this.pending.add(settled);
  };

  public get size(): number {
    return this.pending.size;
  }
}

/** What stop() stops, in this order: the listener, the connections and their work, the functions, the Invoke API, the fake Bedrock, storage. */
interface StoppableGateway {
  server: Server;
  registry: ConnectionRegistry;
  inFlight: InFlightWork;
  /** The WebSocket server behind the upgrades. */
  frontDoor: { close(): void };
  functions: { stop(): Promise<void> };
  /** Lambda's Invoke API: after the functions, which may invoke one another until they stop. */
  invokeApi: { stop(): Promise<void> };
  /** The fake Bedrock: after the functions, so a reply still streaming when stop() began is not cut. */
  assistant: { stop(): Promise<void> };
  storage: { stop(): Promise<void> };
}

/** Closes what is open (handshakes still running open and get closed on a later round) until all is quiet. */
const drain = async (gateway: StoppableGateway, timeoutMs: number, close: () => void): Promise<boolean> => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    close();
    if (gateway.registry.all().length === 0 && gateway.inFlight.size === 0) return true;
    await sleep(20);
  }
  return false;
};

const stopInOrder = async (gateway: StoppableGateway): Promise<void> => {
  const { server, registry } = gateway;
  server.close();
  const goingAway = () => registry.closeAllOpen(GOING_AWAY);
  // Close handshakes, then $disconnect, pending posts and the frames received before the stop
  // finish before the functions stop (as on AWS, where a received frame's integration runs to its
  // end, bounded by the 29 s integration timeout); a client that never answers the close frame is cut off.
  if (!(await drain(gateway, CLOSE_HANDSHAKE_MS, goingAway))) {
    await drain(gateway, INTEGRATION_TIMEOUT_MS, () => {
      goingAway();
      for (const connection of registry.all()) connection.socket?.terminate();
    });
  }
  gateway.frontDoor.close();
  server.closeAllConnections();
  await gateway.functions.stop();
  await gateway.invokeApi.stop();
  await gateway.assistant.stop();
  await gateway.storage.stop();
};

/** stop(): the ordered shutdown, run once however often it is called. */
const stopOnce = (gateway: StoppableGateway): (() => Promise<void>) => {
  let stopping: Promise<void> | undefined;
  return () => {
    stopping ??= stopInOrder(gateway);
    return stopping;
  };
};

export type { StoppableGateway };
export { InFlightWork, stopOnce };
