import { type DevTokenOptions, mintDevToken } from '../../../src/local/dev-token.ts';
import { registerSecret } from '../../support/output.ts';

/** A dev token for `user`, registered so the run fails if it ever shows up in the output. */
const tokenFor = async (user: string, options: Omit<DevTokenOptions, 'user'> = {}): Promise<string> => {
  const token = await mintDevToken({ user, ...options });
  registerSecret(token);
  return token;
};

/** A unique user id per test, so tests sharing a gateway never share a user's sessions. */
let counter = 0;
const uniqueUser = (name: string): string => `${name}-${process.pid}-${++counter}`;

export { tokenFor, uniqueUser };
