// A policy test file (`switchyard test --policy FILE TESTS.yaml`): cases of requests and what the policy must
// do with them, checked for shape before any runs, each problem with its file:line:column.
import { readFile } from 'node:fs/promises';
import { isObject, PolicyError, PolicySource, type PolicyPath, type PolicyProblem } from '@switchyard/core';
import { LineCounter, parseDocument } from 'yaml';

/** What a case may expect, each compared with what explain found. */
export const EXPECT_FIELDS = [
  'route',
  'rule',
  'model',
  'provider',
  'owner',
  'status',
  'code',
  'served',
  'error_model',
  'fallback_reason',
  'attempts',
  'workflow',
  'transition',
  'escalate',
] as const;

export type ExpectField = (typeof EXPECT_FIELDS)[number];

/** Expected values: names and codes as strings (`null`: none), `status` and `attempts` as integers, `escalate` true or false. */
export type Expectations = Partial<Readonly<Record<ExpectField, string | number | boolean | null>>>;

/** One case: a request, how it is sent, and what the policy must do with it. */
export interface PolicyTestCase {
  readonly name: string;
  /** Where it is written, for reports. */
  readonly line: number;
  readonly request: Readonly<Record<string, unknown>>;
  /** Below `/v1`; default `/chat/completions`. */
  readonly path?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** A client key's name, its secret's env var, or the secret. */
  readonly key?: string;
  readonly given?: Readonly<Record<string, string | number | boolean>>;
  /** Scripted upstream outcomes by model ID (checked against the policy when the case runs). */
  readonly upstream?: Readonly<Record<string, unknown>>;
  readonly expect: Expectations;
}

export interface PolicyTestSuite {
  readonly file: string;
  readonly cases: readonly PolicyTestCase[];
}

const CASE_KEYS = new Set(['name', 'request', 'path', 'headers', 'key', 'given', 'upstream', 'expect']);
const INTEGER_FIELDS: ReadonlySet<ExpectField> = new Set(['status', 'attempts']);
const BOOLEAN_FIELDS: ReadonlySet<ExpectField> = new Set(['escalate']);

/** Reads and checks a test file. Throws PolicyError listing every problem with its position. */
export async function loadPolicyTests(file: string): Promise<PolicyTestSuite> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read test file ${file}: ${(err as Error).message}`, { cause: err });
  }
  return parsePolicyTests(text, file);
}

/** Checks a test file's text; `file` names it in problems. Throws PolicyError listing every problem. */
export function parsePolicyTests(text: string, file: string): PolicyTestSuite {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new PolicyError(
      doc.errors.map((e) => {
        const { line, col } = lines.linePos(e.pos[0]);
        return { file, line, column: col, message: `YAML: ${e.message.split('\n')[0]}` };
      }),
    );
  }
  const source = new PolicySource(file, doc, lines, text);
  const problems: PolicyProblem[] = [];
  const problem = (path: PolicyPath, message: string, key?: string) =>
    problems.push({ file, ...source.locate(path, { key }), message });
  const root: unknown = doc.toJS();
  const cases: PolicyTestCase[] = [];
  if (!isObject(root) || !Array.isArray(root.cases)) {
    problem([], 'a test file needs `cases:`, a list of { name, request, expect }');
    throw new PolicyError(problems);
  }
  for (const key of Object.keys(root))
    if (key !== 'cases') problem([], `unknown key "${key}" (a test file has only cases:)`, key);
  const names = new Set<string>();
  root.cases.forEach((raw: unknown, i: number) => {
    const found = testCase(raw, ['cases', i], problem);
    if (!found) return;
    if (names.has(found.name)) problem(['cases', i, 'name'], `two cases are named "${found.name}"`);
    names.add(found.name);
    cases.push({ ...found, line: source.locate(['cases', i]).line });
  });
  if (root.cases.length === 0) problem(['cases'], 'no cases');
  if (problems.length > 0) throw new PolicyError(problems.sort((a, b) => a.line - b.line || a.column - b.column));
  return { file, cases };
}

type Problem = (path: PolicyPath, message: string, key?: string) => void;

function testCase(raw: unknown, at: PolicyPath, problem: Problem): Omit<PolicyTestCase, 'line'> | undefined {
  if (!isObject(raw)) {
    problem(at, 'a case is a map: { name, request, expect }');
    return undefined;
  }
  for (const key of Object.keys(raw)) {
    if (!CASE_KEYS.has(key)) problem(at, `unknown key "${key}" (a case has ${[...CASE_KEYS].join(', ')})`, key);
  }
  const { name, request, path, headers, key, given, upstream, expect } = raw;
  let ok = true;
  const fail = (field: string, message: string) => {
    problem(raw[field] === undefined ? at : [...at, field], message);
    ok = false;
  };
  if (typeof name !== 'string' || name === '') fail('name', 'a case needs a name');
  if (!isObject(request)) fail('request', 'a case needs `request:`, the body a client sends (an object with a model)');
  if (path !== undefined && typeof path !== 'string') fail('path', '`path:` is where the request is sent, e.g. /messages');
  if (key !== undefined && typeof key !== 'string')
    fail('key', "`key:` names a client key: its name, its secret's env var, or the secret");
  if (headers !== undefined && !isScalarMap(headers)) fail('headers', '`headers:` maps header names to values');
  if (given !== undefined && !isScalarMap(given)) fail('given', '`given:` maps signal names to values');
  if (upstream !== undefined && !isObject(upstream)) fail('upstream', '`upstream:` maps model IDs to lists of outcomes');
  const expectations = checkExpect(expect, [...at, 'expect'], problem);
  if (!expectations) ok = false;
  if (!ok) return undefined;
  return {
    name: name as string,
    request: request as Record<string, unknown>,
    path: path as string | undefined,
    headers: isObject(headers) ? Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, String(v)])) : undefined,
    key: key as string | undefined,
    given: given as PolicyTestCase['given'],
    upstream: upstream as PolicyTestCase['upstream'],
    expect: expectations!,
  };
}

function checkExpect(expect: unknown, at: PolicyPath, problem: Problem): Expectations | undefined {
  if (!isObject(expect) || Object.keys(expect).length === 0) {
    problem(at, `a case needs \`expect:\` with at least one of ${EXPECT_FIELDS.join(', ')}`);
    return undefined;
  }
  let ok = true;
  for (const [field, value] of Object.entries(expect)) {
    if (!(EXPECT_FIELDS as readonly string[]).includes(field)) {
      problem(at, `expect: unknown field "${field}" (fields: ${EXPECT_FIELDS.join(', ')})`, field);
      ok = false;
    } else if (!fits(field as ExpectField, value)) {
      const what = INTEGER_FIELDS.has(field as ExpectField)
        ? 'a whole number'
        : BOOLEAN_FIELDS.has(field as ExpectField)
          ? 'true or false'
          : 'a name or null';
      problem([...at, field], `expect.${field} must be ${what}`);
      ok = false;
    }
  }
  return ok ? (expect as Expectations) : undefined;
}

function fits(field: ExpectField, value: unknown): boolean {
  if (INTEGER_FIELDS.has(field)) return Number.isInteger(value);
  if (BOOLEAN_FIELDS.has(field)) return typeof value === 'boolean';
  return value === null || typeof value === 'string';
}

function isScalarMap(value: unknown): boolean {
  return isObject(value) && Object.values(value).every((v) => ['string', 'number', 'boolean'].includes(typeof v));
}
