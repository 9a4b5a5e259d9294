/**
 * Values of the static evaluator. What only `terraform apply` knows (a resource's arn, a data
 * source's region) is a placeholder string `«address.attribute»`, so templates, jsonencode and
 * comparisons with expected addresses keep working on it.
 */
class Lazy {
  public readonly label: string;
  private readonly getter: (key: string) => Promise<Value>;
  private readonly lister: (() => Promise<string[]>) | undefined;

  public constructor(label: string, getter: (key: string) => Promise<Value>, lister?: () => Promise<string[]>) {
    this.label = label;
    this.getter = getter;
    this.lister = lister;
  }

  public get(key: string): Promise<Value> {
    return this.getter(key);
  }

  public async keys(): Promise<string[]> {
    if (!this.lister) throw new Error(`${this.label} cannot be iterated`);
    return this.lister();
  }
}

type Value = null | boolean | number | string | Value[] | { [key: string]: Value } | Lazy;

const OPEN = '«';
const CLOSE = '»';

const unknown = (address: string): string => `${OPEN}${address}${CLOSE}`;

const isUnknown = (value: Value): value is string => typeof value === 'string' && value.startsWith(OPEN) && value.endsWith(CLOSE) && value.indexOf(CLOSE) === value.length - 1;

const containsUnknown = (value: Value): boolean => {
  if (typeof value === 'string') return value.includes(OPEN);
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (value instanceof Lazy) return true;
  if (value && typeof value === 'object') return Object.values(value).some(containsUnknown);
  return false;
};

const isObject = (value: Value): value is { [key: string]: Value } => value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Lazy);

const describe = (value: Value): string => {
  if (value instanceof Lazy) return value.label;
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

export type { Value };
export { containsUnknown, describe, isObject, isUnknown, Lazy, unknown };
