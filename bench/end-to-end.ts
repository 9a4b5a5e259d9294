import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import WebSocket, { WebSocketServer } from 'ws';
import { mintDevToken } from '../src/local/dev-token.ts';
import { startLocalGateway } from '../src/local/gateway/gateway.ts';
import { median, p99, round } from './support/stats.ts';

interface LoadOptions {
  clients: number;
  messagesPerClient: number;
}

interface LoadFigures {
  messages: number;
  seconds: number;
  throughputPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  lost: number;
  doubled: number;
}

interface EndToEndResult {
  method: string;
  gateway: LoadFigures & {
    handlerP50Ms: number;
    handlerP99Ms: number;
    sandboxWaitP50Ms: number;
    sandboxWaitP99Ms: number;
    gatewayShareP50Ms: number;
    gatewayShareP99Ms: number;
    replyP50Ms: number;
    replyP99Ms: number;
  };
  echo: LoadFigures;
  gatewayShareToEchoP99: number;
  withinBudget: boolean;
}

/** Opens `count` sockets, a few at a time (a handshake storm would only measure the authorizer). */
const openAll = async (urls: string[]): Promise<WebSocket[]> => {
  const sockets: WebSocket[] = [];
  for (let offset = 0; offset < urls.length; offset += 20) {
    const batch = urls.slice(offset, offset + 20).map(async (url) => {
      const socket = new WebSocket(url);
      await once(socket, 'open');
      return socket;
    });
    sockets.push(...(await Promise.all(batch)));
  }
  return sockets;
};

interface Classified {
  /** `${client}-${index}` of the message this frame answers */
  key: string;
  kind: 'copy' | 'reply';
}

/**
 * Closed loop per client: send a message, wait for the frame that completes it (`reply`), send the
 * next. Every frame is counted per message and kind, so losses and duplicates are measured, not assumed.
 */
const drive = async (
  sockets: WebSocket[],
  messagesPerClient: number,
  frameFor: (client: number, index: number) => string,
  classify: (data: string, client: number) => Classified | undefined,
) => {
  const copyLatencies = new Map<string, number>();
  const replyLatencies = new Map<string, number>();
  const sentAt = new Map<string, number>();
  const seen = new Map<string, number>();
  const start = performance.now();
  await Promise.all(
    sockets.map(async (socket, client) => {
      let waiting: { key: string; resolve: () => void } | undefined;
      socket.on('message', (raw: WebSocket.RawData) => {
        const frame = classify(raw.toString(), client);
        if (!frame) return;
        const now = performance.now();
        seen.set(`${frame.kind}:${frame.key}`, (seen.get(`${frame.kind}:${frame.key}`) ?? 0) + 1);
        const sent = sentAt.get(frame.key) as number;
        (frame.kind === 'copy' ? copyLatencies : replyLatencies).set(frame.key, now - sent);
        if (frame.kind === 'reply' && waiting?.key === frame.key) waiting.resolve();
      });
      for (let index = 0; index < messagesPerClient; index += 1) {
        const key = `${client}-${index}`;
        const done = new Promise<void>((resolve) => {
          waiting = { key, resolve };
        });
        sentAt.set(key, performance.now());
        socket.send(frameFor(client, index));
        await done;
      }
    }),
  );
  return { copyLatencies, replyLatencies, seen, seconds: (performance.now() - start) / 1000 };
};

const figures = (latencies: number[], seen: Map<string, number>, expected: number, seconds: number): LoadFigures => ({
  messages: latencies.length,
  seconds: round(seconds),
  throughputPerSecond: round(latencies.length / seconds, 1),
  p50Ms: round(median(latencies)),
  p99Ms: round(p99(latencies)),
  lost: expected - seen.size,
  doubled: [...seen.values()].filter((count) => count > 1).length,
});

const chatFrame = (client: number, index: number) =>
  JSON.stringify({ action: 'chat_message', data: { message: `m${index}`, sessionId: 'bench', clientMessageId: `${client}-${index}` } });

/** The floor: a bare `ws` echo server on the same machine under the same closed-loop load. */
const benchEcho = async (options: LoadOptions): Promise<LoadFigures> => {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await once(server, 'listening');
  server.on('connection', (socket) => socket.on('message', (data) => socket.send(data.toString())));
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sockets = await openAll(Array.from({ length: options.clients }, () => url));
  const run = await drive(sockets, options.messagesPerClient, chatFrame, (data) => ({
    key: (JSON.parse(data) as { data: { clientMessageId: string } }).data.clientMessageId,
    kind: 'reply',
  }));
  for (const socket of sockets) socket.terminate();
  await new Promise((resolve) => server.close(resolve));
  return figures([...run.replyLatencies.values()], run.seen, options.clients * options.messagesPerClient, run.seconds);
};

