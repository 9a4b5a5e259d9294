/**
 * `npm run token -- --user alice [--ttl 3600]`: prints only a dev token (HS256, the local dev secret),
 * so it composes: `wscat -c "ws://localhost:3001/dev?token=$(npm run -s token -- --user alice)"`.
 * JWT_ISSUER / JWT_AUDIENCE, when set, are put in the token as the authorizer will check them.
 */
import { parseArgs } from 'node:util';
import { mintDevToken } from './dev-token.ts';

const usage = 'usage: npm run token -- --user <name> [--ttl <seconds>]';

try {
  const { values } = parseArgs({
    options: {
      user: { type: 'string' },
      ttl: { type: 'string', default: '3600' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const ttlSeconds = Number(values.ttl);
  if (!values.user || !Number.isInteger(ttlSeconds) || ttlSeconds <= 0) {
    console.error(usage);
    process.exit(2);
  }
  const token = await mintDevToken({
    user: values.user,
    ttlSeconds,
    ...(process.env.JWT_ISSUER ? { issuer: process.env.JWT_ISSUER } : {}),
    ...(process.env.JWT_AUDIENCE ? { audience: process.env.JWT_AUDIENCE } : {}),
  });
  process.stdout.write(`${token}\n`);
} catch (error) {
  console.error(`${(error as Error).message}\n${usage}`);
  process.exit(2);
}
