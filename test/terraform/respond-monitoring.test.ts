import { describe, expect, it } from '@jest/globals';
import { FUNCTIONS } from '../../src/config/function-manifest.ts';
import { DEFAULT_METRIC_NAMESPACE, DEFAULT_SERVICE_NAME, METRIC_DIMENSIONS, MetricName } from '../../src/observability/metric-names.ts';
import { exampleStack, resourcesOfType, single } from './support/fixture.ts';
import { dashboardMetrics } from './support/metrics.ts';
import type { ResourceInstance, Stack } from './support/stack.ts';

/**
 * The monitoring of the asynchronous hand-off: the alarms on each function the manifest says is
 * invoked asynchronously (route `async`) and on its dead-letter queue, and their dashboard widgets.
 */
const ASYNC_FUNCTIONS = FUNCTIONS.filter((spec) => spec.route === 'async').map((spec) => spec.name);

const functionName = (name: string) => `«module.functions["${name}"].aws_lambda_function.this.function_name»`;
const queueNameOf = (stack: Stack, name: string): string => {
  const config = resourcesOfType(stack, 'aws_lambda_function_event_invoke_config').find((c) => c.attributes.function_name === functionName(name));
  const destination = JSON.stringify(config?.attributes.destination_config ?? null);
  const queue = /«(aws_sqs_queue\.\w+)\.arn»/.exec(destination)?.[1];
  if (!queue) throw new Error(`${name} has no async invoke configuration with an SQS on-failure destination: ${destination}`);
  return `«${queue}.name»`;
};

/** The alarm on one metric and dimension, with what decides when it fires and whom it tells. */
const alarmOn = (stack: Stack, namespace: string, metric: string, dimensions: Record<string, string>) => {
  const found = resourcesOfType(stack, 'aws_cloudwatch_metric_alarm').filter(
    (a) => a.attributes.namespace === namespace && a.attributes.metric_name === metric && JSON.stringify(a.attributes.dimensions) === JSON.stringify(dimensions),
  );
  if (found.length !== 1) throw new Error(`expected one alarm on ${namespace} ${metric} ${JSON.stringify(dimensions)}, found ${found.length}`);
  const { statistic, extended_statistic, threshold, comparison_operator, evaluation_periods, alarm_actions, ok_actions } = (found[0] as ResourceInstance).attributes;
  return { statistic: statistic ?? extended_statistic, threshold, comparison_operator, evaluation_periods, alarm_actions, ok_actions };
};

type Widget = { properties: { metrics: unknown[][] } };

/** `[metric, stat]` of every dashboard row on a dimension value, the stat from the row or its widget. */
const chartedOn = (stack: Stack, dimensionValue: string): string[] => {
  const body = String(single(stack, 'module.monitoring.aws_cloudwatch_dashboard.this').attributes.dashboard_body);
  const widgets = (JSON.parse(body) as { widgets: Array<Widget & { properties: { stat?: string } }> }).widgets;
  return widgets.flatMap((w) =>
    w.properties.metrics.filter((row) => row.includes(dimensionValue)).map((row) => `${String(row[1])} ${(row.at(-1) as { stat?: string }).stat ?? w.properties.stat}`),
  );
};

describe('Terraform monitoring of the asynchronous hand-off', () => {
  it.each([
    [300, 270_000],
    [900, 810_000],
  ])('alarms on a dead-letter message, any failed attempt and an invocation above 90%% of a %i s timeout, telling the topic on fire and recovery', async (timeout, threshold) => {
    // Prepare
    const stack = await exampleStack({ respond_timeout_seconds: timeout });
    const topic = [`«${single(stack, 'module.monitoring.aws_sns_topic.this').address}.arn»`];
    const notifies = { alarm_actions: topic, ok_actions: topic };

    // Act
    const alarms = ASYNC_FUNCTIONS.map((name) => ({
      deadLetter: alarmOn(stack, 'AWS/SQS', 'ApproximateNumberOfMessagesVisible', { QueueName: queueNameOf(stack, name) }),
      errors: alarmOn(stack, 'AWS/Lambda', 'Errors', { FunctionName: functionName(name) }),
      duration: alarmOn(stack, 'AWS/Lambda', 'Duration', { FunctionName: functionName(name) }),
    }));

    // Assess
    expect(ASYNC_FUNCTIONS).toEqual(['respond']);
    expect(alarms).toEqual([
      {
        deadLetter: { statistic: 'Maximum', threshold: 0, comparison_operator: 'GreaterThanThreshold', evaluation_periods: 1, ...notifies },
        errors: { statistic: 'Sum', threshold: 1, comparison_operator: 'GreaterThanOrEqualToThreshold', evaluation_periods: 1, ...notifies },
        duration: { statistic: 'Maximum', threshold, comparison_operator: 'GreaterThanThreshold', evaluation_periods: 1, ...notifies },
      },
    ]);
  });

  it('keeps the route functions on p99 above 80% of their timeout for 15 minutes', async () => {
    // Act
    const stack = await exampleStack({ lambda_timeout_seconds: 20 });

    // Assess
    expect(alarmOn(stack, 'AWS/Lambda', 'Duration', { FunctionName: functionName('message') })).toEqual(
      expect.objectContaining({ statistic: 'p99', threshold: 16_000, evaluation_periods: 3 }),
    );
  });

  it("charts respond's invocations, errors, duration p95 and max, async events received and dropped and their age, and its dead-letter queue", async () => {
    // Prepare
    const stack = await exampleStack();

    // Act
    const respond = chartedOn(stack, functionName('respond'));
    const queue = chartedOn(stack, queueNameOf(stack, 'respond'));

    // Assess
    expect(respond).toEqual(
      expect.arrayContaining(['Invocations Sum', 'Errors Sum', 'Duration p95', 'Duration Maximum', 'AsyncEventsReceived Sum', 'AsyncEventsDropped Sum', 'AsyncEventAge Maximum']),
    );
    expect(queue).toEqual(['ApproximateNumberOfMessagesVisible Maximum', 'ApproximateAgeOfOldestMessage Maximum']);
  });

  it('charts the hand-off metrics the code emits: cancelled, recovered, refused while an answer streams, failed hand-offs', async () => {
    // Prepare
    const dashboard = single(await exampleStack(), 'module.monitoring.aws_cloudwatch_dashboard.this');

    // Act
    const uses = dashboardMetrics(String(dashboard.attributes.dashboard_body), dashboard.address).filter((u) => u.namespace === DEFAULT_METRIC_NAMESPACE);

    // Assess
    for (const name of [MetricName.ReplyCancelled, MetricName.ReplyRecovered, MetricName.AnswerInProgress, MetricName.HandOffFailed]) {
      const dimensions = uses.filter((u) => u.name === name).map((u) => Object.keys(u.dimensions).sort());
      expect([name, dimensions]).toEqual([name, [[...METRIC_DIMENSIONS].sort()]]);
    }
  });

  it('alarms on failed hand-offs in the project namespace', async () => {
    // Act
    const alarm = alarmOn(await exampleStack({ alarm_hand_off_failed_threshold: 3 }), DEFAULT_METRIC_NAMESPACE, MetricName.HandOffFailed, {
      environment: 'prod',
      service: DEFAULT_SERVICE_NAME,
    });

    // Assess
    expect(alarm).toEqual(expect.objectContaining({ statistic: 'Sum', threshold: 3, comparison_operator: 'GreaterThanOrEqualToThreshold' }));
  });
});
