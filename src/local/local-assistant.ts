/**
 * The model behind the `bedrock` responder on a laptop and in the end-to-end suites: the fake Bedrock
 * runtime on loopback, and the variables that point the functions' real SDK client at it. The
 * functions' dummy credentials (AWS_ACCESS_KEY_ID, the ones DynamoDB Local gets) sign its requests;
 * the fake checks no signature.
 */
import { type FakeBedrock, type FakeBedrockOptions, startFakeBedrock } from './fake-bedrock/fake-bedrock.ts';

/** Any id does (the fake answers every model id); this one says in a log line where the answer came from. */
const LOCAL_MODEL_ID = 'local.fake-bedrock';

/** Typed in a message, these make the fake fail that answer (src/local/fake-bedrock/faults.ts has them all). */
const DEMO_FAULT_MARKERS: ReadonlyArray<{ marker: string; shows: string }> = [
  { marker: '[fault:throttle]', shows: 'MODEL_BUSY, resent by the client' },
  { marker: '[fault:access-denied]', shows: 'ASSISTANT_UNAVAILABLE' },
  { marker: '[fault:exception-at:5]', shows: 'a reply cut short, status failed' },
  { marker: '[fault:stall]', shows: 'a reply aborted after BEDROCK_STALL_GAP_MS, status failed' },
];

interface LocalAssistant {
  /** The fake, when the responder is `bedrock`; undefined for `echo` and `echo-stream`. */
  fake: FakeBedrock | undefined;
  /** Added to every function's environment, over what the caller set: RESPONDER, BEDROCK_ENDPOINT, BEDROCK_MODEL_ID. */
  environment: Record<string, string>;
  /** Stops the fake (its open streams included); call it after the functions have stopped. */
  stop(): Promise<void>;
}

/**
 * Starts the fake Bedrock unless `configured.RESPONDER` names an echo responder: with a fake at hand
 * the default responder is `bedrock`, so the local stack runs the real SDK path. A `BEDROCK_MODEL_ID`
 * the caller set is kept; `BEDROCK_ENDPOINT` is always the fake's.
 * @example
 * const assistant = await startLocalAssistant({ tokensPerSecond: 0 }, { RATE_LIMIT_BURST: '20' });
 * const gateway = await startLocalGateway({ functionEnvironment: { RATE_LIMIT_BURST: '20', ...assistant.environment } });
 */
const startLocalAssistant = async (fakeOptions: FakeBedrockOptions, configured: Record<string, string | undefined>): Promise<LocalAssistant> => {
  const responder = configured.RESPONDER ?? 'bedrock';
  if (responder !== 'bedrock') return { fake: undefined, environment: { RESPONDER: responder }, stop: async () => {} };
  const fake = await startFakeBedrock({ host: '127.0.0.1', ...fakeOptions });
  return {
    fake,
    environment: { RESPONDER: 'bedrock', BEDROCK_ENDPOINT: fake.endpoint, BEDROCK_MODEL_ID: configured.BEDROCK_MODEL_ID ?? LOCAL_MODEL_ID },
    stop: () => fake.stop(),
  };
};

/**
 * `FAKE_BEDROCK_TOKENS_PER_SECOND`: the fake's pace in words per second (0: as fast as it can).
 * @returns undefined when unset (the fake's own default, 40)
 * @throws RangeError naming the variable when it is not a number of 0 or more
 */
const fakeTokensPerSecond = (value: string | undefined): number | undefined => {
  if (value === undefined || value.trim() === '') return undefined;
  const rate = Number(value);
  if (!Number.isFinite(rate) || rate < 0) throw new RangeError(`FAKE_BEDROCK_TOKENS_PER_SECOND must be a number of 0 or more (words per second), got "${value}"`);
  return rate;
};

export type { LocalAssistant };
export { DEMO_FAULT_MARKERS, fakeTokensPerSecond, LOCAL_MODEL_ID, startLocalAssistant };
