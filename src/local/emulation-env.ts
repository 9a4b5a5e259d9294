import { FUNCTIONS } from '../config/function-manifest.ts';
import type { LocalGatewayOptions } from './gateway/gateway.ts';

type EmulationOptions = Pick<LocalGatewayOptions, 'integrationTimeoutMs' | 'asyncInvocation' | 'functionTimeoutsMs'>;

/**
 * RESPOND_TIMEOUT_SECONDS is the async functions' own timeout, as Terraform sets it from
 * `respond_timeout_seconds` (and hands it to the message function, which holds a session's turn that
 * long): the gateway runs respond with the same one, so the two agree as deployed.
 */
const asyncFunctionTimeouts = (text: string): Record<string, number> => {
  const seconds = Number(text);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 900)
    throw new Error(`RESPOND_TIMEOUT_SECONDS must be a whole number of seconds from 1 to 900 (Lambda's maximum), got "${text}"`);
  return Object.fromEntries(FUNCTIONS.filter((spec) => spec.route === 'async').map((spec) => [spec.name, seconds * 1000]));
};

/** A delay may be 0; a timeout or an age may not (nothing could ever run). */
const milliseconds = (name: string, text: string, minimum: 0 | 1 = 1): number => {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < minimum) throw new Error(`${name} must be a number of milliseconds${minimum ? ' above 0' : ''}, got "${text}"`);
  return value;
};

/**
 * `npm start`'s settings for what the gateway emulates of API Gateway and Lambda:
 * INTEGRATION_TIMEOUT_MS (29000), LAMBDA_ASYNC_RETRY_DELAYS_MS (`60000,120000`: the wait before each
 * retry of a failed async event, at most two; empty for none), LAMBDA_MAX_EVENT_AGE_MS (6 h), and
 * RESPOND_TIMEOUT_SECONDS (300: respond's own timeout; the functions get the variable too).
 * @throws Error naming the variable when a value is not a number of milliseconds (or seconds)
 */
const emulationOptionsFromEnv = (env: NodeJS.ProcessEnv): EmulationOptions => {
  const options: EmulationOptions = {};
  const asyncInvocation: NonNullable<EmulationOptions['asyncInvocation']> = {};
  if (env.INTEGRATION_TIMEOUT_MS) options.integrationTimeoutMs = milliseconds('INTEGRATION_TIMEOUT_MS', env.INTEGRATION_TIMEOUT_MS);
  const delays = env.LAMBDA_ASYNC_RETRY_DELAYS_MS;
  if (delays !== undefined) asyncInvocation.retryDelaysMs = delays.trim() === '' ? [] : delays.split(',').map((delay) => milliseconds('LAMBDA_ASYNC_RETRY_DELAYS_MS', delay, 0));
  if ((asyncInvocation.retryDelaysMs?.length ?? 0) > 2)
    throw new Error(`LAMBDA_ASYNC_RETRY_DELAYS_MS lists at most 2 delays (Lambda retries an event at most twice), got "${delays}"`);
  if (env.LAMBDA_MAX_EVENT_AGE_MS) asyncInvocation.maxEventAgeMs = milliseconds('LAMBDA_MAX_EVENT_AGE_MS', env.LAMBDA_MAX_EVENT_AGE_MS);
  if (Object.keys(asyncInvocation).length > 0) options.asyncInvocation = asyncInvocation;
  if (env.RESPOND_TIMEOUT_SECONDS) options.functionTimeoutsMs = asyncFunctionTimeouts(env.RESPOND_TIMEOUT_SECONDS);
  return options;
};

export type { EmulationOptions };
export { emulationOptionsFromEnv };
