/**
 * Terraform's version constraint syntax (comma-separated `=`, `!=`, `>`, `>=`, `<`, `<=`, `~>`),
 * enough to ask whether a constraint admits a release.
 */
const parts = (version: string): number[] => {
  const numbers = version.split('.').map(Number);
  if (numbers.some((n) => !Number.isInteger(n))) throw new Error(`not a version: ${version}`);
  return numbers;
};

const compare = (a: number[], b: number[]): number => {
  for (let i = 0; i < 3; i += 1) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
};

/** `~> 6.19` allows 6.x from 6.19; `~> 6.19.0` allows 6.19.x: the last given part may grow. */
const pessimistic = (version: number[], bound: number[]): boolean => {
  const upper = [...bound.slice(0, Math.max(bound.length - 2, 0)), (bound[Math.max(bound.length - 2, 0)] ?? 0) + 1];
  return compare(version, bound) >= 0 && compare(version, bound.length === 1 ? [(bound[0] ?? 0) + 1] : upper) < 0;
};

const admitsOne = (term: string, version: number[]): boolean => {
  const match = /^(>=|<=|!=|~>|>|<|=)?\s*(\d+(?:\.\d+){0,2})$/.exec(term.trim());
  if (!match) throw new Error(`unsupported version constraint: ${term}`);
  const bound = parts(match[2] as string);
  const order = compare(version, bound);
  switch (match[1] ?? '=') {
    case '>=':
      return order >= 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    case '<':
      return order < 0;
    case '!=':
      return order !== 0;
    case '~>':
      return pessimistic(version, bound);
    default:
      return order === 0;
  }
};

const admits = (constraint: string, version: string): boolean => constraint.split(',').every((term) => admitsOne(term, parts(version)));

export { admits };
