import { createHash } from 'node:crypto';
import { describe, isObject, isUnknown, unknown, type Value } from './values.ts';

/**
 * The Terraform functions the configuration uses outside variable validations (Terraform itself
 * checks those), with Terraform's semantics where it matters (sets and `keys` sorted, `flatten`
 * recursive). An unlisted function is an error, so an expression is never silently mis-evaluated.
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

const FUNCTIONS: Record<string, TfFunction> = {
  jsonencode: (value) => JSON.stringify(value),
  merge: (...args) => Object.assign({}, ...args.filter((a) => a !== null).map((a) => object(a, 'merge'))),
  concat: (...args) => args.flatMap((a) => list(a, 'concat')),
  flatten: (value) => {
    const flat = (v: Value): Value[] => (Array.isArray(v) ? v.flatMap(flat) : [v]);
    return flat(list(value, 'flatten'));
  },
  setproduct: (...args) => args.reduce<Value[][]>((acc, arg) => acc.flatMap((prefix) => list(arg, 'setproduct').map((v) => [...prefix, v])), [[]]),
  lower: (value) => text(value, 'lower').toLowerCase(),
  keys: (value) => Object.keys(object(value, 'keys')).sort(),
  values: (value) => {
    const o = object(value, 'values');
    return Object.keys(o)
      .sort()
      .map((k) => o[k] as Value);
  },
  tostring: (value) => (value === null || isUnknown(value) ? value : text(value, 'tostring')),
  tomap: (value) => object(value, 'tomap'),
  toset: (value) => sortedUnique(list(value, 'toset')),
  sort: (value) =>
    list(value, 'sort')
      .map((v) => text(v, 'sort'))
      .sort(),
  length: (value) => {
    known(value, 'length');
    if (typeof value === 'string') return [...value].length;
    if (Array.isArray(value)) return value.length;
    return Object.keys(object(value, 'length')).length;
  },
  join: (separator, value) =>
    list(value, 'join')
      .map((v) => (isUnknown(v) ? v : text(v, 'join')))
      .join(text(separator, 'join')),
  trimprefix: (value, prefix) => {
    const s = text(value, 'trimprefix');
    const p = text(prefix, 'trimprefix');
    return s.startsWith(p) ? s.slice(p.length) : s;
  },
  startswith: (value, prefix) => text(value, 'startswith').startsWith(text(prefix, 'startswith')),
  split: (separator, value) => text(value, 'split').split(text(separator, 'split')),
  contains: (collection, value) => list(collection, 'contains').some((item) => JSON.stringify(known(item, 'contains')) === JSON.stringify(known(value, 'contains'))),
  lookup: (collection, key, fallback) => {
    const o = object(collection, 'lookup');
    const name = text(key, 'lookup');
    return name in o ? (o[name] as Value) : fallback;
  },
  coalesce: (...args) => {
    const found = args.find((a) => a !== null && a !== '');
    if (found === undefined) throw new Error('coalesce: no non-null argument');
    return found;
  },
  floor: (value) => Math.floor(Number(known(value, 'floor'))),
  sha1: (value) => createHash('sha1').update(text(value, 'sha1')).digest('hex'),
  // The zip does not exist until `npm run build`; its hash is only known then.
  filebase64sha256: (path) => unknown(`filebase64sha256(${text(path, 'filebase64sha256')})`),
};

const callFunction = (name: string, args: Value[]): Value => {
  const fn = FUNCTIONS[name];
  if (!fn) throw new Error(`function ${name}() is not supported by the static evaluator`);
  return fn(...args);
};

export { callFunction };
