/**
 * The assistant's configuration contract (src/config/assistant-config.ts, responder-config.ts): the
 * defaults the contract documents, the bounds of every variable, and errors that name the variable.
 */
import { describe, expect, it } from '@jest/globals';
import type { BedrockResponderSettings } from '../../src/adapters/bedrock/bedrock-responder.ts';
import { loadBedrockConnection, loadBedrockSettings, loadDailyOutputTokens } from '../../src/config/assistant-config.ts';
import { ConfigurationError, type EnvironmentSource } from '../../src/config/env.ts';
import { loadResponderKind, RESPONDER_KINDS } from '../../src/config/responder-config.ts';

const MODEL = { BEDROCK_MODEL_ID: 'anthropic.claude-3-haiku-20240307-v1:0' };

/** A bounded numeric variable: the settings field it sets, its edges, and the values it must refuse. */
interface Bounded {
  name: string;
  read: (settings: BedrockResponderSettings) => number | undefined;
  min: number;
  max: number;
  refused: string[];
}

const BOUNDED: Bounded[] = [
  { name: 'BEDROCK_MAX_TOKENS', read: (settings) => settings.maxTokens, min: 1, max: 100_000, refused: ['0', '100001', '1.5', 'many'] },
  { name: 'BEDROCK_TEMPERATURE', read: (settings) => settings.temperature, min: 0, max: 1, refused: ['-0.1', '1.01', 'warm'] },
  { name: 'CONTEXT_MAX_MESSAGES', read: (settings) => settings.budget.maxMessages, min: 1, max: 500, refused: ['0', '501', '2.5', 'all'] },
  { name: 'CONTEXT_MAX_CHARS', read: (settings) => settings.budget.maxChars, min: 1, max: 1_000_000, refused: ['0', '1000001', '10.5', '-1'] },
  { name: 'BEDROCK_STALL_GAP_MS', read: (settings) => settings.stallGapMs, min: 100, max: 600_000, refused: ['99', '600001', '150.5', '10s'] },
  { name: 'BEDROCK_DEADLINE_MARGIN_MS', read: (settings) => settings.deadlineMarginMs, min: 0, max: 60_000, refused: ['-1', '60001', '0.5', 'Infinity'] },
];

/** The error a load throws, so a test can check both its class and that it names the variable. */
const errorOf = (load: () => unknown): unknown => {
  try {
    load();
  } catch (error) {
    return error;
  }
  throw new Error('expected the configuration to be refused');
};

const expectRefusalNaming = (load: () => unknown, name: string): void => {
  const error = errorOf(load);
  expect(error).toBeInstanceOf(ConfigurationError);
  expect(error instanceof ConfigurationError ? error.message : '').toContain(name);
};

describe('loadBedrockSettings', () => {
  it('needs only BEDROCK_MODEL_ID, and gives every other setting the documented default', () => {
    expect(loadBedrockSettings(MODEL)).toStrictEqual({
      modelId: MODEL.BEDROCK_MODEL_ID,
      maxTokens: 1024,
      budget: { maxMessages: 20, maxChars: 12_000 },
      stallGapMs: 10_000,
      deadlineMarginMs: 3_000,
    });
  });

  it('refuses a missing or blank BEDROCK_MODEL_ID, naming it', () => {
    expectRefusalNaming(() => loadBedrockSettings({}), 'BEDROCK_MODEL_ID');
    expectRefusalNaming(() => loadBedrockSettings({ BEDROCK_MODEL_ID: '   ' }), 'BEDROCK_MODEL_ID');
  });

  it('reads a model id, an inference profile ARN and a system prompt as given (trimmed)', () => {
    const profile = 'arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.anthropic.claude-3-haiku-20240307-v1:0';
    const settings = loadBedrockSettings({ BEDROCK_MODEL_ID: ` ${profile} `, BEDROCK_SYSTEM_PROMPT: ' Answer briefly. ' });
    expect(settings.modelId).toBe(profile);
    expect(settings.systemPrompt).toBe('Answer briefly.');
    expect(loadBedrockSettings({ ...MODEL, BEDROCK_SYSTEM_PROMPT: '  ' })).not.toHaveProperty('systemPrompt');
  });

  describe.each(BOUNDED)('$name', ({ name, read, min, max, refused }) => {
    it(`accepts ${min} and ${max}, each into its own setting`, () => {
      for (const edge of [min, max]) expect(read(loadBedrockSettings({ ...MODEL, [name]: String(edge) }))).toBe(edge);
    });

    it(`refuses ${refused.join(', ')}, naming ${name} and what it got`, () => {
      for (const value of refused) {
        const environment: EnvironmentSource = { ...MODEL, [name]: value };
        expectRefusalNaming(() => loadBedrockSettings(environment), name);
        expectRefusalNaming(() => loadBedrockSettings(environment), `"${value}"`);
      }
    });
  });

  it('takes a temperature between the edges as given', () => {
    expect(loadBedrockSettings({ ...MODEL, BEDROCK_TEMPERATURE: '0.35' }).temperature).toBe(0.35);
  });
});

