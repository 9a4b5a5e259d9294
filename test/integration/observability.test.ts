import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { authorizerEvent } from '#testkit/authorizer-events.ts';
import { lambdaContext, wsEvent } from '#testkit/events.ts';
import { jsonLinesSince, outputMark } from '#testkit/output.ts';
import { startRouteHarness } from '#testkit/route-harness.ts';
import { mintToken, TEST_SECRET } from '#testkit/tokens.ts';
import { COLD_START_METRIC, DEFAULT_METRIC_NAMESPACE, MetricName } from '../../src/observability/metric-names.ts';

let harness: Awaited<ReturnType<typeof startRouteHarness>>;
let lines: Array<Record<string, any>> = [];

interface EmfDirective {
  Namespace: string;
  Dimensions: string[][];
  Metrics: Array<{ Name: string }>;
}

const emfDirectives = () => lines.flatMap((line) => (line._aws?.CloudWatchMetrics ?? []) as EmfDirective[]).map((directive) => ({ ...directive }));

beforeAll(async () => {
  harness = await startRouteHarness('observe', { JWT_SECRET: TEST_SECRET });
  const authorizer = harness.authorizer();
  const mark = outputMark();
  // Every function runs at least once, with a success and a refusal among them.
  await authorizer(authorizerEvent(await mintToken({ sub: 'olga' })), lambdaContext('test-websocket-authorizer'));
  await authorizer(authorizerEvent('garbage'), lambdaContext('test-websocket-authorizer')).catch(() => undefined);
  const { connectionId } = await harness.connect('olga');
  await harness.send(connectionId, 'olga', { action: 'chat_message', data: { message: 'hi', sessionId: 'o' } });
  await harness.send(connectionId, 'olga', { action: 'ping' });
  await harness.send(connectionId, 'olga', { action: 'history', data: { sessionId: 'o' } });
  await harness.send(connectionId, 'olga', { action: 'nope' });
  await harness.handlers.disconnect(wsEvent({ connectionId, routeKey: '$disconnect' }), lambdaContext('test-websocket-disconnect'));
  lines = jsonLinesSince(mark);
});
afterAll(() => harness.stop());

describe('observability contract', () => {
  it('emits every metric in one namespace with the same default dimensions', () => {
    const directives = emfDirectives();
    expect(directives.length).toBeGreaterThan(5);
    for (const directive of directives) {
      expect(directive.Namespace).toBe(DEFAULT_METRIC_NAMESPACE);
      const isColdStart = directive.Metrics.some((metric) => metric.Name === COLD_START_METRIC);
      expect(directive.Dimensions).toEqual([isColdStart ? ['service', 'environment', 'function_name'] : ['service', 'environment']]);
    }
    const blobs = lines.filter((line) => line._aws);
    for (const blob of blobs) {
      expect(blob.service).toBe('chatbot-websocket');
      expect(blob.environment).toBe(harness.tables.environment);
    }
  });

  it('uses only metric names from the one module that lists them', () => {
    const known = new Set<string>([...Object.values(MetricName), COLD_START_METRIC]);
    const emitted = new Set(emfDirectives().flatMap((directive) => directive.Metrics.map((metric) => metric.Name)));
    expect([...emitted].filter((name) => !known.has(name))).toEqual([]);
    for (const name of ['AuthorizerAllowed', 'AuthorizerRefused', 'ConnectionOpened', 'MessageReceived', 'MessageDelivered', 'ClientError', 'ConnectionClosed', 'ReplyLatency']) {
      expect(emitted).toContain(name);
    }
  });

  it('puts requestId and connectionId on every log line of a route handler', () => {
    const logLines = lines.filter((line) => typeof line.level === 'string' && line.routeKey !== undefined && line.routeKey !== '$connect');
    expect(logLines.length).toBeGreaterThan(0);
    for (const line of logLines) {
      expect(typeof line.requestId).toBe('string');
      expect(typeof line.connectionId).toBe('string');
    }
  });
});
