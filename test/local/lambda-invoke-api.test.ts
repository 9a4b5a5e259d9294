/**
 * Lambda's Invoke API as the local gateway serves it, driven with the real `LambdaClient`: Event
 * (202 at once, queued, retried twice after a failure with the configured delays, dropped past the
 * maximum event age), RequestResponse, DryRun, unknown functions, a crashed sandbox, and a route
 * function handing off to the async function through its own environment.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvokeCommand, LambdaClient, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InvocationRecorder } from '#testkit/invocation-recorder.ts';
import { TestClient } from '#testkit/ws-client.ts';
import { type LocalGateway, type LocalGatewayOptions, startLocalGateway } from '../../src/local/gateway/gateway.ts';

const fixture = (name: string) => join(import.meta.dirname, 'fixtures', name);
const ENVIRONMENT = 'local-invoke';
const RESPOND = `${ENVIRONMENT}-websocket-respond`;
const RETRY_DELAYS_MS = [300, 600];

interface ProbeLine {
  probe: 'start' | 'end';
  tag: string;
  requestId: string;
  at: number;
}

/** Resolves once `found` returns something, polling (the events come from other threads and processes). */
const until = async <T>(found: () => T | undefined, label: string): Promise<T> => {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const value = found();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`Timed out waiting for ${label}`);
};

/** The async probe's log lines, in order. */
class ProbeLog {
  public readonly lines: ProbeLine[] = [];

  public readonly onLog = (_functionName: string, line: string): void => {
    if (!line.startsWith('{"probe"')) return;
    this.lines.push(JSON.parse(line) as ProbeLine);
  };

  public of(tag: string, probe: ProbeLine['probe']): ProbeLine[] {
    return this.lines.filter((line) => line.tag === tag && line.probe === probe);
  }

  public waitFor(tag: string, probe: ProbeLine['probe'], count = 1): Promise<ProbeLine[]> {
    return until(() => (this.of(tag, probe).length >= count ? this.of(tag, probe) : undefined), `${count} "${probe}" line(s) of ${tag}`);
  }
}

const probeGateway = (log: ProbeLog, options: LocalGatewayOptions): Promise<LocalGateway> =>
  startLocalGateway({
    port: 0,
    environment: ENVIRONMENT,
    functionModules: {
      authorizer: fixture('authorizer.mjs'),
      connect: fixture('connect.mjs'),
      disconnect: fixture('disconnect.mjs'),
      respond: fixture('async-probe.mjs'),
      handoff: fixture('hand-off.mjs'),
    },
    routes: { $default: null, handoff: 'handoff', chat_message: null, ping: null, history: null, cancel: null },
    functionTimeoutsMs: { respond: 10_000 },
    onLog: log.onLog,
    ...options,
  });

const lambdaClient = (gateway: LocalGateway) =>
  new LambdaClient({ endpoint: gateway.lambdaEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });

const payloadOf = (answer: { Payload?: Uint8Array }): unknown => JSON.parse(Buffer.from(answer.Payload ?? new Uint8Array()).toString('utf8'));