describe('loadDailyOutputTokens', () => {
  it('defaults to 100000 a user a day', () => {
    expect(loadDailyOutputTokens(1024, {})).toBe(100_000);
  });

  it('accepts a limit from BEDROCK_MAX_TOKENS up to 1000000000', () => {
    expect(loadDailyOutputTokens(2048, { DAILY_OUTPUT_TOKENS_PER_USER: '2048' })).toBe(2048);
    expect(loadDailyOutputTokens(1, { DAILY_OUTPUT_TOKENS_PER_USER: '1' })).toBe(1);
    expect(loadDailyOutputTokens(1024, { DAILY_OUTPUT_TOKENS_PER_USER: '1000000000' })).toBe(1_000_000_000);
  });

  it('refuses a limit below BEDROCK_MAX_TOKENS, naming both: every question would be refused', () => {
    const load = () => loadDailyOutputTokens(2048, { DAILY_OUTPUT_TOKENS_PER_USER: '2047' });
    expectRefusalNaming(load, 'DAILY_OUTPUT_TOKENS_PER_USER');
    expectRefusalNaming(load, 'BEDROCK_MAX_TOKENS');
    expectRefusalNaming(() => loadDailyOutputTokens(101_000, {}), 'DAILY_OUTPUT_TOKENS_PER_USER');
  });

  it('refuses values out of bounds or not whole, naming the variable', () => {
    for (const value of ['0', '1000000001', '5000.5', 'lots']) {
      expectRefusalNaming(() => loadDailyOutputTokens(1, { DAILY_OUTPUT_TOKENS_PER_USER: value }), 'DAILY_OUTPUT_TOKENS_PER_USER');
    }
  });
});

describe('loadBedrockConnection', () => {
  it('is empty by default: Bedrock itself, in the function’s own Region', () => {
    expect(loadBedrockConnection({})).toStrictEqual({});
  });

  it('takes an endpoint URL (the local fake) and a Region', () => {
    expect(loadBedrockConnection({ BEDROCK_ENDPOINT: 'http://127.0.0.1:4010', BEDROCK_REGION: 'eu-west-1' })).toStrictEqual({
      endpoint: 'http://127.0.0.1:4010',
      region: 'eu-west-1',
    });
  });

  it('refuses an endpoint that is not a URL, naming BEDROCK_ENDPOINT', () => {
    for (const value of ['127.0.0.1:4010x', 'localhost', 'not a url']) expectRefusalNaming(() => loadBedrockConnection({ BEDROCK_ENDPOINT: value }), 'BEDROCK_ENDPOINT');
  });
});

describe('loadResponderKind', () => {
  it('is echo when RESPONDER is unset or blank', () => {
    expect(loadResponderKind({})).toBe('echo');
    expect(loadResponderKind({ RESPONDER: ' ' })).toBe('echo');
  });

  it('accepts echo, echo-stream and bedrock', () => {
    expect(RESPONDER_KINDS.map((kind) => loadResponderKind({ RESPONDER: kind }))).toEqual(['echo', 'echo-stream', 'bedrock']);
  });

  it('refuses any other kind, naming RESPONDER and the kinds it accepts', () => {
    for (const value of ['Bedrock', 'openai', 'echo,bedrock']) {
      expectRefusalNaming(() => loadResponderKind({ RESPONDER: value }), 'RESPONDER');
      expectRefusalNaming(() => loadResponderKind({ RESPONDER: value }), 'echo, echo-stream, bedrock');
    }
  });
});
