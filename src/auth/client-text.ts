/** The most characters of a client-chosen string that reach a log line. */
const MAX_LOGGED_CLIENT_CHARACTERS = 200;

/**
 * A value the client chose (an Origin header, a token's header names inside a jose message), cut for
 * logging: a refused handshake costs nothing, so without a bound each one could make the authorizer
 * write kilobytes. Cut values end with a marker that gives the original length.
 * @example clientTextForLog('x'.repeat(12_000)) // 'xxx…x…[truncated, 12000 characters]'
 * @default max 200 characters
 */
const clientTextForLog = (value: string | undefined, max = MAX_LOGGED_CLIENT_CHARACTERS): string | undefined => {
  if (value === undefined || value.length <= max) return value;
  // Never end on the first half of a surrogate pair.
  const end = /[\uD800-\uDBFF]/.test(value.charAt(max - 1)) ? max - 1 : max;
  return `${value.slice(0, end)}…[truncated, ${value.length} characters]`;
};

export { clientTextForLog, MAX_LOGGED_CLIENT_CHARACTERS };
