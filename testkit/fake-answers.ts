/**
 * The fake Bedrock's answer (src/local/fake-bedrock/converse-request.ts `answerFor`), spelled out for
 * end-to-end assertions: turn `turn` of a session whose earlier turns were all answered carries
 * 2 × turn − 1 messages, so an answer shows the context the stack gave the model.
 */
const fakeAnswer = (question: string, turn = 1): string => `Turn ${turn} of this conversation (${2 * turn - 1} messages, no system prompt). You asked: "${question}"`;

export { fakeAnswer };
