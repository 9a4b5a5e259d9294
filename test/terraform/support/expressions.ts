import './go-timers.ts';
import { getExpressionAst, type TFExpressionSyntaxTree } from '@cdktf/hcl2json';
import { callFunction } from './functions.ts';
import { containsUnknown, describe, isObject, isUnknown, Lazy, unknown, type Value } from './values.ts';

/**
 * Evaluates HCL expressions (as hcl2json leaves them: `"${...}"` strings) over the syntax tree
 * hcl2json builds. Names are resolved through a `Resolver`, so the same evaluator serves variables,
 * locals, module outputs and resource placeholders.
 */
type ExpressionType = TFExpressionSyntaxTree.ExpressionType;
type TerraformTraversalPart = TFExpressionSyntaxTree.TerraformTraversalPart;

interface Resolver {
  /** Resolves the first segment(s) of a scope traversal (`var`, `local`, `module`, a resource type...). */
  root(name: string, rest: TerraformTraversalPart[]): Promise<{ value: Value; consumed: number }>;
}

interface Scope {
  resolver: Resolver;
  bindings: ReadonlyMap<string, Value>;
}

interface Source {
  text: string;
  bytes: Buffer;
}

const astCache = new Map<string, Promise<ExpressionType | null>>();

const parseExpression = (text: string): Promise<ExpressionType | null> => {
  let cached = astCache.get(text);
  if (!cached) {
    cached = getExpressionAst('expression.tf', text);
    astCache.set(text, cached);
  }
  return cached;
};

/** Index just past the `}` closing an interpolation opened before `start`. */
const scanExpression = (text: string, start: number): number => {
  let depth = 1;
  let i = start;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      i = scanQuoted(text, i + 1);
      continue;
    }
    if (c === '{') depth += 1;
    if (c === '}') {
      depth -= 1;
      if (depth === 0) return i + 1;
    }
    i += 1;
  }
  throw new Error(`unterminated interpolation in ${text}`);
};

/** Index just past the closing quote of a string literal inside an expression. */
const scanQuoted = (text: string, start: number): number => {
  let i = start;
  while (i < text.length) {
    if (text[i] === '\\') i += 2;
    else if (text[i] === '"') return i + 1;
    else if (text.startsWith('$${', i) || text.startsWith('%%{', i)) i += 3;
    else if (text.startsWith('${', i) || text.startsWith('%{', i)) i = scanExpression(text, i + 2);
    else i += 1;
  }
  throw new Error(`unterminated string in ${text}`);
};

/** The inner expression when `text` is exactly one interpolation (`${...}`), else undefined. */
const singleInterpolation = (text: string): string | undefined => (text.startsWith('${') && scanExpression(text, 2) === text.length ? text.slice(2, -1) : undefined);

/** Re-quotes a template string hcl2json unquoted: escapes literal parts, keeps interpolations. */
const quoteTemplate = (text: string): string => {
  let out = '"';
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('$${', i) || text.startsWith('%%{', i)) {
      out += text.slice(i, i + 3);
      i += 3;
    } else if (text.startsWith('${', i) || text.startsWith('%{', i)) {
      const end = scanExpression(text, i + 2);
      out += text.slice(i, end);
      i = end;
    } else {
      const c = text[i] as string;
      out += c === '"' ? '\\"' : c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\t' ? '\\t' : c;
      i += 1;
    }
  }
  return `${out}"`;
};

/** hcl2json hands string literals over as written in the source: undo HCL's escapes. */
const unescapeLiteral = (raw: string): string =>
  raw.replace(/\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)|\$\$\{|%%\{/g, (match, escaped: string | undefined) => {
    if (match === '$${') return '${';
    if (match === '%%{') return '%{';
    const simple: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };
    if (escaped && escaped in simple) return simple[escaped] as string;
    if (escaped && /^[uU]/.test(escaped)) return String.fromCodePoint(parseInt(escaped.slice(1), 16));
    throw new Error(`invalid escape ${match} in "${raw}"`);
  });

const isExpression = (text: string): boolean => text.includes('${') || text.includes('%{');

const index = (collection: Value, key: Value, where: string): Promise<Value> | Value => {
  if (collection instanceof Lazy) return collection.get(String(key));
  if (isUnknown(collection)) {
    const inner = collection.slice(1, -1);
    return unknown(typeof key === 'number' ? `${inner}[${key}]` : `${inner}[${JSON.stringify(key)}]`);
  }
  if (Array.isArray(collection)) {
    const position = Number(key);
    if (!Number.isInteger(position) || position < 0 || position >= collection.length) {
      throw new Error(`${where}: index ${String(key)} out of range of ${describe(collection)}`);
    }
    return collection[position] as Value;
  }
  if (isObject(collection)) {
    const name = String(key);
    if (!(name in collection)) throw new Error(`${where}: no key ${JSON.stringify(name)} in ${describe(collection)}`);
    return collection[name] as Value;
  }
  throw new Error(`${where}: cannot index ${describe(collection)} with ${String(key)}`);
};

