/**
 * Client frames for fuzzing: fast-check arbitraries that produce raw WebSocket text (valid frames built
 * from the protocol's rules, and broken ones), and an oracle, written from the README's protocol table
 * and independent of the JSON Schemas, that says what the server must answer.
 *
 * Plain TypeScript with no jest import: `scripts/fuzz.ts` runs it under Node directly.
 */
import fc from 'fast-check';

type Route = 'chat_message' | 'ping' | 'history' | '$default';
type RefusalCode = 'BAD_REQUEST' | 'VALIDATION_ERROR' | 'UNKNOWN_ACTION';

type Expected =
  | { kind: 'chat'; sessionId: string; message: string; clientMessageId?: string }
  | { kind: 'pong' }
  | { kind: 'history'; sessionId: string }
  | { kind: 'error'; code: RefusalCode };

const ROUTES = new Set(['chat_message', 'ping', 'history']);
const ID_PATTERN = /^[A-Za-z0-9_.:-]+$/;
const ULID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const ULID_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** Every character JavaScript's `\s` matches: a message made only of these is blank. */
const WHITESPACE = [' ', '\t', '\n', '\r', '\v', '\f', '\u00a0', '\u1680', '\u2000', '\u200a', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000', '\ufeff'];

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const onlyKeys = (value: Record<string, unknown>, allowed: readonly string[]): boolean => Object.keys(value).every((key) => allowed.includes(key));

/** Length in code points, as the protocol (and JSON Schema's maxLength) counts characters. */
const codePoints = (text: string): number => {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
};

const isId = (value: unknown, max: number): value is string => typeof value === 'string' && value.length >= 1 && value.length <= max && ID_PATTERN.test(value);

const parse = (raw: string): { ok: true; value: unknown } | { ok: false } => {
  try {
    return { ok: true, value: JSON.parse(raw) as unknown };
  } catch {
    return { ok: false };
  }
};

/** API Gateway's route selection on `$request.body.action`. */
const routeOf = (raw: string): Route => {
  const parsed = parse(raw);
  if (!parsed.ok || !isPlainObject(parsed.value)) return '$default';
  const { action } = parsed.value;
  return typeof action === 'string' && ROUTES.has(action) ? (action as Route) : '$default';
};

const validChat = (frame: Record<string, unknown>): Expected | undefined => {
  const { data } = frame;
  if (!onlyKeys(frame, ['action', 'data']) || !isPlainObject(data)) return undefined;
  if (!onlyKeys(data, ['message', 'sessionId', 'clientMessageId'])) return undefined;
  const { message, sessionId, clientMessageId } = data;
  if (typeof message !== 'string' || codePoints(message) < 1 || codePoints(message) > 4000 || !/\S/u.test(message)) return undefined;
  if (!isId(sessionId, 128)) return undefined;
  if (clientMessageId !== undefined && !isId(clientMessageId, 64)) return undefined;
  return { kind: 'chat', sessionId, message, ...(clientMessageId === undefined ? {} : { clientMessageId }) };
};

const validPing = (frame: Record<string, unknown>): Expected | undefined => {
  if (!onlyKeys(frame, ['action', 'data'])) return undefined;
  if (frame.data !== undefined && !(isPlainObject(frame.data) && Object.keys(frame.data).length === 0)) return undefined;
  return { kind: 'pong' };
};

const validHistory = (frame: Record<string, unknown>): Expected | undefined => {
  const { data } = frame;
  if (!onlyKeys(frame, ['action', 'data']) || !isPlainObject(data) || !onlyKeys(data, ['sessionId', 'after', 'limit'])) return undefined;
  if (!isId(data.sessionId, 128)) return undefined;
  if (data.after !== undefined && !(typeof data.after === 'string' && ULID_PATTERN.test(data.after))) return undefined;
  const { limit } = data;
  if (limit !== undefined && !(typeof limit === 'number' && Number.isInteger(limit) && limit >= 1 && limit <= 100)) return undefined;
  return { kind: 'history', sessionId: data.sessionId };
};

/** What the server must answer to one raw frame (README, "Protocol"). */
const expectedOutcome = (raw: string): Expected => {
  const parsed = parse(raw);
  if (!parsed.ok) return { kind: 'error', code: 'BAD_REQUEST' };
  const route = routeOf(raw);
  if (route === '$default') return { kind: 'error', code: 'UNKNOWN_ACTION' };
  const frame = parsed.value as Record<string, unknown>;
  const accepted = route === 'chat_message' ? validChat(frame) : route === 'ping' ? validPing(frame) : validHistory(frame);
  return accepted ?? { kind: 'error', code: 'VALIDATION_ERROR' };
};

/* ---------------------------------------------------------------- generators */

const idString = (max: number) => fc.stringMatching(new RegExp(`^[A-Za-z0-9_.:-]{1,${max}}$`));
const ulid = fc.string({ unit: fc.constantFrom(...ULID_ALPHABET), minLength: 26, maxLength: 26 });

/** Message text: ASCII, any Unicode (astral, combining, RTL), lone surrogates, control characters. */
const messageText = fc
  .oneof(
    { weight: 4, arbitrary: fc.string({ minLength: 1, maxLength: 200 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 100 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 100 }) },
    { weight: 1, arbitrary: fc.constantFrom('Hello', '\u{1F600}'.repeat(4000), 'x'.repeat(4000), 'a\ud800b', '\u202eevil', 'null', '{"action":"ping"}') },
  )
  .filter((text) => codePoints(text) <= 4000 && /\S/u.test(text));

/** Ids drawn sometimes from a small pool, so sessions fill up and clientMessageIds get resent. */
const sessionId = fc.oneof(idString(128), fc.constantFrom('s-1', 's-2', 'test-session'));
const clientMessageId = fc.oneof(idString(64), fc.constantFrom('c-1', 'c-2', 'c-3', 'c-4'));

const validChatFrame = fc.record({
  action: fc.constant('chat_message'),
  data: fc.record({ message: messageText, sessionId, clientMessageId }, { requiredKeys: ['message', 'sessionId'] }),
});
const validPingFrame = fc.oneof(fc.constant({ action: 'ping' }), fc.constant({ action: 'ping', data: {} }));
const validHistoryFrame = fc.record({
  action: fc.constant('history'),
  data: fc.record({ sessionId, after: ulid, limit: fc.integer({ min: 1, max: 100 }) }, { requiredKeys: ['sessionId'] }),
});

const validFrameObject = fc.oneof(
  { weight: 3, arbitrary: validChatFrame as fc.Arbitrary<Record<string, unknown>> },
  { weight: 1, arbitrary: validPingFrame as fc.Arbitrary<Record<string, unknown>> },
  { weight: 1, arbitrary: validHistoryFrame as fc.Arbitrary<Record<string, unknown>> },
);

/** Keys that trip careless code: prototype pollution, inherited names, look-alikes of real fields. */
const trickyKey = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', 'userId', 'connectionId', 'Message', 'sessionID', '', ' '),
  fc.string({ maxLength: 20 }),
);

