import { CompactSign } from 'jose';
import { registerSecret } from './output.ts';
import { TEST_SECRET } from './tokens.ts';

const encoder = new TextEncoder();

/**
 * An HS256 token whose payload is exactly `payloadJson` (e.g. `"exp": 1e400`, which no JWT library
 * would produce), signed with `secret`, and registered so a log line containing it fails the file.
 */
const signRawPayload = async (
  payloadJson: string,
  { secret = TEST_SECRET, header = { alg: 'HS256', typ: 'JWT' } }: { secret?: string; header?: Record<string, unknown> } = {},
): Promise<string> => {
  const token = await new CompactSign(encoder.encode(payloadJson)).setProtectedHeader(header as { alg: string }).sign(encoder.encode(secret));
  registerSecret(token);
  return token;
};

export { signRawPayload };