const attribute = (value: Value, name: string, where: string): Promise<Value> | Value => {
  if (isUnknown(value)) return unknown(`${value.slice(1, -1)}.${name}`);
  return index(value, name, where);
};

const applyTraversal = async (value: Value, parts: TerraformTraversalPart[], where: string): Promise<Value> => {
  let current = value;
  for (const part of parts) {
    current = part.type === 'indexTraversal' ? await index(current, JSON.parse(part.segment) as Value, where) : await attribute(current, part.segment, where);
  }
  return current;
};

const templatePart = (value: Value): string => {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new Error(`cannot interpolate ${describe(value)} into a string`);
};

const requireKnown = (value: Value, what: string): Value => {
  if (isUnknown(value)) throw new Error(`${what} depends on ${value}, known only after apply`);
  return value;
};

const compare = (operator: string, left: Value, right: Value): Value => {
  // Like Terraform: an operation on a value known only after apply is itself unknown.
  if (operator === 'logicalAnd' && (left === false || right === false)) return false;
  if (operator === 'logicalOr' && (left === true || right === true)) return true;
  if (containsUnknown(left) || containsUnknown(right)) return unknown(`(${operator} of values known after apply)`);
  switch (operator) {
    case 'equal':
      return JSON.stringify(requireKnown(left, 'comparison')) === JSON.stringify(requireKnown(right, 'comparison'));
    case 'notEqual':
      return JSON.stringify(requireKnown(left, 'comparison')) !== JSON.stringify(requireKnown(right, 'comparison'));
    case 'logicalAnd':
      return requireKnown(left, '&&') === true && requireKnown(right, '&&') === true;
    case 'logicalOr':
      return requireKnown(left, '||') === true || requireKnown(right, '||') === true;
    default: {
      const a = Number(requireKnown(left, operator));
      const b = Number(requireKnown(right, operator));
      const arithmetic: Record<string, () => Value> = {
        add: () => a + b,
        subtract: () => a - b,
        multiply: () => a * b,
        divide: () => a / b,
        modulo: () => a % b,
        lessThan: () => a < b,
        lessThanOrEqual: () => a <= b,
        greaterThan: () => a > b,
        greaterThanOrEqual: () => a >= b,
      };
      const fn = arithmetic[operator];
      if (!fn) throw new Error(`operator ${operator} is not supported`);
      return fn();
    }
  }
};

const iterate = async (collection: Value, where: string): Promise<Array<[Value, Value]>> => {
  if (Array.isArray(collection)) return collection.map((v, i) => [i, v]);
  if (isObject(collection))
    return Object.keys(collection)
      .sort()
      .map((k) => [k, collection[k] as Value]);
  if (collection instanceof Lazy) {
    const keys = await collection.keys();
    return Promise.all(keys.map(async (k): Promise<[Value, Value]> => [k, await collection.get(k)]));
  }
  throw new Error(`${where}: cannot iterate over ${describe(collection)}`);
};

const keyText = (node: ExpressionType, source: Source): string => source.bytes.subarray(node.range.start.byte, node.range.end.byte).toString('utf8');

const unwrap = (node: ExpressionType): ExpressionType => (node.type === ('' as string) && node.children.length === 1 ? unwrap(node.children[0] as ExpressionType) : node);

