import { describe, expect, it } from '@jest/globals';
import { COLD_START_METRIC, DEFAULT_METRIC_NAMESPACE, DEFAULT_SERVICE_NAME, METRIC_DIMENSIONS, MetricName } from '../../src/observability/metric-names.ts';
import { exampleStack, resourcesOfType, single } from './support/fixture.ts';
import { alarmMetrics, dashboardMetrics, type Emitted, type MetricUse, projectMetricFindings } from './support/metrics.ts';
import type { Stack } from './support/stack.ts';

const emitted = (environment: string): Emitted => ({
  namespace: DEFAULT_METRIC_NAMESPACE,
  names: new Set(Object.values(MetricName)),
  dimensions: Object.fromEntries(METRIC_DIMENSIONS.map((d) => [d, d === 'service' ? DEFAULT_SERVICE_NAME : environment])),
  extra: { name: COLD_START_METRIC, dimensionNames: ['service', 'environment', 'function_name'] },
});

const alarmUses = (stack: Stack): MetricUse[] => resourcesOfType(stack, 'aws_cloudwatch_metric_alarm').flatMap(alarmMetrics);

const dashboardUses = (stack: Stack): MetricUse[] => {
  const dashboard = single(stack, 'module.monitoring.aws_cloudwatch_dashboard.this');
  return dashboardMetrics(String(dashboard.attributes.dashboard_body), dashboard.address);
};

const has = (uses: MetricUse[], namespace: string, name: string, dimensions: string[]) =>
  uses.some((u) => u.namespace === namespace && u.name === name && JSON.stringify(Object.keys(u.dimensions).sort()) === JSON.stringify([...dimensions].sort()));

describe('Terraform monitoring', () => {
  it('reads only metrics the code emits, with exactly its dimensions, in the project namespace', async () => {
    // Prepare
    const stack = await exampleStack();

    // Act
    const uses = [...alarmUses(stack), ...dashboardUses(stack)];

    // Assess
    expect(uses.filter((u) => u.namespace === DEFAULT_METRIC_NAMESPACE).length).toBeGreaterThan(15);
    expect(projectMetricFindings(uses, emitted('prod'))).toEqual([]);
  });

  it('follows a renamed namespace, service and environment', async () => {
    // Prepare
    const stack = await exampleStack({ metric_namespace: 'Other', service_name: 'svc', environment: 'stage' });

    // Act
    const uses = [...alarmUses(stack), ...dashboardUses(stack)];

    // Assess
    expect(uses.some((u) => u.namespace === DEFAULT_METRIC_NAMESPACE)).toBe(false);
    expect(projectMetricFindings(uses, { ...emitted('stage'), namespace: 'Other', dimensions: { service: 'svc', environment: 'stage' } })).toEqual([]);
  });

  it('alarms on handler errors, delivery failures, authorizer refusals and rate limiting', async () => {
    // Act
    const uses = alarmUses(await exampleStack());

    // Assess
    for (const name of [MetricName.HandlerError, MetricName.DeliveryFailed, MetricName.AuthorizerRefused, MetricName.RateLimited]) {
      expect([name, has(uses, DEFAULT_METRIC_NAMESPACE, name, [...METRIC_DIMENSIONS])]).toEqual([name, true]);
    }
  });

  it('charts connections, messages, errors, rate limiting, stale removals, reply latency p50/p99, Lambda and API Gateway', async () => {
    // Prepare
    const dashboard = single(await exampleStack(), 'module.monitoring.aws_cloudwatch_dashboard.this');

    // Act
    const uses = dashboardMetrics(String(dashboard.attributes.dashboard_body), dashboard.address);
    const body = String(dashboard.attributes.dashboard_body);

    // Assess
    for (const name of [
      'ConnectionOpened',
      'ConnectionClosed',
      'MessageReceived',
      'MessageDelivered',
      'HandlerError',
      'DeliveryFailed',
      'RateLimited',
      'StaleConnectionRemoved',
      'ReplyLatency',
    ]) {
      expect([name, has(uses, DEFAULT_METRIC_NAMESPACE, name, [...METRIC_DIMENSIONS])]).toEqual([name, true]);
    }
    expect(body).toContain('"stat":"p50"');
    expect(body).toContain('"stat":"p99"');
    expect(uses.some((u) => u.namespace === 'AWS/Lambda')).toBe(true);
    expect(uses.some((u) => u.namespace === 'AWS/ApiGateway')).toBe(true);
  });

  it('flags a wrong name and a wrong dimension set (self-check)', () => {
    // Prepare
    const uses: MetricUse[] = [
      { source: 'a', namespace: DEFAULT_METRIC_NAMESPACE, name: 'MessagesReceived', dimensions: { service: DEFAULT_SERVICE_NAME, environment: 'prod' } },
      { source: 'b', namespace: DEFAULT_METRIC_NAMESPACE, name: 'HandlerError', dimensions: { service: DEFAULT_SERVICE_NAME } },
      { source: 'c', namespace: DEFAULT_METRIC_NAMESPACE, name: 'HandlerError', dimensions: { service: DEFAULT_SERVICE_NAME, environment: 'prod', function_name: 'x' } },
      { source: 'd', namespace: DEFAULT_METRIC_NAMESPACE, name: 'HandlerError', dimensions: { service: 'other', environment: 'prod' } },
      { source: 'e', namespace: DEFAULT_METRIC_NAMESPACE, name: COLD_START_METRIC, dimensions: { service: DEFAULT_SERVICE_NAME, environment: 'prod' } },
      { source: 'f', namespace: 'AWS/Lambda', name: 'Errors', dimensions: { FunctionName: 'x' } },
    ];

    // Act
    const findings = projectMetricFindings(uses, emitted('prod'));

    // Assess
    expect(findings.map((f) => f.split(':')[0])).toEqual(['a', 'b', 'c', 'd', 'e']);
  });
});
