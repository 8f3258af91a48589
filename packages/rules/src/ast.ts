// What a parsed condition reads: the signals it names, and how it uses input_tokens.
import type { ASTNode } from '@marcbachmann/cel-js';
import type { ComparisonOp, TokenComparison } from './types.js';

export const INPUT_TOKENS = 'input_tokens';

/** Macros whose first argument declares a loop variable that is in scope in the arguments after it. */
const LOOP_MACROS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);

const COMPARISONS = new Set<string>(['<', '<=', '>', '>=', '==', '!=']);
const FLIPPED: Record<ComparisonOp, ComparisonOp> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '==': '==', '!=': '!=' };

type Visit = (name: string, node: ASTNode, parent: ASTNode | undefined) => void;

/** Calls `visit` for every identifier that refers to something outside the expression (not a loop variable). */
export function visitFreeIdentifiers(ast: ASTNode, visit: Visit): void {
  walk(ast, undefined, new Set(), visit);
}

function walk(node: ASTNode, parent: ASTNode | undefined, bound: ReadonlySet<string>, visit: Visit): void {
  switch (node.op) {
    case 'value':
      return;
    case 'id':
      if (!bound.has(node.args)) visit(node.args, node, parent);
      return;
    case 'rcall': {
      const [name, receiver, args] = node.args;
      const scoped = scopedArgs(name, receiver, args, bound);
      if (scoped) {
        walk(receiver, node, bound, visit);
        for (const arg of scoped.outside) walk(arg, node, bound, visit);
        const inner = new Set(bound).add(scoped.variable);
        for (const arg of scoped.inside) walk(arg, node, inner, visit);
        return;
      }
      break;
    }
  }
  for (const child of children(node.args)) walk(child, node, bound, visit);
}

/** For a macro that declares a variable: the variable, and which arguments see it. */
function scopedArgs(
  name: string,
  receiver: ASTNode,
  args: readonly ASTNode[],
  bound: ReadonlySet<string>,
): { variable: string; outside: readonly ASTNode[]; inside: readonly ASTNode[] } | undefined {
  const first = args[0];
  if (first?.op !== 'id') return undefined;
  if (LOOP_MACROS.has(name) && args.length >= 2) {
    return { variable: first.args, outside: [], inside: args.slice(1) };
  }
  // cel.bind(var, init, body): init is evaluated outside the binding.
  if (name === 'bind' && args.length === 3 && receiver.op === 'id' && receiver.args === 'cel' && !bound.has('cel')) {
    return { variable: first.args, outside: args.slice(1, 2), inside: args.slice(2) };
  }
  return undefined;
}

/** The AST nodes among a node's operands, however they are nested (lists, map entries, call args). */
function children(args: unknown): ASTNode[] {
  if (isNode(args)) return [args];
  if (!Array.isArray(args)) return [];
  return args.flatMap(children);
}

function isNode(value: unknown): value is ASTNode {
  return typeof value === 'object' && value !== null && typeof (value as { op?: unknown }).op === 'string';
}

/** The known signals the condition reads, in order of first use. */
export function signalsRead(ast: ASTNode, known: ReadonlyMap<string, unknown>): string[] {
  const reads = new Set<string>();
  visitFreeIdentifiers(ast, (name) => {
    if (known.has(name)) reads.add(name);
  });
  return [...reads];
}

/**
 * The comparisons `input_tokens` takes part in, when every use of it is a direct operand of a
 * comparison with a numeric literal; `undefined` when any use is not (or there is none).
 */
export function inputTokensComparisons(ast: ASTNode): TokenComparison[] | undefined {
  const comparisons: TokenComparison[] = [];
  let decidable = true;
  visitFreeIdentifiers(ast, (name, node, parent) => {
    if (name !== INPUT_TOKENS) return;
    const comparison = parent && literalComparison(parent, node);
    if (comparison) comparisons.push(comparison);
    else decidable = false;
  });
  return decidable && comparisons.length > 0 ? comparisons : undefined;
}

function literalComparison(parent: ASTNode, operand: ASTNode): TokenComparison | undefined {
  if (!COMPARISONS.has(parent.op)) return undefined;
  const [left, right] = parent.args as [ASTNode, ASTNode];
  const op = parent.op as ComparisonOp;
  if (left === operand) {
    const value = numericLiteral(right);
    return value === undefined ? undefined : { op, value };
  }
  const value = numericLiteral(left);
  return value === undefined ? undefined : { op: FLIPPED[op], value };
}

/** The value of an int or double literal, or of a negated one; `undefined` for anything else. */
function numericLiteral(node: ASTNode): number | undefined {
  if (node.op === 'value') {
    const value = node.args;
    return typeof value === 'bigint' || typeof value === 'number' ? Number(value) : undefined;
  }
  if (node.op === '-_' && node.args.op === 'value') {
    const inner = numericLiteral(node.args);
    return inner === undefined ? undefined : -inner;
  }
  return undefined;
}
