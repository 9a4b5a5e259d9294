import { optionalEnv } from './env.ts';

/**
 * Which responder answers chat messages (`RESPONDER`): `echo` or `echo-stream`; createResponder
 * refuses anything else at init.
 * @default 'echo'
 */
const loadResponderKind = (): string | undefined => optionalEnv('RESPONDER');

export { loadResponderKind };
