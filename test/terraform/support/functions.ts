import { createHash } from 'node:crypto';
import { type Value, describe, isObject, isUnknown, unknown } from './values.ts';

/**
 * The Terraform functions the configuration uses, with Terraform's semantics where it matters
 * (sets are sorted, `keys` is sorted, `flatten` is recursive). An unlisted function is an error, so
 * an expression is never silently mis-evaluated.
 */
type TfFunction = (...args: Value[]) => Value;

const list = (value: Value, name: string): Value[] => {
  if (!Array.isArray(value)) throw new Error(`${name}: expected a list, got ${describe(value)}`);
  return value;
};

const object = (value: Value, name: string): { [key: string]: Value } => {
  if (!isObject(value)) throw new Error(`${name}: expected an object, got ${describe(value)}`);
  return value;
};

const known = (value: Value, name: string): Value => {
  if (isUnknown(value)) throw new Error(`${name}: value ${value} is only known after apply`);
  return value;
};

const text = (value: Value, name: string): string => {
  known(value, name);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new Error(`${name}: expected a string, got ${describe(value)}`);
};

const sortedUnique = (values: Value[]): Value[] => {
  const unique = [...new Map(values.map((v) => [JSON.stringify(v), v])).values()];
  return unique.every((v) => typeof v === 'string') ? (unique as string[]).sort() : unique;
};

const hash = (algorithm: string) => (value: Value) => createHash(algorithm).update(text(value, algorithm)).digest('hex');

const FUNCTIONS: Record<string, TfFunction> = {
  jsonencode: (value) => JSON.stringify(value),
  jsondecode: (value) => JSON.parse(text(value, 'jsondecode')) as Value,
  merge: (...args) => Object.assign({}, ...args.filter((a) => a !== null).map((a) => object(a, 'merge'))),
  concat: (...args) => args.flatMap((a) => list(a, 'concat')),
  flatten: (value) => {
    const flat = (v: Value): Value[] => (Array.isArray(v) ? v.flatMap(flat) : [v]);
    return flat(list(value, 'flatten'));
  },
  setproduct: (...args) =>
    args.reduce<Value[][]>((acc, arg) => acc.flatMap((prefix) => list(arg, 'setproduct').map((v) => [...prefix, v])), [[]]),
  format: (spec, ...args) => {
    let index = 0;
    return text(spec, 'format').replace(/%[sdvq%]/g, (token) => {
      if (token === '%%') return '%';
      const arg = args[index++] ?? null;
      return token === '%q' ? JSON.stringify(text(arg, 'format')) : text(arg, 'format');
    });
  },
  lower: (value) => text(value, 'lower').toLowerCase(),
  upper: (value) => text(value, 'upper').toUpperCase(),
  keys: (value) => Object.keys(object(value, 'keys')).sort(),
  values: (value) => {
    const o = object(value, 'values');
    return Object.keys(o).sort().map((k) => o[k] as Value);
  },
  lookup: (map, key, fallback) => {
    const o = object(map, 'lookup');
    const k = text(key, 'lookup');
    if (k in o) return o[k] as Value;
    if (fallback === undefined) throw new Error(`lookup: no key ${k}`);
    return fallback;
  },
  tostring: (value) => (value === null || isUnknown(value) ? value : text(value, 'tostring')),
  tonumber: (value) => (value === null ? null : Number(text(value, 'tonumber'))),
  tomap: (value) => object(value, 'tomap'),
  tolist: (value) => list(value, 'tolist'),
  toset: (value) => sortedUnique(list(value, 'toset')),
  distinct: (value) => [...new Map(list(value, 'distinct').map((v) => [JSON.stringify(v), v])).values()],
  sort: (value) => list(value, 'sort').map((v) => text(v, 'sort')).sort(),
  compact: (value) => list(value, 'compact').filter((v) => v !== null && v !== ''),
  length: (value) => {
    known(value, 'length');
    if (typeof value === 'string') return [...value].length;
    if (Array.isArray(value)) return value.length;
    return Object.keys(object(value, 'length')).length;
  },
  join: (separator, value) => list(value, 'join').map((v) => (isUnknown(v) ? v : text(v, 'join'))).join(text(separator, 'join')),
  split: (separator, value) => text(value, 'split').split(text(separator, 'split')),
  replace: (value, search, replacement) => {
    const s = text(search, 'replace');
    const regex = s.length > 1 && s.startsWith('/') && s.endsWith('/') ? new RegExp(s.slice(1, -1), 'g') : undefined;
    const source = typeof value === 'string' ? value : text(value, 'replace');
    return regex ? source.replace(regex, text(replacement, 'replace')) : source.split(s).join(text(replacement, 'replace'));
  },
  trimprefix: (value, prefix) => {
    const s = text(value, 'trimprefix');
    const p = text(prefix, 'trimprefix');
    return s.startsWith(p) ? s.slice(p.length) : s;
  },
  trimsuffix: (value, suffix) => {
    const s = text(value, 'trimsuffix');
    const p = text(suffix, 'trimsuffix');
    return s.endsWith(p) ? s.slice(0, s.length - p.length) : s;
  },
  startswith: (value, prefix) => text(value, 'startswith').startsWith(text(prefix, 'startswith')),
  endswith: (value, suffix) => text(value, 'endswith').endsWith(text(suffix, 'endswith')),
  contains: (collection, value) => list(collection, 'contains').some((v) => JSON.stringify(v) === JSON.stringify(value)),
  coalesce: (...args) => {
    const found = args.find((a) => a !== null && a !== '');
    if (found === undefined) throw new Error('coalesce: no non-null argument');
    return found;
  },
  alltrue: (value) => {
    const items = list(value, 'alltrue');
    if (items.some((v) => v === false)) return false;
    return items.every((v) => v === true) ? true : unknown('alltrue');
  },
  anytrue: (value) => {
    const items = list(value, 'anytrue');
    if (items.some((v) => v === true)) return true;
    return items.every((v) => v === false) ? false : unknown('anytrue');
  },
  regex: (pattern, value) => {
    const match = new RegExp(text(pattern, 'regex')).exec(text(value, 'regex'));
    if (!match) throw new Error(`regex: no match for ${String(pattern)}`);
    return match.length > 1 ? match.slice(1).map((m) => m ?? null) : match[0];
  },
  floor: (value) => Math.floor(Number(known(value, 'floor'))),
  ceil: (value) => Math.ceil(Number(known(value, 'ceil'))),
  abs: (value) => Math.abs(Number(known(value, 'abs'))),
  min: (...args) => Math.min(...args.map((a) => Number(known(a, 'min')))),
  max: (...args) => Math.max(...args.map((a) => Number(known(a, 'max')))),
  sha1: hash('sha1'),
  sha256: hash('sha256'),
  md5: hash('md5'),
  // The zip does not exist until `npm run build`; its hash is only known then.
  filebase64sha256: (path) => unknown(`filebase64sha256(${text(path, 'filebase64sha256')})`),
};

/** Functions whose result depends on the content of a string known only after apply. */
const CONTENT_FUNCTIONS = new Set(['startswith', 'endswith', 'regex', 'contains', 'tonumber', 'length', 'jsondecode']);

const callFunction = (name: string, args: Value[]): Value => {
  const fn = FUNCTIONS[name];
  if (!fn) throw new Error(`function ${name}() is not supported by the static evaluator`);
  if (CONTENT_FUNCTIONS.has(name) && args.some((a) => typeof a === 'string' && a.includes('«'))) return unknown(`${name}()`);
  return fn(...args);
};

export { callFunction };
