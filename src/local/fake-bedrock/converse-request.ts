/**
 * The part of a ConverseStream request body the fake reads, checked the way the real service checks
 * it (a conversation that does not start with a user turn or does not alternate is a
 * ValidationException), and the deterministic answer the fake gives to it.
 */

interface FakeTurn {
  role: 'user' | 'assistant';
  text: string;
}

interface ConverseRequest {
  modelId: string;
  messages: FakeTurn[];
  system: string[];
  maxTokens?: number;
  temperature?: number;
}

/** A request the real service would refuse with a 400 ValidationException; `message` is what it says. */
class ConverseRequestError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'ConverseRequestError';
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const blockTexts = (blocks: unknown, where: string): string[] => {
  if (!Array.isArray(blocks) || blocks.length === 0) throw new ConverseRequestError(`${where} must have at least one content block.`);
  return blocks.map((block, index) => {
    const text = isRecord(block) ? block.text : undefined;
    if (typeof text !== 'string') throw new ConverseRequestError(`The fake Bedrock reads text blocks only; ${where}.${index} has none.`);
    if (text.trim() === '') throw new ConverseRequestError(`The text field in the ContentBlock object at ${where}.${index} is blank. Add text to the text field, and try again.`);
    return text;
  });
};

const readTurn = (message: unknown, index: number): FakeTurn => {
  const role = isRecord(message) ? message.role : undefined;
  if (role !== 'user' && role !== 'assistant') throw new ConverseRequestError(`messages.${index}.role must be user or assistant.`);
  const content = isRecord(message) ? message.content : undefined;
  return { role, text: blockTexts(content, `messages.${index}.content`).join('\n') };
};

const checkAlternation = (messages: FakeTurn[]): void => {
  if (messages[0]?.role !== 'user') {
    throw new ConverseRequestError('A conversation must start with a user message. Try again with a conversation that starts with a user message.');
  }
  messages.forEach((turn, index) => {
    if (index > 0 && messages[index - 1]?.role === turn.role) {
      throw new ConverseRequestError(
        'A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.',
      );
    }
  });
};

/** @throws ConverseRequestError with the real service's wording when Bedrock would refuse the body. */
const readConverseRequest = (modelId: string, rawBody: string): ConverseRequest => {
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    throw new ConverseRequestError('The request body is not valid JSON.');
  }
  if (!isRecord(body) || !Array.isArray(body.messages) || body.messages.length === 0) {
    throw new ConverseRequestError('messages must be a non-empty list.');
  }
  const messages = body.messages.map(readTurn);
  checkAlternation(messages);
  const system = body.system === undefined ? [] : blockTexts(body.system, 'system');
  const inference = isRecord(body.inferenceConfig) ? body.inferenceConfig : {};
  return {
    modelId,
    messages,
    system,
    ...(typeof inference.maxTokens === 'number' ? { maxTokens: inference.maxTokens } : {}),
    ...(typeof inference.temperature === 'number' ? { temperature: inference.temperature } : {}),
  };
};

const words = (text: string): string[] => text.match(/\S+\s*/g) ?? [];

/** The text of the last user turn: the question being answered (where fault markers are read). */
const lastQuestion = (request: ConverseRequest): string => request.messages.findLast((turn) => turn.role === 'user')?.text ?? '';

/**
 * The fake's answer, a function of the conversation only, so a test can read back the context the
 * model was given: how many turns, whether a system prompt came, and the question quoted.
 * @example "Turn 2 of this conversation (3 messages, no system prompt). You asked: \"and then?\""
 */
const answerFor = (request: ConverseRequest): string => {
  const turn = request.messages.filter((message) => message.role === 'user').length;
  const prompt = request.system.length > 0 ? 'with a system prompt' : 'no system prompt';
  return `Turn ${turn} of this conversation (${request.messages.length} messages, ${prompt}). You asked: "${lastQuestion(request)}"`;
};

/** A stand-in for the model's tokenizer: one token per word. */
const countTokens = (texts: string[]): number => texts.reduce((sum, text) => sum + words(text).length, 0);

const inputTokens = (request: ConverseRequest): number => countTokens([...request.system, ...request.messages.map((turn) => turn.text)]);

export type { ConverseRequest, FakeTurn };
export { answerFor, ConverseRequestError, inputTokens, lastQuestion, readConverseRequest, words };
