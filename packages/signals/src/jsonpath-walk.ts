// Evaluates parsed JSONPath segments to their first match, in document order, within a node budget and a depth limit.
import { evaluateExpr, member } from './jsonpath-filter.js';
import type { Segment, Selector } from './jsonpath-syntax.js';

/** Bounds on one evaluation of a path against one document. */
export interface JsonPathLimits {
  /** Most nodes one evaluation may visit (each node a selector or `..` looks at counts once). */
  readonly maxNodes: number;
  /** Deepest nesting an evaluation may reach (the root is depth 0). */
  readonly maxDepth: number;
}

/** What evaluating a path found. `visited` is how many nodes it looked at, never more than `maxNodes`. */
export type JsonPathResult =
  | { readonly kind: 'found'; readonly value: unknown; readonly visited: number }
  | { readonly kind: 'missing'; readonly visited: number }
  | { readonly kind: 'stopped'; readonly reason: string; readonly visited: number };

/** Raised inside the walk when a limit is reached; `firstOf` turns it into a `stopped` result. */
class LimitReached extends Error {}

/** The first node `segments` select in `root`, stopping at the first match or at a limit. */
export function firstOf(segments: readonly Segment[], root: unknown, limits: JsonPathLimits): JsonPathResult {
  const walk = new Walk(segments, root, limits);
  try {
    return walk.from(root, 0, 0)
      ? { kind: 'found', value: walk.value, visited: walk.visited }
      : { kind: 'missing', visited: walk.visited };
  } catch (err) {
    if (!(err instanceof LimitReached)) throw err;
    return { kind: 'stopped', reason: err.message, visited: walk.visited };
  }
}

class Walk {
  visited = 0;
  value: unknown;

  constructor(
    private readonly segments: readonly Segment[],
    private readonly root: unknown,
    private readonly limits: JsonPathLimits,
  ) {}

  /** Counts one node at `depth`; throws `LimitReached` past a limit. */
  private visit(depth: number): void {
    if (this.visited >= this.limits.maxNodes) throw new LimitReached(`JSONPath stopped after ${this.limits.maxNodes} nodes`);
    if (depth > this.limits.maxDepth) throw new LimitReached(`JSONPath stopped at depth ${this.limits.maxDepth}`);
    this.visited++;
  }

  /** Whether segments `[i…]` match anything from `node` (at `depth`); the first match is left in `value`. */
  from(node: unknown, i: number, depth: number): boolean {
    const segment = this.segments[i];
    if (!segment) {
      this.value = node;
      return true;
    }
    if (!segment.descendant) return this.select(segment.selectors, node, depth, i + 1);
    // `..`: the node itself, then every descendant in document order. Like jsonpath-plus, the selectors
    // apply to the node itself whatever it is, and to descendants that are objects or arrays. An explicit
    // stack, so no nesting can overflow the call stack; each frame takes its children one at a time.
    if (this.select(segment.selectors, node, depth, i + 1)) return true;
    const stack: Frame[] = isContainer(node) ? [frameOf(node, depth)] : [];
    for (;;) {
      let frame = stack.at(-1);
      while (frame && frame.next >= frame.length) {
        stack.pop();
        frame = stack.at(-1);
      }
      if (!frame) return false;
      const child = childAt(frame, frame.next++);
      this.visit(frame.depth + 1);
      if (isContainer(child)) {
        if (this.select(segment.selectors, child, frame.depth + 1, i + 1)) return true;
        stack.push(frameOf(child, frame.depth + 1));
      }
    }
  }

  /** Applies `selectors` to `node` in order; for each node selected, tries the rest of the path (segment `rest`). */
  private select(selectors: readonly Selector[], node: unknown, depth: number, rest: number): boolean {
    for (const selector of selectors) {
      if (this.selectOne(selector, node, depth + 1, rest)) return true;
    }
    return false;
  }

  /** Whether the rest of the path matches from one of the nodes `selector` picks from `node`, tried in order. */
  private selectOne(selector: Selector, node: unknown, childDepth: number, rest: number): boolean {
    switch (selector.kind) {
      case 'name':
        return this.tryChild(member(node, selector.name), childDepth, rest);
      case 'index': {
        const index = Array.isArray(node) && selector.index < 0 ? node.length + selector.index : selector.index;
        return index >= 0 && this.tryChild(member(node, index), childDepth, rest);
      }
      case 'slice':
        if (!Array.isArray(node)) return false;
        for (const i of sliceIndexes(node.length, selector)) if (this.tryChild(node[i], childDepth, rest)) return true;
        return false;
      case 'wildcard':
      case 'filter': {
        if (!isContainer(node)) return false;
        const test = selector.kind === 'filter' ? selector.test : undefined;
        const keys = Array.isArray(node) ? undefined : Object.keys(node);
        const length = keys ? keys.length : (node as unknown[]).length;
        for (let i = 0; i < length; i++) {
          const child = keys ? (node as Record<string, unknown>)[keys[i] as string] : (node as unknown[])[i];
          if (test) {
            this.visit(childDepth); // a filter counts every child it tests, selected or not
            if (evaluateExpr(test, child, this.root) && this.from(child, rest, childDepth)) return true;
          } else if (this.tryChild(child, childDepth, rest)) {
            return true;
          }
        }
        return false;
      }
      case 'script': {
        const key = evaluateExpr(selector.key, node, this.root);
        const usable = typeof key === 'string' || (typeof key === 'number' && Number.isInteger(key));
        return usable && this.tryChild(member(node, key as string | number), childDepth, rest);
      }
    }
  }

  /** Counts `child` (when there is one: `undefined` is a missing member) and tries the rest of the path from it. */
  private tryChild(child: unknown, depth: number, rest: number): boolean {
    if (child === undefined) return false;
    this.visit(depth);
    return this.from(child, rest, depth);
  }
}

type Container = Record<string, unknown> | unknown[];

function isContainer(node: unknown): node is Container {
  return typeof node === 'object' && node !== null;
}

/** Where a `..` walk is in one container: its keys (for an object) and the next child to take. */
interface Frame {
  readonly node: Container;
  readonly keys: readonly string[] | undefined;
  readonly length: number;
  readonly depth: number;
  next: number;
}

function frameOf(node: Container, depth: number): Frame {
  const keys = Array.isArray(node) ? undefined : Object.keys(node);
  return { node, keys, length: keys ? keys.length : (node as unknown[]).length, depth, next: 0 };
}

function childAt(frame: Frame, i: number): unknown {
  return frame.keys ? (frame.node as Record<string, unknown>)[frame.keys[i] as string] : (frame.node as unknown[])[i];
}

/** The indexes a slice selects, lazily (RFC 9535: negative bounds count from the end, a negative step walks back). */
function* sliceIndexes(n: number, { start, end, step }: Extract<Selector, { kind: 'slice' }>): Generator<number> {
  const clamp = (v: number, low: number, high: number) => Math.min(Math.max(v < 0 ? n + v : v, low), high);
  if (step > 0) {
    for (let i = clamp(start ?? 0, 0, n), stop = clamp(end ?? n, 0, n); i < stop; i += step) yield i;
  } else {
    const stop = end === undefined ? -1 : clamp(end, -1, n - 1);
    for (let i = start === undefined ? n - 1 : clamp(start, -1, n - 1); i > stop; i += step) yield i;
  }
}