/**
 * Method: N clients (one user each) over real sockets through the local gateway running the built
 * bundles on DynamoDB Local, closed loop: each sends a chat message and waits for the assistant's
 * reply before the next. Latency is send → reply; handler time is the message function's own
 * duration in its sandbox; the gateway's share is the difference. The rate limit is raised for the
 * bench (burst 1000, 100/s) so pacing is the closed loop's.
 */
const benchEndToEnd = async (options: LoadOptions): Promise<EndToEndResult> => {
  const handlerMs = new Map<string, number>();
  const waitMs = new Map<string, number>();
  const gateway = await startLocalGateway({
    port: 0,
    environment: `benche2e${Date.now() % 100000}`,
    handlers: 'dist',
    functionEnvironment: { RATE_LIMIT_BURST: '1000', RATE_LIMIT_PER_SECOND: '100', POWERTOOLS_LOG_LEVEL: 'WARN' },
    onLog: () => undefined,
    onInvoke: (record) => {
      if (record.routeKey !== 'chat_message' || record.outcome.durationMs === undefined) return;
      const body = JSON.parse((record.event as { body: string }).body) as { data: { clientMessageId: string } };
      handlerMs.set(body.data.clientMessageId, record.outcome.durationMs);
      waitMs.set(body.data.clientMessageId, record.outcome.waitMs ?? 0);
    },
  });
  try {
    const urls = await Promise.all(Array.from({ length: options.clients }, async (_, client) => `${gateway.url}?token=${await mintDevToken({ user: `bench-user-${client}` })}`));
    const sockets = await openAll(urls);
    const run = await drive(sockets, options.messagesPerClient, chatFrame, (data, client) => {
      const frame = JSON.parse(data) as { type: string; data: { role: string; clientMessageId?: string; message: string } };
      if (frame.type !== 'chat_message') return undefined;
      if (frame.data.role === 'user') return { key: frame.data.clientMessageId as string, kind: 'copy' };
      // The reply has no clientMessageId; its text names the message and the socket names the client.
      return { key: `${client}-${frame.data.message.replace('You said: m', '')}`, kind: 'reply' };
    });
    for (const socket of sockets) socket.terminate();
    const keys = [...run.replyLatencies.keys()];
    const handlerTimes = keys.map((key) => handlerMs.get(key) ?? 0);
    const waits = keys.map((key) => waitMs.get(key) ?? 0);
    // The gateway's own share excludes the function's duration and its wait for a free sandbox
    // (Lambda's concurrency, emulated with a few worker threads on this machine), reported apart.
    const shares = keys.map((key) => (run.replyLatencies.get(key) as number) - (handlerMs.get(key) ?? 0) - (waitMs.get(key) ?? 0));
    const expected = options.clients * options.messagesPerClient;
    const gatewayFigures = figures([...run.copyLatencies.values()], run.seen, 2 * expected, run.seconds);
    const echo = await benchEcho(options);
    const result: EndToEndResult = {
      method:
        "closed loop per client: send, wait for the reply, send the next; p50/p99 of send → own copy; gateway share = send → reply − the message function's own duration − its wait for a free sandbox",
      gateway: {
        ...gatewayFigures,
        handlerP50Ms: round(median(handlerTimes)),
        handlerP99Ms: round(p99(handlerTimes)),
        sandboxWaitP50Ms: round(median(waits)),
        sandboxWaitP99Ms: round(p99(waits)),
        gatewayShareP50Ms: round(median(shares)),
        gatewayShareP99Ms: round(p99(shares)),
        replyP50Ms: round(median([...run.replyLatencies.values()])),
        replyP99Ms: round(p99([...run.replyLatencies.values()])),
      },
      echo,
      gatewayShareToEchoP99: 0,
      withinBudget: false,
    };
    result.gatewayShareToEchoP99 = round(result.gateway.gatewayShareP99Ms / echo.p99Ms);
    result.withinBudget = result.gatewayShareToEchoP99 <= 3 && gatewayFigures.lost === 0 && gatewayFigures.doubled === 0;
    return result;
  } finally {
    await gateway.stop();
  }
};

export type { EndToEndResult };
export { benchEndToEnd };