/** Nested arrays/objects far deeper than any schema walks. */
const deepValue = fc.integer({ min: 50, max: 3000 }).map((depth) => {
  let value: unknown = 'bottom';
  for (let level = 0; level < depth; level += 1) value = level % 2 === 0 ? [value] : { a: value };
  return value;
});

/** JSON values of the wrong type for whatever field they replace. */
const wrongValue = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, Number.POSITIVE_INFINITY, '', ' ', [], {}, ['x'], { message: 'hi' }, '0'.repeat(200)),
  fc.string({ unit: 'binary', maxLength: 50 }),
  fc.string({ minLength: 4001, maxLength: 4100 }),
  fc.jsonValue({ maxDepth: 3 }),
  deepValue,
);

/** A property that JSON.stringify writes even for `__proto__` (assignment would set the prototype instead). */
const withOwn = (target: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> =>
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });

const clone = (value: Record<string, unknown>): Record<string, unknown> => JSON.parse(JSON.stringify(value)) as Record<string, unknown>;

type Mutation = (frame: Record<string, unknown>) => fc.Arbitrary<Record<string, unknown>>;

const mutations: Mutation[] = [
  // a field of the wrong type (or a huge / empty string)
  (frame) =>
    fc.tuple(fc.constantFrom('action', 'data', 'data.message', 'data.sessionId', 'data.clientMessageId', 'data.after', 'data.limit'), wrongValue).map(([path, value]) => {
      const copy = clone(frame);
      const [head, tail] = path.split('.') as [string, string | undefined];
      if (tail === undefined) return withOwn(copy, head, value);
      const data = isPlainObject(copy.data) ? copy.data : {};
      copy.data = withOwn(data, tail, value);
      return copy;
    }),
  // a required field missing
  (frame) =>
    fc.constantFrom('action', 'data', 'data.message', 'data.sessionId').map((path) => {
      const copy = clone(frame);
      const [head, tail] = path.split('.') as [string, string | undefined];
      if (tail === undefined) delete copy[head];
      else if (isPlainObject(copy.data)) delete copy.data[tail];
      return copy;
    }),
  // an extra field, at the top or in data
  (frame) =>
    fc.tuple(fc.boolean(), trickyKey, fc.oneof(wrongValue, fc.constant('mallory'))).map(([top, key, value]) => {
      const copy = clone(frame);
      if (top || !isPlainObject(copy.data)) return withOwn(copy, key, value);
      withOwn(copy.data, key, value);
      return copy;
    }),
  // blank, over-long, or near-miss identifiers
  (frame) =>
    fc
      .oneof(
        fc.array(fc.constantFrom(...WHITESPACE), { minLength: 1, maxLength: 30 }).map((chars) => ({ message: chars.join('') })),
        fc.constant({ message: '' }),
        fc.constant({ message: 'y'.repeat(4001) }),
        fc.constant({ message: '\u{1F600}'.repeat(4001) }),
        fc.constant({ sessionId: 's'.repeat(129) }),
        fc.constantFrom('s p', 'sess#1', 'sess/1', 'sessi\u0130n', '\uff53\uff45\uff53\uff53', 'e\u0301', 'a\u0000b', '../etc').map((sessionId) => ({ sessionId })),
        fc.constant({ clientMessageId: 'c'.repeat(65) }),
        fc.constant({ after: '01ARZ3NDEKTSV4RRFFQ69G5FAI' }),
        fc.constantFrom(0, 101, 50.5, -5, '10').map((limit) => ({ limit })),
      )
      .map((fields) => {
        const copy = clone(frame);
        copy.data = { ...(isPlainObject(copy.data) ? copy.data : {}), ...fields };
        return copy;
      }),
  // an action that routes to $default: wrong case, reserved route keys, inherited names, not a string
  () =>
    fc
      .oneof(
        fc.constantFrom(
          'Chat_Message',
          'CHAT_MESSAGE',
          'chat_message ',
          'chat-message',
          '$default',
          '$connect',
          '$disconnect',
          'authorizer',
          '__proto__',
          'constructor',
          'toString',
          'sendmessage',
          '',
        ),
        fc.string({ maxLength: 30 }),
      )
      .chain((action) => fc.tuple(fc.constant(action), fc.jsonValue({ maxDepth: 2 })))
      .map(([action, data]) => ({ action, data })),
  () => fc.record({ action: wrongValue, data: fc.jsonValue({ maxDepth: 2 }) }),
];

