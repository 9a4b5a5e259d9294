import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { loadEnvironmentName } from '../config/app-config.ts';
import { DEFAULT_METRIC_NAMESPACE, DEFAULT_SERVICE_NAME } from './metric-names.ts';

/**
 * One logger, metrics and tracer per process (a Lambda sandbox), shared by every module, so all
 * functions log and emit with the same service name, namespace and default dimensions.
 */
const serviceName = process.env.POWERTOOLS_SERVICE_NAME || DEFAULT_SERVICE_NAME;
const namespace = process.env.POWERTOOLS_METRICS_NAMESPACE || DEFAULT_METRIC_NAMESPACE;

const logger = new Logger({ serviceName });
const metrics = new Metrics({
  serviceName,
  namespace,
  defaultDimensions: { environment: loadEnvironmentName() },
});
const tracer = new Tracer({ serviceName });

export { logger, metrics, tracer };
