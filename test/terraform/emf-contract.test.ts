import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { authorizerEvent } from '#testkit/authorizer-events.ts';
import { lambdaContext, wsEvent } from '#testkit/events.ts';
import { jsonLinesSince, outputMark } from '#testkit/output.ts';
import { startRouteHarness } from '#testkit/route-harness.ts';
import { mintToken, TEST_SECRET } from '#testkit/tokens.ts';
import { exampleStack, resourcesOfType, single } from './support/fixture.ts';
import { alarmMetrics, dashboardMetrics, type MetricUse } from './support/metrics.ts';

/**
 * The alarms and the dashboard compared with what the handlers really write: EMF captured from a
 * run of every function, and Terraform evaluated for the same environment name.
 */
interface EmfDirective {
  Namespace: string;
  Dimensions: string[][];
  Metrics: Array<{ Name: string }>;
}

let harness: Awaited<ReturnType<typeof startRouteHarness>>;
let emitted: MetricUse[] = [];

const signature = (use: MetricUse): string => JSON.stringify([use.namespace, use.name, Object.entries(use.dimensions).sort()]);

beforeAll(async () => {
  harness = await startRouteHarness('emf', { JWT_SECRET: TEST_SECRET });
  const authorizer = harness.authorizer();
  const mark = outputMark();
  await authorizer(authorizerEvent(await mintToken({ sub: 'tara' })), lambdaContext('test-websocket-authorizer'));
  await authorizer(authorizerEvent('not-a-token'), lambdaContext('test-websocket-authorizer')).catch(() => undefined);
  const { connectionId } = await harness.connect('tara');
  await harness.send(connectionId, 'tara', { action: 'chat_message', data: { message: 'hello', sessionId: 's1' } });
  await harness.send(connectionId, 'tara', { action: 'ping' });
  await harness.send(connectionId, 'tara', { action: 'history', data: { sessionId: 's1' } });
  await harness.send(connectionId, 'tara', { action: 'unknown' });
  await harness.handlers.disconnect(wsEvent({ connectionId, routeKey: '$disconnect' }), lambdaContext('test-websocket-disconnect'));
  emitted = jsonLinesSince(mark).flatMap((line) => {
    const directives = (line._aws as { CloudWatchMetrics?: EmfDirective[] } | undefined)?.CloudWatchMetrics ?? [];
    return directives.flatMap((directive) =>
      directive.Metrics.map((metric) => ({
        source: 'emf',
        namespace: directive.Namespace,
        name: metric.Name,
        dimensions: Object.fromEntries((directive.Dimensions[0] ?? []).map((d) => [d, String(line[d])])),
      })),
    );
  });
}, 60_000);

afterAll(() => harness.stop());

describe('Terraform metrics against EMF from a handler run', () => {
  it('uses, for every metric the run emitted, the same namespace, name and dimension names and values', async () => {
    // Prepare
    const stack = await exampleStack({ environment: harness.tables.environment });
    const dashboard = single(stack, 'module.monitoring.aws_cloudwatch_dashboard.this');
    const configured = [
      ...resourcesOfType(stack, 'aws_cloudwatch_metric_alarm').flatMap(alarmMetrics),
      ...dashboardMetrics(String(dashboard.attributes.dashboard_body), dashboard.address),
    ].filter((use) => use.namespace === emitted[0]?.namespace);
    const emittedNames = new Set(emitted.map((use) => use.name));

    // Act
    const emittedSignatures = new Set(emitted.map(signature));
    const mismatched = configured.filter((use) => emittedNames.has(use.name) && !emittedSignatures.has(signature(use)));

    // Assess
    expect(emitted.length).toBeGreaterThan(5);
    expect(configured.filter((use) => emittedNames.has(use.name)).length).toBeGreaterThan(5);
    expect(mismatched).toEqual([]);
  });

  it('emits, in the run, the metrics behind the authorizer, handler and connection widgets', () => {
    // Act
    const names = new Set(emitted.map((use) => use.name));

    // Assess
    for (const name of ['AuthorizerAllowed', 'AuthorizerRefused', 'ConnectionOpened', 'ConnectionClosed', 'MessageReceived', 'MessageDelivered', 'ReplyLatency']) {
      expect(names).toContain(name);
    }
  });
});
