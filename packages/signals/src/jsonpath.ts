// JSONPath for declared signals: checked once at catalog build, evaluated per request as its first match.
import { JSONPath } from 'jsonpath-plus';

/** The first value `path` matches in a JSON document, or `undefined`. */
export type FirstMatch = (json: unknown) => unknown;

/** Why a JSONPath does not parse; `offset` is where in the path, when one character is at fault. */
export interface JsonPathProblem {
  readonly message: string;
  readonly offset?: number;
}

/**
 * What is wrong with `path`, or `undefined` when it parses. jsonpath-plus itself accepts almost any
 * string (`$.a[` silently means `$.a`) and parses filter scripts only when it first runs them, so the
 * structure is checked here and each script is parsed now with the same safe-eval parser it will use.
 */
export function jsonPathProblem(path: string): JsonPathProblem | undefined {
  if (!path.startsWith('$')) return { message: 'must start with "$"', offset: 0 };
  const open: string[] = [];
  let lastBracket = -1;
  let quote: string | undefined;
  for (let i = 1; i < path.length; i++) {
    const c = path[i];
    if (quote) {
      if (c === quote) quote = undefined;
      continue;
    }
    if ((c === "'" || c === '"') && open.length > 0) quote = c;
    else if (c === '(') open.push(c);
    else if (c === '[') {
      open.push(c);
      lastBracket = i;
    } else if (c === ']' || c === ')') {
      const opener = c === ']' ? '[' : '(';
      if (open.pop() !== opener) return { message: `unexpected "${c}"`, offset: i };
      if (c === ']' && path.slice(lastBracket + 1, i).trim() === '') return { message: 'empty "[]"', offset: lastBracket };
    } else if (c === '.' && open.length === 0 && i === path.length - 1) return { message: 'ends with "."', offset: i };
  }
  if (quote) return { message: `unterminated ${quote} quote` };
  const unclosed = open.at(-1);
  if (unclosed) return { message: `unclosed "${unclosed}"` };
  return scriptProblem(path);
}

interface ScriptClass {
  new (code: string): unknown;
}

// The parser jsonpath-plus's default ('safe') eval compiles scripts with; not part of its typings.
const SafeScript = (JSONPath as unknown as { prototype?: { safeVm?: { Script?: ScriptClass } } }).prototype?.safeVm?.Script;

function scriptProblem(path: string): JsonPathProblem | undefined {
  if (!SafeScript) return undefined;
  for (const segment of JSONPath.toPathArray(path)) {
    const script = !segment.endsWith(')')
      ? undefined
      : segment.startsWith('?(')
        ? segment.slice(2, -1) // a filter: jsonpath-plus compiles what is inside ?( )
        : segment.startsWith('(')
          ? segment // a computed member: compiled with its parentheses
          : undefined;
    // Nested filters are split up by jsonpath-plus before it compiles them; leave those to it.
    if (script === undefined || script.includes('?(')) continue;
    try {
      new SafeScript(asEvaluated(script));
    } catch (err) {
      return { message: `invalid script "${script}": ${err instanceof Error ? err.message : String(err)}` };
    }
  }
  return undefined;
}

/** The rewrite jsonpath-plus applies to a script before compiling it (`@` names become sandbox variables). */
function asEvaluated(script: string): string {
  return script
    .replaceAll('@parentProperty', '_$_parentProperty')
    .replaceAll('@parent', '_$_parent')
    .replaceAll('@property', '_$_property')
    .replaceAll('@root', '_$_root')
    .replaceAll('@path', '_$_path')
    .replaceAll(/@([.\s)[])/gu, '_$_v$1');
}

const PLAIN_SEGMENT = /^(?:[A-Za-z_][A-Za-z0-9_]*|\d+)$/;

/**
 * The evaluator of a path that `jsonPathProblem` accepted. Plain member paths (`$.metadata.priority`),
 * the common case, are walked directly, as jsonpath-plus would (own properties only), without its machinery.
 */
export function firstMatch(path: string): FirstMatch {
  const segments = JSONPath.toPathArray(path);
  if (segments[0] === '$' && segments.slice(1).every((s) => PLAIN_SEGMENT.test(s))) {
    const keys = segments.slice(1);
    return function plainPath(json) {
      let node = json;
      for (const key of keys) {
        if (!node || !Object.hasOwn(node as object, key)) return undefined;
        node = (node as Record<string, unknown>)[key];
      }
      return node;
    };
  }
  return function jsonPath(json) {
    // wrap: true so that "first match" means the first result, not the first element of a lone array result.
    const matches = JSONPath({ path, json: json as object, wrap: true }) as unknown[];
    return matches[0];
  };
}
