import type { ResourceInstance } from './stack.ts';
import { isObject, type Value } from './values.ts';

/** Every CloudWatch metric the alarms and the dashboard read, and the rule for the project's own ones. */
interface MetricUse {
  source: string;
  namespace: string;
  name: string;
  dimensions: Record<string, string>;
}

interface Emitted {
  namespace: string;
  names: ReadonlySet<string>;
  dimensions: Record<string, string>;
  /** Extra metric emitted with more dimensions (Powertools' ColdStart). */
  extra?: { name: string; dimensionNames: readonly string[] };
}

const stringMap = (value: Value | undefined): Record<string, string> =>
  isObject(value ?? null) ? Object.fromEntries(Object.entries(value as Record<string, Value>).map(([k, v]) => [k, String(v)])) : {};

const alarmMetrics = (alarm: ResourceInstance): MetricUse[] => {
  const uses: MetricUse[] = [];
  const { namespace, metric_name: name, dimensions, metric_query: queries } = alarm.attributes;
  if (typeof namespace === 'string' && typeof name === 'string') {
    uses.push({ source: alarm.address, namespace, name, dimensions: stringMap(dimensions) });
  }
  for (const query of Array.isArray(queries) ? queries : []) {
    const metric = isObject(query) && Array.isArray(query.metric) ? query.metric[0] : undefined;
    if (metric && isObject(metric)) {
      uses.push({
        source: `${alarm.address} ${String(query && isObject(query) ? query.id : '')}`,
        namespace: String(metric.namespace),
        name: String(metric.metric_name),
        dimensions: stringMap(metric.dimensions),
      });
    }
  }
  return uses;
};

/** Rows of `properties.metrics`: [namespace, name, dimension, value, ..., {options}]. Shorthand rows are refused. */
const dashboardMetrics = (body: string, source: string): MetricUse[] => {
  const dashboard = JSON.parse(body) as { widgets?: Array<{ type?: string; properties?: { metrics?: unknown[] } }> };
  return (dashboard.widgets ?? []).flatMap((widget, index) =>
    (widget.properties?.metrics ?? []).flatMap((row): MetricUse[] => {
      if (!Array.isArray(row)) throw new Error(`${source} widget ${index}: metric row is not a list`);
      const strings = row.filter((cell): cell is string => typeof cell === 'string');
      if (strings.length === 0) return [];
      if (strings.includes('.') || strings.includes('...')) throw new Error(`${source} widget ${index}: shorthand metric row ${JSON.stringify(row)}`);
      const [namespace, name, ...pairs] = strings;
      if (pairs.length % 2 !== 0) throw new Error(`${source} widget ${index}: odd dimension list in ${JSON.stringify(row)}`);
      const dimensions: Record<string, string> = {};
      for (let i = 0; i < pairs.length; i += 2) dimensions[pairs[i] as string] = pairs[i + 1] as string;
      return [{ source: `${source} widget ${index}`, namespace: String(namespace), name: String(name), dimensions }];
    }),
  );
};

/** Uses of the project namespace whose name or dimension set (names and values) the code does not emit. */
const projectMetricFindings = (uses: MetricUse[], emitted: Emitted): string[] =>
  uses
    .filter((use) => use.namespace === emitted.namespace)
    .flatMap((use) => {
      const keys = Object.keys(use.dimensions).sort();
      if (emitted.extra && use.name === emitted.extra.name) {
        const expected = [...emitted.extra.dimensionNames].sort();
        return JSON.stringify(keys) === JSON.stringify(expected) ? [] : [`${use.source}: ${use.name} with dimensions ${keys.join(',')}`];
      }
      if (!emitted.names.has(use.name)) return [`${use.source}: ${use.name} is not a metric the code emits`];
      const expected = Object.keys(emitted.dimensions).sort();
      if (JSON.stringify(keys) !== JSON.stringify(expected))
        return [`${use.source}: ${use.name} with dimensions ${keys.join(',') || '(none)'}, the code emits ${expected.join(',')}`];
      return Object.entries(emitted.dimensions)
        .filter(([key, value]) => use.dimensions[key] !== value)
        .map(([key, value]) => `${use.source}: ${use.name} ${key}=${String(use.dimensions[key])}, the code emits ${value}`);
    });

export type { Emitted, MetricUse };
export { alarmMetrics, dashboardMetrics, projectMetricFindings };
