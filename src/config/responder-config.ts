import { type EnvironmentSource, optionalEnv } from './env.ts';

/**
 * Which responder answers chat messages (`RESPONDER`): `echo` or `echo-stream`; createResponder
 * refuses anything else at init.
 * @default 'echo'
 */
const loadResponderKind = (source: EnvironmentSource = process.env): string | undefined => optionalEnv('RESPONDER', source);

export { loadResponderKind };