const evaluateNode = async (node: ExpressionType, source: Source, scope: Scope): Promise<Value> => {
  const child = (i: number): ExpressionType => {
    const c = node.children[i];
    if (!c) throw new Error(`malformed ${node.type} node in ${source.text}`);
    return c;
  };
  const evaluate = (n: ExpressionType, s: Scope = scope) => evaluateNode(n, source, s);
  switch (node.type) {
    case 'templateWrap':
      return evaluate(child(0));
    case 'template': {
      const parts = await Promise.all(node.children.map((c) => evaluate(c)));
      return parts.map(templatePart).join('');
    }
    case 'literalValue': {
      const { type, value } = node.meta;
      if (type === 'number') return Number(value);
      if (type === 'bool') return value === 'true';
      if (type === 'dynamic') return null;
      return unescapeLiteral(value);
    }
    case 'tuple':
      return Promise.all(node.children.map((c) => evaluate(c)));
    case 'object': {
      const result: Record<string, Value> = {};
      for (let i = 0; i < node.children.length; i += 2) {
        const keyNode = child(i);
        const key = keyNode.children.length === 0 ? keyText(keyNode, source) : templatePart(await evaluate(unwrap(keyNode)));
        result[key] = await evaluate(child(i + 1));
      }
      return result;
    }
    case 'for': {
      const meta = node.meta;
      let next = 1;
      const keyNode = meta.keyExpression ? child(next++) : undefined;
      const valueNode = child(next++);
      const conditionNode = meta.conditionalExpression ? child(next++) : undefined;
      const results: Array<[Value, Value]> = [];
      for (const [k, v] of await iterate(await evaluate(child(0)), source.text)) {
        const bindings = new Map(scope.bindings);
        if (meta.keyVar) bindings.set(meta.keyVar, k);
        bindings.set(meta.valVar, v);
        const inner = { ...scope, bindings };
        if (conditionNode && requireKnown(await evaluate(conditionNode, inner), 'for condition') !== true) continue;
        results.push([keyNode ? await evaluate(keyNode, inner) : null, await evaluate(valueNode, inner)]);
      }
      if (!keyNode) return results.map(([, v]) => v);
      const object: Record<string, Value> = {};
      for (const [k, v] of results) {
        const name = templatePart(k);
        if (meta.groupedValue) object[name] = [...((object[name] as Value[] | undefined) ?? []), v];
        else if (name in object) throw new Error(`duplicate key ${name} in ${meta.value}`);
        else object[name] = v;
      }
      return object;
    }
    case 'function': {
      const name = node.meta.name;
      const args = await Promise.all(node.children.map((c) => evaluate(c)));
      if (node.meta.expandedFinalArgument) {
        const last = args.pop();
        if (!Array.isArray(last)) throw new Error(`${name}(...): expanded argument is not a list`);
        args.push(...last);
      }
      return callFunction(name, args);
    }
    case 'scopeTraversal': {
      const [first, ...rest] = node.meta.traversal;
      if (!first) throw new Error(`empty traversal in ${source.text}`);
      if (scope.bindings.has(first.segment)) {
        return applyTraversal(scope.bindings.get(first.segment) as Value, rest, node.meta.value);
      }
      const { value, consumed } = await scope.resolver.root(first.segment, rest);
      return applyTraversal(value, rest.slice(consumed), node.meta.value);
    }
    case 'relativeTraversal':
      return applyTraversal(await evaluate(child(0)), node.meta.traversal, node.meta.value);
    case 'index':
      return index(await evaluate(child(0)), requireKnown(await evaluate(child(1)), 'index key'), node.meta.value);
    case 'splat': {
      const sourceValue = await evaluate(child(0));
      const each = node.children[1] as ExpressionType | undefined;
      const parts = each && each.type === 'relativeTraversal' ? each.meta.traversal : [];
      if (isUnknown(sourceValue)) return unknown(`${sourceValue.slice(1, -1)}[*]${parts.map((p) => `.${p.segment}`).join('')}`);
      const items = sourceValue === null ? [] : Array.isArray(sourceValue) ? sourceValue : [sourceValue];
      return Promise.all(items.map((item) => applyTraversal(item, parts, node.meta.value)));
    }
    case 'conditional': {
      const condition = requireKnown(await evaluate(child(0)), `condition of ${node.meta.value}`);
      if (typeof condition !== 'boolean') throw new Error(`condition ${node.meta.conditionExpression} is not a bool`);
      return evaluate(child(condition ? 1 : 2));
    }
    case 'binaryOp': {
      const left = await evaluate(child(0));
      // Short-circuit like Terraform's own evaluation of known values.
      if (node.meta.operator === 'logicalAnd' && left === false) return false;
      if (node.meta.operator === 'logicalOr' && left === true) return true;
      return compare(node.meta.operator, left, await evaluate(child(1)));
    }
    case 'unaryOp': {
      const value = await evaluate(child(0));
      if (isUnknown(value)) return unknown(`(${node.meta.operator} of a value known after apply)`);
      return node.meta.operator === 'logicalNot' ? !value : -Number(value);
    }
    default: {
      const other = node as { type: string; children: ExpressionType[] };
      if (other.type === '' && other.children.length === 1) return evaluate(other.children[0] as ExpressionType);
      throw new Error(`unsupported expression ${other.type} in ${source.text}`);
    }
  }
};

/** Evaluates one hcl2json leaf: a literal, or a string holding `${...}` template syntax. */
const evaluateString = async (text: string, scope: Scope): Promise<Value> => {
  if (!isExpression(text)) return text;
  const inner = singleInterpolation(text);
  const expression = inner ?? quoteTemplate(text);
  const ast = await parseExpression(expression);
  if (!ast) throw new Error(`cannot parse ${text}`);
  return evaluateNode(ast, { text: expression, bytes: Buffer.from(expression, 'utf8') }, scope);
};

/** Evaluates any hcl2json value (nested objects and lists included). */
const evaluateJson = async (json: unknown, scope: Scope): Promise<Value> => {
  if (typeof json === 'string') return evaluateString(json, scope);
  if (Array.isArray(json)) return Promise.all(json.map((item) => evaluateJson(item, scope)));
  if (json && typeof json === 'object') {
    const result: Record<string, Value> = {};
    for (const [key, value] of Object.entries(json)) result[key] = await evaluateJson(value, scope);
    return result;
  }
  return json as Value;
};

export type { Resolver, Scope };
export { evaluateJson, evaluateString, isExpression, iterate, singleInterpolation };