describe("local gateway: Lambda's Invoke API", () => {
  const log = new ProbeLog();
  const recorder = new InvocationRecorder();
  const files = mkdtempSync(join(tmpdir(), 'invoke-api-'));
  let gateway: LocalGateway;
  let lambda: LambdaClient;
  const invoke = (tag: string, input: Record<string, unknown>, invocationType: 'Event' | 'RequestResponse' | 'DryRun' = 'Event', functionName = RESPOND) =>
    lambda.send(new InvokeCommand({ FunctionName: functionName, InvocationType: invocationType, Payload: JSON.stringify({ tag, ...input }) }));

  beforeAll(async () => {
    gateway = await probeGateway(log, { onInvoke: recorder.onInvoke, asyncInvocation: { retryDelaysMs: RETRY_DELAYS_MS } });
    lambda = lambdaClient(gateway);
  }, 120_000);

  afterAll(async () => {
    lambda?.destroy();
    await gateway?.stop();
    rmSync(files, { recursive: true, force: true });
  });

  it('answers an Event invocation with 202 before the function ends, then runs it with the same request id', async () => {
    const releaseFile = join(files, 'release-event');

    const answer = await invoke('event', { mode: 'hold', releaseFile });
    const [started] = await log.waitFor('event', 'start');
    const endedBeforeRelease = log.of('event', 'end').length;
    writeFileSync(releaseFile, '');
    const [ended] = await log.waitFor('event', 'end');

    expect(answer.StatusCode).toBe(202);
    expect(endedBeforeRelease).toBe(0);
    expect(started?.requestId).toBe(answer.$metadata.requestId);
    expect(ended?.requestId).toBe(answer.$metadata.requestId);
  });

  it.each([
    ['its name', RESPOND],
    ['its ARN', `arn:aws:lambda:us-east-1:000000000000:function:${RESPOND}`],
    ['its ARN with $LATEST', `arn:aws:lambda:us-east-1:000000000000:function:${RESPOND}:$LATEST`],
    ['a partial ARN', `000000000000:function:${RESPOND}`],
  ])('runs a RequestResponse invocation named by %s and returns its result', async (_label, functionName) => {
    const answer = await invoke('sync', { mode: 'ok' }, 'RequestResponse', functionName);

    expect(answer.StatusCode).toBe(200);
    expect(answer.FunctionError).toBeUndefined();
    expect(answer.ExecutedVersion).toBe('$LATEST');
    expect(payloadOf(answer)).toEqual({ tag: 'sync', requestId: expect.any(String), functionName: RESPOND });
  });

  it('returns the error of a RequestResponse invocation that throws, flagged Unhandled, and does not retry it', async () => {
    const answer = await invoke('sync-throw', { mode: 'throw' }, 'RequestResponse');

    expect(answer.StatusCode).toBe(200);
    expect(answer.FunctionError).toBe('Unhandled');
    expect(payloadOf(answer)).toEqual({
      errorType: 'Error',
      errorMessage: 'probe sync-throw failed',
      trace: expect.arrayContaining([expect.stringContaining('probe sync-throw failed')]),
    });
    expect(log.of('sync-throw', 'start')).toHaveLength(1);
  });

  it('answers DryRun with 204 without running the function', async () => {
    const answer = await invoke('dry', { mode: 'ok' }, 'DryRun');

    expect(answer.StatusCode).toBe(204);
    expect(recorder.records.some((record) => (record.event as { tag?: string }).tag === 'dry')).toBe(false);
  });

  it.each([
    ['an unknown name', `${ENVIRONMENT}-websocket-nothing`],
    ['the short name (not a Lambda name)', 'respond'],
    ["another environment's name", 'prod-websocket-respond'],
    ['an ARN in another Region', `arn:aws:lambda:eu-west-1:000000000000:function:${RESPOND}`],
    ['a version qualifier', `${RESPOND}:3`],
  ])('raises ResourceNotFoundException for %s', async (_label, functionName) => {
    const attempt = invoke('unknown', { mode: 'ok' }, 'Event', functionName);

    await expect(attempt).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(attempt).rejects.toThrow(/^Function not found: arn:aws:lambda:/);
  });

  it('retries a failing Event invocation exactly twice, after each configured delay, then records it for the on-failure destination', async () => {
    const answer = await invoke('failing', { mode: 'throw' });
    const record = await until(() => gateway.asyncFailures.find((failure) => failure.requestContext.requestId === answer.$metadata.requestId), 'the failure record');

    const attempts = log.of('failing', 'start');
    expect(answer.StatusCode).toBe(202);
    expect(attempts.map((line) => line.requestId)).toEqual([answer.$metadata.requestId, answer.$metadata.requestId, answer.$metadata.requestId]);
    expect((attempts[1]?.at ?? 0) - (attempts[0]?.at ?? 0)).toBeGreaterThanOrEqual(RETRY_DELAYS_MS[0] ?? 0);
    expect((attempts[2]?.at ?? 0) - (attempts[1]?.at ?? 0)).toBeGreaterThanOrEqual(RETRY_DELAYS_MS[1] ?? 0);
    expect(record).toEqual({
      version: '1.0',
      timestamp: expect.any(String),
      requestContext: {
        requestId: answer.$metadata.requestId,
        functionArn: `arn:aws:lambda:us-east-1:000000000000:function:${RESPOND}:$LATEST`,
        condition: 'RetriesExhausted',
        approximateInvokeCount: 3,
      },
      requestPayload: { tag: 'failing', mode: 'throw' },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: 'Error', errorMessage: 'probe failing failed', trace: expect.any(Array) },
    });
  });

  it('counts a sandbox crashed mid-invocation as a failed attempt and retries the event in a fresh sandbox', async () => {
    const markFile = join(files, 'mark-crash');
    const answer = await invoke('crash', { mode: 'hang-first', markFile });
    await log.waitFor('crash', 'start');

    const crashed = gateway.crashSandboxes('respond');
    const [ended] = await log.waitFor('crash', 'end');

    const attempts = recorder.records.filter((record) => record.requestId === answer.$metadata.requestId);
    expect(crashed).toBe(1);
    expect(ended?.requestId).toBe(answer.$metadata.requestId);
    expect(attempts.map((record) => [record.attempt, record.outcome.ok])).toEqual([
      [1, false],
      [2, true],
    ]);
    expect(attempts[0]?.outcome).toMatchObject({ ok: false, error: { errorType: 'Runtime.ExitError' } });
    expect(gateway.asyncFailures.some((failure) => failure.requestContext.requestId === answer.$metadata.requestId)).toBe(false);
  });

  it("lets a route function hand off through its own environment's LambdaClient (AWS_ENDPOINT_URL_LAMBDA, RESPOND_FUNCTION_NAME)", async () => {
    const client = await TestClient.connect(gateway.url, { token: 'allow-hannah' });
    try {
      client.send({ action: 'handoff', data: { tag: 'handoff', mode: 'ok' } });
      const handedOff = await client.next((frame) => frame.type === 'handed-off', 'the hand-off answer');
      const [ended] = await log.waitFor('handoff', 'end');

      expect(handedOff).toEqual({ type: 'handed-off', statusCode: 202, functionName: RESPOND, endpoint: gateway.lambdaEndpoint });
      expect(ended?.tag).toBe('handoff');
    } finally {
      await client.close();
    }
  });

  it('gives no route to an async function: a frame naming it is Forbidden', async () => {
    const client = await TestClient.connect(gateway.url, { token: 'allow-ivan' });
    try {
      client.send({ action: 'async', data: { tag: 'by-frame', mode: 'ok' } });
      const answer = await client.next((frame) => typeof frame.message === 'string', "API Gateway's frame");

      expect(answer.message).toBe('Forbidden');
      expect(log.of('by-frame', 'start')).toEqual([]);
    } finally {
      await client.close();
    }
  });
});

