import { ConfigurationError, type EnvironmentSource, optionalEnv } from './env.ts';

const RESPONDER_KINDS = ['echo', 'echo-stream', 'bedrock'] as const;

type ResponderKind = (typeof RESPONDER_KINDS)[number];

const isResponderKind = (value: string): value is ResponderKind => RESPONDER_KINDS.some((kind) => kind === value);

/**
 * Which responder answers chat messages (`RESPONDER`): `echo`, `echo-stream` or `bedrock` (the
 * assistant; its settings in assistant-config.ts).
 * @default 'echo'
 * @throws ConfigurationError for any other value, at init.
 */
const loadResponderKind = (source: EnvironmentSource = process.env): ResponderKind => {
  const kind = optionalEnv('RESPONDER', source) ?? 'echo';
  if (!isResponderKind(kind)) throw new ConfigurationError(`Environment variable RESPONDER must be one of ${RESPONDER_KINDS.join(', ')}, got "${kind}"`);
  return kind;
};

export type { ResponderKind };
export { loadResponderKind, RESPONDER_KINDS };
