// JSONPath text → segments, once per policy load. The subset declared signals accept; everything else is refused.
import { type Expr, isExprProblem, parseExpr } from './jsonpath-filter.js';

/** What one selector picks from a node. */
export type Selector =
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'wildcard' }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'slice'; readonly start?: number; readonly end?: number; readonly step: number }
  | { readonly kind: 'filter'; readonly test: Expr }
  | { readonly kind: 'script'; readonly key: Expr };

/** One step of a path: its selectors (several for a union `[0,2]`), applied to the node or, after `..`, to it and every descendant. */
export interface Segment {
  readonly descendant: boolean;
  readonly selectors: readonly Selector[];
}

/** Why a path does not parse; `offset` is into the path, when one character is at fault. */
export interface PathProblem {
  readonly message: string;
  readonly offset?: number;
}

// Characters a dot-notation name may not hold: structure, and jsonpath-plus's own operators (^ parent, ~ name, @).
const NAME_STOP = /[.[\]()'"\s^~@?]/;
const SLICE = /^(-?\d+)?:(-?\d+)?(?::(-?\d+)?)?$/;
const INDEX = /^-?\d+$/;

/** `path` (which must start with `$`) as segments, or the first problem in it. */
export function parsePath(path: string): Segment[] | PathProblem {
  if (!path.startsWith('$')) return { message: 'must start with "$"', offset: 0 };
  const segments: Segment[] = [];
  let i = 1;
  while (i < path.length) {
    let descendant = false;
    if (path.startsWith('..', i)) {
      descendant = true;
      i += 2;
    } else if (path[i] === '.') {
      i += 1;
    } else if (path[i] !== '[') {
      return { message: `unexpected "${path[i]}"`, offset: i };
    }
    if (path[i] === '[') {
      const close = closingBracket(path, i);
      if (close < 0) return { message: 'unclosed "["', offset: i };
      const selectors = bracketSelectors(path.slice(i + 1, close), i + 1);
      if (!Array.isArray(selectors)) return selectors;
      segments.push({ descendant, selectors });
      i = close + 1;
    } else {
      let end = i;
      while (end < path.length && !NAME_STOP.test(path[end] as string)) end++;
      const name = path.slice(i, end);
      if (name === '') return { message: end < path.length ? `unexpected "${path[end]}"` : 'ends with "."', offset: end };
      if (name.includes('*') && name !== '*') return { message: '"*" must stand alone', offset: i };
      segments.push({ descendant, selectors: [name === '*' ? { kind: 'wildcard' } : { kind: 'name', name }] });
      i = end;
    }
  }
  return segments;
}

/** Whether `parsePath`'s result is a problem. */
export function isPathProblem(result: Segment[] | PathProblem): result is PathProblem {
  return !Array.isArray(result);
}

/** The index of the `]` closing the `[` at `open`, skipping quoted text and nested brackets; -1 if none. */
function closingBracket(path: string, open: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = open; i < path.length; i++) {
    const c = path[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '[' || c === '(') depth++;
    else if (c === ']' || c === ')') {
      depth--;
      if (depth === 0) return c === ']' ? i : -1;
    }
  }
  return -1;
}

/** The selectors inside one `[…]`, whose text starts at `offset` in the path. */
function bracketSelectors(inner: string, offset: number): Selector[] | PathProblem {
  const text = inner.trim();
  const at = offset + inner.indexOf(text.charAt(0));
  if (text === '') return { message: 'empty "[]"', offset: offset - 1 };
  if (text.startsWith('?')) {
    const body = text.slice(1).trim();
    // `?(…)` as jsonpath-plus writes filters; RFC 9535's `?…` without parentheses is read the same way.
    const test = expression(body.startsWith('(') && body.endsWith(')') ? body.slice(1, -1) : body);
    return 'message' in test ? test : [{ kind: 'filter', test }];
  }
  if (text.startsWith('(')) {
    const key = expression(text);
    return 'message' in key ? key : [{ kind: 'script', key }];
  }
  const selectors: Selector[] = [];
  let start = 0;
  for (const item of splitUnion(text)) {
    const selector = unionItem(item.trim());
    if (!selector) return { message: `invalid selector "${item.trim()}"`, offset: at + start };
    selectors.push(selector);
    start += item.length + 1;
  }
  return selectors;
}

/** A filter or script, parsed; a problem quotes the script and says where in it (not in the path). */
function expression(source: string): Expr | PathProblem {
  const expr = parseExpr(source);
  if (!isExprProblem(expr)) return expr;
  return { message: `invalid script "${source.trim()}": ${expr.message}` };
}

function unionItem(item: string): Selector | undefined {
  if (item === '*') return { kind: 'wildcard' };
  const quote = item[0];
  if ((quote === "'" || quote === '"') && item.length >= 2 && item.endsWith(quote)) {
    return { kind: 'name', name: item.slice(1, -1).replace(/\\(.)/g, '$1') };
  }
  if (INDEX.test(item)) return { kind: 'index', index: Number(item) };
  const slice = SLICE.exec(item);
  if (slice) {
    const [, start, end, step] = slice;
    const stepValue = step === undefined ? 1 : Number(step);
    if (stepValue === 0) return undefined;
    return {
      kind: 'slice',
      step: stepValue,
      ...(start === undefined ? {} : { start: Number(start) }),
      ...(end === undefined ? {} : { end: Number(end) }),
    };
  }
  // jsonpath-plus reads a bare word in brackets as a member name: `$[metadata]`.
  if (item !== '' && !/[\s'"*?()@]/.test(item)) return { kind: 'name', name: item };
  return undefined;
}

/** Splits a union at its top-level commas, leaving quoted commas alone. */
function splitUnion(text: string): string[] {
  const items: string[] = [];
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === ',') {
      items.push(text.slice(start, i));
      start = i + 1;
    }
  }
  items.push(text.slice(start));
  return items;
}
