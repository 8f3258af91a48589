// JSONPath for declared signals: checked once at catalog build, evaluated per request as its first match, bounded.
import { member } from './jsonpath-filter.js';
import { isPathProblem, parsePath } from './jsonpath-syntax.js';
import { firstOf, type JsonPathLimits, type JsonPathResult } from './jsonpath-walk.js';

export type { JsonPathLimits, JsonPathResult } from './jsonpath-walk.js';

/** The first value a path selects in a JSON document, whether there is none, or why the search stopped. */
export type FirstMatch = (json: unknown) => JsonPathResult;

/** Why a JSONPath does not parse; `offset` is where in the path, when one character is at fault. */
export interface JsonPathProblem {
  readonly message: string;
  readonly offset?: number;
}

/**
 * What is wrong with `path`, or `undefined` when it parses: the bracket structure first (with the position
 * of the offending character), then the segments, filters and scripts as `firstMatch` evaluates them.
 * Filters and scripts are a small expression language (comparisons, `&&`, `||`, `!`, `+`, `-`, `@`/`$`
 * member paths, literals): no function or method calls, so no regular expression can run in one.
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
  const parsed = parsePath(path);
  return isPathProblem(parsed) ? parsed : undefined;
}

/**
 * The bounds `firstMatch` uses unless told otherwise. 10,000 nodes is many times a real chat request (a
 * 50-message conversation with tools is a few hundred nodes) and costs well under a millisecond to walk;
 * a body built to be walked (megabytes of small objects) costs no more. Depth 64 is far beyond real
 * request bodies (JSON schemas of tools nest about 10 deep) and stops pathological nesting early.
 */
export const DEFAULT_JSONPATH_LIMITS: JsonPathLimits = Object.freeze({ maxNodes: 10_000, maxDepth: 64 });

const PLAIN_SEGMENT = /^(?:[A-Za-z_][A-Za-z0-9_]*|\d+)$/;

/**
 * The evaluator of a path that `jsonPathProblem` accepted: the first value the path selects, in document
 * order, within `limits`. Plain member paths (`$.metadata.priority`), the common case, are walked
 * directly and never look at anything else; any other path walks only as far as its segments ask
 * (`..` only where it is written), stops at its first match, and stops with a reason after
 * `limits.maxNodes` nodes or below `limits.maxDepth`. Never throws for any document.
 * @throws TypeError when `path` does not parse (call `jsonPathProblem` first).
 */
export function firstMatch(path: string, limits: JsonPathLimits = DEFAULT_JSONPATH_LIMITS): FirstMatch {
  const segments = parsePath(path);
  if (isPathProblem(segments)) throw new TypeError(`JSONPath ${JSON.stringify(path)} does not parse: ${segments.message}`);
  const keys = plainKeys(path);
  if (keys) {
    return function plainPath(json) {
      let node = json;
      for (const key of keys) {
        node = member(node, key);
        if (node === undefined) return { kind: 'missing', visited: 0 };
      }
      return { kind: 'found', value: node, visited: 0 };
    };
  }
  return function jsonPath(json) {
    return firstOf(segments, json, limits);
  };
}

/** The member names of `$.a.b.0` (dots and plain names only), or `undefined` for any other path. */
function plainKeys(path: string): string[] | undefined {
  const keys = path.split('.').slice(1);
  return path.startsWith('$.') && keys.every((k) => PLAIN_SEGMENT.test(k)) ? keys : path === '$' ? [] : undefined;
}
