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

  it('alarms on model errors (sum) and a slow p95 time to first token, notifying the alarm topic when they fire and recover', async () => {
    // Prepare
    const stack = await exampleStack({ alarm_model_error_threshold: 7, alarm_time_to_first_token_p95_ms: 4000 });
    const alarms = resourcesOfType(stack, 'aws_cloudwatch_metric_alarm');
    const topic = single(stack, 'module.monitoring.aws_sns_topic.this');

    // Act
    const modelAlarms = [MetricName.ModelError, MetricName.TimeToFirstToken].map((name) => {
      const alarm = alarms.find((a) => a.attributes.metric_name === name);
      const { statistic, extended_statistic, threshold, alarm_actions, ok_actions } = alarm?.attributes ?? {};
      return { name, uses: alarm ? alarmMetrics(alarm) : [], statistic, extended_statistic, threshold, alarm_actions, ok_actions };
    });

    // Assess
    const topicArn = [`«${topic.address}.arn»`];
    const dimensions = { service: DEFAULT_SERVICE_NAME, environment: 'prod' };
    expect(modelAlarms).toEqual([
      {
        name: 'ModelError',
        uses: [expect.objectContaining({ namespace: DEFAULT_METRIC_NAMESPACE, dimensions })],
        statistic: 'Sum',
        extended_statistic: undefined,
        threshold: 7,
        alarm_actions: topicArn,
        ok_actions: topicArn,
      },
      {
        name: 'TimeToFirstToken',
        uses: [expect.objectContaining({ namespace: DEFAULT_METRIC_NAMESPACE, dimensions })],
        statistic: undefined,
        extended_statistic: 'p95',
        threshold: 4000,
        alarm_actions: topicArn,
        ok_actions: topicArn,
      },
    ]);
  });

  it('charts the assistant: time to first token p50/p95, model latency, input and output tokens, model errors, budget refusals', async () => {
    // Prepare
    const dashboard = single(await exampleStack(), 'module.monitoring.aws_cloudwatch_dashboard.this');
    const widgets = (JSON.parse(String(dashboard.attributes.dashboard_body)) as { widgets: Array<{ properties: { metrics: unknown[][] } }> }).widgets;

    // Act
    const uses = dashboardMetrics(String(dashboard.attributes.dashboard_body), dashboard.address);
    const ttftStats = widgets
      .flatMap((w) => w.properties.metrics)
      .filter((row) => row[1] === MetricName.TimeToFirstToken)
      .map((row) => (row.at(-1) as { stat?: string }).stat);

    // Assess
    for (const name of [MetricName.TimeToFirstToken, MetricName.ModelLatency, MetricName.InputTokens, MetricName.OutputTokens, MetricName.ModelError, MetricName.BudgetExceeded]) {
      expect([name, has(uses, DEFAULT_METRIC_NAMESPACE, name, [...METRIC_DIMENSIONS])]).toEqual([name, true]);
    }
    expect(ttftStats.sort()).toEqual(['p50', 'p95']);
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