const invalidFrameObject = validFrameObject.chain((frame) => fc.oneof(...mutations.map((mutate) => mutate(frame))));

/** Text that is not JSON, or JSON that is not an object. */
const notAnObject = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 100 }),
  fc.constantFrom(
    '',
    ' ',
    'null',
    'true',
    '42',
    '"chat_message"',
    '[]',
    '[{"action":"ping"}]',
    '{',
    '{"action":"ping"',
    "{'action':'ping'}",
    '{"action":"ping",}',
    '{"action":NaN}',
    '\ufeff{"action":"ping"}',
    '{"action":"ping"}\u0000',
    '{"action":"ping"} {"action":"ping"}',
    'undefined',
    '<xml/>',
  ),
  fc
    .jsonValue({ maxDepth: 3 })
    .filter((value) => !isPlainObject(value))
    .map((value) => JSON.stringify(value)),
  fc.integer({ min: 1, max: 5000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth)),
  fc.integer({ min: 1, max: 5000 }).map((depth) => '['.repeat(depth)),
  validFrameObject.chain((frame) => {
    const text = JSON.stringify(frame);
    return fc.integer({ min: 1, max: Math.max(1, text.length - 1) }).map((cut) => text.slice(0, cut));
  }),
);

/** Compact or pretty-printed; deep frames stay compact (indenting them grows quadratically). */
const serialise = (frame: Record<string, unknown>): fc.Arbitrary<string> =>
  fc.constantFrom(0, 0, 0, 2, '\t').map((indent) => {
    const compact = JSON.stringify(frame);
    return indent !== 0 && compact.length < 8_000 ? JSON.stringify(frame, null, indent) : compact;
  });

/**
 * Raw client frames: about a third valid, the rest broken in every way listed in issue 7. The oracle,
 * not the generator, decides what each one is, so a mutation that happens to stay valid is still
 * judged right.
 */
const clientFrame: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: validFrameObject.chain(serialise) },
  { weight: 4, arbitrary: invalidFrameObject.chain(serialise) },
  { weight: 2, arbitrary: notAnObject },
);

const describeExpected = (expected: Expected): string => (expected.kind === 'error' ? expected.code : expected.kind);

export type { Expected, RefusalCode, Route };
export { clientFrame, codePoints, describeExpected, expectedOutcome, routeOf, WHITESPACE };
