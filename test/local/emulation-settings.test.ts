/**
 * The settings of what the gateway emulates of API Gateway and Lambda: `npm start`'s environment
 * variables, and the options startLocalGateway refuses before starting anything.
 */

import { describe, expect, it } from '@jest/globals';
import { emulationOptionsFromEnv } from '../../src/local/emulation-env.ts';
import { authorizerSettingsFromEnv, functionSettingsFromEnv } from '../../src/local/function-settings.ts';
import { startLocalGateway } from '../../src/local/gateway/gateway.ts';

describe('emulation settings', () => {
  it('reads INTEGRATION_TIMEOUT_MS, LAMBDA_ASYNC_RETRY_DELAYS_MS and LAMBDA_MAX_EVENT_AGE_MS', () => {
    const options = emulationOptionsFromEnv({ INTEGRATION_TIMEOUT_MS: '500', LAMBDA_ASYNC_RETRY_DELAYS_MS: '1000,2000', LAMBDA_MAX_EVENT_AGE_MS: '60000' });

    expect(options).toEqual({ integrationTimeoutMs: 500, asyncInvocation: { retryDelaysMs: [1000, 2000], maxEventAgeMs: 60000 } });
  });

  it("leaves unset variables to the gateway's defaults, and reads an empty retry list as no retry", () => {
    expect(emulationOptionsFromEnv({})).toEqual({});
    expect(emulationOptionsFromEnv({ LAMBDA_ASYNC_RETRY_DELAYS_MS: '' })).toEqual({ asyncInvocation: { retryDelaysMs: [] } });
  });

  it("reads RESPOND_TIMEOUT_SECONDS as respond's own timeout, as Terraform sets it from respond_timeout_seconds", () => {
    expect(emulationOptionsFromEnv({ RESPOND_TIMEOUT_SECONDS: '45' })).toEqual({ functionTimeoutsMs: { respond: 45_000 } });
  });

  it.each([
    ['RESPOND_TIMEOUT_SECONDS', '0', 'RESPOND_TIMEOUT_SECONDS must be a whole number of seconds from 1 to 900 (Lambda\'s maximum), got "0"'],
    ['RESPOND_TIMEOUT_SECONDS', '901', 'RESPOND_TIMEOUT_SECONDS must be a whole number of seconds from 1 to 900 (Lambda\'s maximum), got "901"'],
    ['RESPOND_TIMEOUT_SECONDS', '1.5', 'RESPOND_TIMEOUT_SECONDS must be a whole number of seconds from 1 to 900 (Lambda\'s maximum), got "1.5"'],
    ['INTEGRATION_TIMEOUT_MS', 'soon', 'INTEGRATION_TIMEOUT_MS must be a number of milliseconds above 0, got "soon"'],
    ['INTEGRATION_TIMEOUT_MS', '0', 'INTEGRATION_TIMEOUT_MS must be a number of milliseconds above 0, got "0"'],
    ['LAMBDA_ASYNC_RETRY_DELAYS_MS', '1000,,2000', 'LAMBDA_ASYNC_RETRY_DELAYS_MS must be a number of milliseconds, got ""'],
    ['LAMBDA_ASYNC_RETRY_DELAYS_MS', '1000,-5', 'LAMBDA_ASYNC_RETRY_DELAYS_MS must be a number of milliseconds, got "-5"'],
    ['LAMBDA_ASYNC_RETRY_DELAYS_MS', '1,2,3', 'LAMBDA_ASYNC_RETRY_DELAYS_MS lists at most 2 delays (Lambda retries an event at most twice), got "1,2,3"'],
    ['LAMBDA_MAX_EVENT_AGE_MS', '6h', 'LAMBDA_MAX_EVENT_AGE_MS must be a number of milliseconds above 0, got "6h"'],
  ])('names %s when its value "%s" is not what it takes', (name, value, message) => {
    expect(() => emulationOptionsFromEnv({ [name]: value })).toThrow(message);
  });

  it.each([
    [{ asyncInvocation: { retryDelaysMs: [1, 2, 3] } }, /at most 2 non-negative numbers/],
    [{ asyncInvocation: { maxEventAgeMs: 0 } }, /maximum event age must be a positive number/],
    [{ integrationTimeoutMs: -1 }, /integrationTimeoutMs must be a positive number/],
  ])('refuses %j before starting anything', async (options, message) => {
    await expect(startLocalGateway({ port: 0, ...options })).rejects.toThrow(message);
  });

  it("hands the hand-off's settings to the functions (ECHO_STREAM_DELAY_MS, the reply's pacing, RESPOND_TIMEOUT_SECONDS), and nothing it does not know", () => {
    const handOff = {
      ECHO_STREAM_DELAY_MS: '40',
      REPLY_PERSIST_INTERVAL_MS: '100',
      REPLY_PERSIST_CHARS: '500',
      CANCEL_POLL_MS: '50',
      REPLY_STALE_MS: '300',
      RESPOND_TIMEOUT_SECONDS: '60',
    };

    const settings = functionSettingsFromEnv({ ...handOff, RESPONDER: 'echo-stream', HOME: '/root', JWT_ISSUER: 'issuer', REPLY_PERSIST_CHARS_EXTRA: '1' });

    expect(settings).toEqual({ ...handOff, RESPONDER: 'echo-stream' });
    expect(authorizerSettingsFromEnv({ ...handOff, JWT_ISSUER: 'issuer' })).toEqual({ JWT_ISSUER: 'issuer' });
  });
});
