/** The local gateway and small helpers for driving ChatClients against it over loopback. */

import { uniqueEnvironment } from '#testkit/tables.ts';
import type { ChatClient, ChatMessage, ServerError, StatusChange } from '../../../src/client/index.ts';
import { createDemoHandler } from '../../../src/local/demo-assets.ts';
import { type InvocationRecord, type LocalGateway, startLocalGateway } from '../../../src/local/gateway/gateway.ts';

interface ClientGateway {
  gateway: LocalGateway;
  invocations: InvocationRecord[];
  /** The management API's DELETE: the server closes the connection. */
  deleteConnection(connectionId: string): Promise<number>;
}

/**
 * The local gateway with the project's handlers and the demo page (as `npm start` serves it), on a
 * free port, sharing the run's DynamoDB Local. The assistant is `bedrock` against a fake Bedrock (the
 * gateway stops it), unless `functionEnvironment.RESPONDER` names an echo responder.
 */
const startClientGateway = async (functionEnvironment: Record<string, string> = {}): Promise<ClientGateway> => {
  const invocations: InvocationRecord[] = [];
  const gateway = await startLocalGateway({
    port: 0,
    environment: uniqueEnvironment('client'),
    functionEnvironment,
    fakeBedrock: {},
    onInvoke: (record) => invocations.push(record),
    onHttpRequest: createDemoHandler({ stage: 'dev' }),
  });
  const deleteConnection = async (connectionId: string) => {
    const response = await fetch(`${gateway.managementEndpoint}/@connections/${encodeURIComponent(connectionId)}`, { method: 'DELETE' });
    return response.status;
  };
  return { gateway, invocations, deleteConnection };
};

interface Recording {
  messages: ChatMessage[];
  statuses: StatusChange[];
  errors: ServerError[];
}

const record = (client: ChatClient): Recording => {
  const recording: Recording = { messages: [], statuses: [], errors: [] };
  client.on('message', (message) => recording.messages.push(message));
  client.on('status', (status) => recording.statuses.push(status));
  client.on('error', (error) => recording.errors.push(error));
  return recording;
};

/** Polls until `check` holds; fails with `label` (and what was seen) after a generous deadline. */
const waitFor = async (check: () => boolean, label: string, describe: () => unknown = () => undefined): Promise<void> => {
  const deadline = Date.now() + 25_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${label}; saw ${JSON.stringify(describe())}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

/** A promise the test resolves when it chooses: holds a token provider, so a reconnect waits for the test. */
const gate = () => {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
};

const texts = (messages: ChatMessage[]) => messages.map((message) => `${message.role}: ${message.message}`);

export type { ClientGateway, Recording };
export { gate, record, startClientGateway, texts, waitFor };