describe('local gateway: the maximum event age', () => {
  const log = new ProbeLog();
  let gateway: LocalGateway;
  let lambda: LambdaClient;

  beforeAll(async () => {
    // The retry comes after the event's maximum age: Lambda drops it instead of running it again.
    gateway = await probeGateway(log, { environment: 'local-invoke-age', asyncInvocation: { retryDelaysMs: [400], maxEventAgeMs: 200 } });
    lambda = lambdaClient(gateway);
  }, 120_000);

  afterAll(async () => {
    lambda?.destroy();
    await gateway?.stop();
  });

  it('drops an event older than the maximum age instead of retrying it, and records it as EventAgeExceeded', async () => {
    const answer = await lambda.send(
      new InvokeCommand({ FunctionName: 'local-invoke-age-websocket-respond', InvocationType: 'Event', Payload: JSON.stringify({ tag: 'aged', mode: 'throw' }) }),
    );
    const record = await until(() => gateway.asyncFailures.find((failure) => failure.requestContext.requestId === answer.$metadata.requestId), 'the failure record');

    expect(log.of('aged', 'start')).toHaveLength(1);
    expect(record.requestContext).toMatchObject({ condition: 'EventAgeExceeded', approximateInvokeCount: 1 });
    expect(record.responsePayload).toMatchObject({ errorMessage: 'probe aged failed' });
  });
});
