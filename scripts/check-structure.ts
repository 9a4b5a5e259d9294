/**
 * `npm run lint`'s structure check, what Biome cannot express: small files and functions in `src/`,
 * and no casts that switch the type checker off. Prints each offender as `file:line` and exits 1.
 *
 * - no `src/` file over 300 lines, no `src/` function over 60 lines (generated code excepted);
 * - no `as unknown as` or `as never` in `src/`;
 * - no `as any` in `test/`, `testkit/`, `bench/`, `scripts/`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const ROOT = join(import.meta.dirname, '..');
const MAX_FILE_LINES = 300;
const MAX_FUNCTION_LINES = 60;
/** Generated or not ours: never read. */
const SKIPPED = new Set(['node_modules', 'dist', 'test-artifacts', 'src/schemas/compiled', 'bench/results']);
const TYPESCRIPT = /\.(?:ts|mts|cts|tsx)$/;

interface Offence {
  file: string;
  line: number;
  problem: string;
}

interface Rules {
  /** The file and function length limits apply. */
  sized: boolean;
  /** The casts that must not appear here. */
  forbiddenCasts: ReadonlyArray<'as unknown as' | 'as never' | 'as any'>;
}

const RULES_BY_FOLDER: ReadonlyArray<[string, Rules]> = [
  ['src', { sized: true, forbiddenCasts: ['as unknown as', 'as never'] }],
  ['test', { sized: false, forbiddenCasts: ['as any'] }],
  ['testkit', { sized: false, forbiddenCasts: ['as any'] }],
  ['bench', { sized: false, forbiddenCasts: ['as any'] }],
  ['scripts', { sized: false, forbiddenCasts: ['as any'] }],
];

const typeScriptFiles = (folder: string): string[] => {
  const files: string[] = [];
  for (const entry of readdirSync(join(ROOT, folder), { withFileTypes: true })) {
    const path = `${folder}/${entry.name}`;
    if (SKIPPED.has(path) || SKIPPED.has(entry.name)) continue;
    if (entry.isDirectory()) files.push(...typeScriptFiles(path));
    else if (TYPESCRIPT.test(entry.name)) files.push(path);
  }
  return files;
};

/** The cast a node spells, if it is one of those the rules name. */
const castOf = (node: ts.Node): Rules['forbiddenCasts'][number] | undefined => {
  if (!ts.isAsExpression(node) && !ts.isTypeAssertionExpression(node)) return undefined;
  const kind = node.type.kind;
  if (kind === ts.SyntaxKind.AnyKeyword) return 'as any';
  if (kind === ts.SyntaxKind.NeverKeyword) return 'as never';
  const inner = node.expression;
  if ((ts.isAsExpression(inner) || ts.isTypeAssertionExpression(inner)) && inner.type.kind === ts.SyntaxKind.UnknownKeyword) return 'as unknown as';
  return undefined;
};

const functionName = (node: ts.SignatureDeclaration): string => {
  if (node.name) return node.name.getText();
  const parent = node.parent;
  if (parent && (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent))) return parent.name.getText();
  return '(anonymous function)';
};

const checkFile = (file: string, rules: Rules): Offence[] => {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const lineOf = (position: number) => source.getLineAndCharacterOfPosition(position).line + 1;
  const offences: Offence[] = [];
  const lines = text.split('\n').length;
  if (rules.sized && lines > MAX_FILE_LINES) offences.push({ file, line: 1, problem: `${lines} lines (at most ${MAX_FILE_LINES})` });
  const visit = (node: ts.Node): void => {
    const cast = castOf(node);
    if (cast && rules.forbiddenCasts.includes(cast)) offences.push({ file, line: lineOf(node.getStart()), problem: `\`${cast}\`` });
    if (rules.sized && ts.isFunctionLike(node) && 'body' in node && node.body) {
      const length = lineOf(node.end) - lineOf(node.getStart()) + 1;
      if (length > MAX_FUNCTION_LINES) {
        offences.push({ file, line: lineOf(node.getStart()), problem: `function ${functionName(node)} is ${length} lines (at most ${MAX_FUNCTION_LINES})` });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return offences;
};

const offences = RULES_BY_FOLDER.flatMap(([folder, rules]) => typeScriptFiles(folder).flatMap((file) => checkFile(file, rules)));
for (const { file, line, problem } of offences) console.log(`${relative(ROOT, join(ROOT, file))}:${line} ${problem}`);
if (offences.length > 0) {
  console.log(`\n${offences.length} structure problem(s).`);
  process.exit(1);
}
console.log('structure: every file and function within its limits, no forbidden casts');
