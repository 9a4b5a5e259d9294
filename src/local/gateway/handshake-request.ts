import type { IncomingMessage } from 'node:http';
import type { UpgradeRequestFacts } from './events.ts';
import { traceId } from './ids.ts';

/** Why an upgrade request cannot become a WebSocket: the status and the extra response headers. */
interface UpgradeProblem {
  status: number;
  headers?: string[];
}

/** ws 8's Sec-WebSocket-Key rule: 16 bytes in base64. */
const KEY = /^[+/0-9A-Za-z]{22}==$/;
/** RFC 7230 tokens separated by commas with optional spaces or tabs around them, as ws parses them. */
const TOKEN = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]+";
const PROTOCOL_LIST = new RegExp(`^${TOKEN}(?:[ \\t]*,[ \\t]*${TOKEN})*$`);

const hasValidProtocols = (header: string): boolean => {
  if (!PROTOCOL_LIST.test(header)) return false;
  const names = header.split(',').map((name) => name.trim());
  return new Set(names).size === names.length;
};

/**
 * The checks ws's `handleUpgrade` makes, made before the authorizer and `$connect` run: a request ws
 * would refuse after `$connect` accepted it would leave a registered connection that never opens.
 * Statuses are ws's own (405 for the method, 400 otherwise).
 */
const upgradeProblem = (req: IncomingMessage): UpgradeProblem | undefined => {
  if (req.method !== 'GET') return { status: 405 };
  if (req.headers.upgrade?.toLowerCase() !== 'websocket') return { status: 400 };
  const key = req.headers['sec-websocket-key'];
  if (key === undefined || !KEY.test(key)) return { status: 400 };
  const version = Number(req.headers['sec-websocket-version']);
  if (version !== 13 && version !== 8) return { status: 400, headers: ['Sec-WebSocket-Version: 13, 8'] };
  const protocols = req.headers['sec-websocket-protocol'];
  if (protocols !== undefined && !hasValidProtocols(protocols)) return { status: 400 };
  return undefined;
};

/** Name → values, in the order the client sent them, on a Map: client names such as `__proto__` are plain keys. */
const collect = (pairs: Iterable<[string, string]>): Map<string, string[]> => {
  const values = new Map<string, string[]>();
  for (const [name, value] of pairs) {
    const list = values.get(name);
    if (list) list.push(value);
    else values.set(name, [value]);
  }
  return values;
};

const headerPairs = function* (rawHeaders: string[]): Generator<[string, string]> {
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) yield [rawHeaders[index] as string, rawHeaders[index + 1] as string];
};

/** Object.fromEntries defines own properties, so `__proto__` or `constructor` from a client stays data. */
const lastValues = (values: Map<string, string[]>): Record<string, string> => Object.fromEntries([...values].map(([name, list]) => [name, list.at(-1) as string]));

/** Headers as API Gateway passes them: original casing, last value wins, plus its forwarding headers. */
const upgradeRequestFacts = (req: IncomingMessage, sourceIp: string, nowMs: number): UpgradeRequestFacts => {
  const multiValueHeaders = collect(headerPairs(req.rawHeaders));
  const added: Array<[string, string]> = [
    ['X-Amzn-Trace-Id', traceId(nowMs)],
    ['X-Forwarded-For', sourceIp],
    ['X-Forwarded-Port', String(req.socket.localPort ?? '')],
    ['X-Forwarded-Proto', 'http'],
  ];
  for (const [name, value] of added) multiValueHeaders.set(name, [value]);
  const query = collect(new URL(req.url ?? '/', 'http://localhost').searchParams);
  return {
    headers: lastValues(multiValueHeaders),
    multiValueHeaders: Object.fromEntries(multiValueHeaders),
    queryStringParameters: query.size > 0 ? lastValues(query) : null,
    multiValueQueryStringParameters: query.size > 0 ? Object.fromEntries(query) : null,
  };
};

/** A header of a function's result by name, case-insensitively; only own entries count. */
const resultHeader = (headers: unknown, name: string): string | undefined => {
  if (!headers || typeof headers !== 'object') return undefined;
  const entry = Object.entries(headers as Record<string, unknown>).find(([key]) => key.toLowerCase() === name);
  return typeof entry?.[1] === 'string' ? entry[1] : undefined;
};

export type { UpgradeProblem };
export { resultHeader, upgradeProblem, upgradeRequestFacts };
