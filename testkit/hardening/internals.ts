/**
 * What an error frame must never carry: stack frames, file paths, SDK or runtime error names. Plain
 * TypeScript (no jest), shared by the tests and `scripts/fuzz.ts`.
 */
const INTERNAL_MARKERS: Array<[string, RegExp]> = [
  ['a stack frame', /\bat (?:async )?[\w$.<>]+ \(|\n\s+at \S/g],
  ['a file path', /\/work\/|\/var\/task|node_modules|file:\/\/|[\w-]+\.(?:ts|js|mjs|cjs)\b/g],
  [
    'an SDK or runtime error name',
    /\b(?:\w+Exception|TimeoutError|TypeError|ReferenceError|SyntaxError|RangeError|TransactionCanceled|ConditionalCheckFailed|ECONNREFUSED|ECONNRESET|ETIMEDOUT)\b/g,
  ],
  ['a table name', /chatbot-(?:connections|messages)/g],
  ['SDK metadata', /\$metadata|x-amzn-RequestId|httpStatusCode/gi],
];

/** The exact text every INTERNAL_ERROR carries. */
const INTERNAL_ERROR_TEXT = 'Something went wrong on our side; please retry';

const textsOf = (value: unknown, into: string[] = []): string[] => {
  if (typeof value === 'string') into.push(value);
  else if (Array.isArray(value)) for (const item of value) textsOf(item, into);
  else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      into.push(key);
      textsOf(item, into);
    }
  }
  return into;
};

/**
 * True when `found` comes from the client's own frame: the text itself (a key named `index.ts`), or
 * a field path the server built from its keys (`data.js` for a key `js` under `data`).
 */
const echoedFrom = (input: string, found: string): boolean => input.includes(found) || found.split('.').every((segment) => segment.length > 0 && input.includes(`"${segment}"`));

/**
 * Reasons this error frame leaks internals; empty when it is clean. `input` is what the client sent:
 * a field name or action the frame echoes back from it is not a leak.
 */
const internalsIn = (frame: unknown, input = ''): string[] => {
  const problems: string[] = [];
  for (const text of textsOf(frame)) {
    for (const [label, pattern] of INTERNAL_MARKERS) {
      for (const match of text.matchAll(pattern)) {
        if (!echoedFrom(input, match[0])) problems.push(`${label} (${JSON.stringify(match[0])}) in ${JSON.stringify(text.slice(0, 200))}`);
      }
    }
  }
  const error = (frame as { error?: Record<string, unknown> } | null)?.error;
  if (error && 'stack' in error) problems.push('a stack property');
  if (error?.code === 'INTERNAL_ERROR' && (error.message !== INTERNAL_ERROR_TEXT || error.details !== undefined)) {
    problems.push(`an INTERNAL_ERROR with more than the fixed text: ${JSON.stringify(error).slice(0, 200)}`);
  }
  return problems;
};

export { INTERNAL_ERROR_TEXT, internalsIn };
