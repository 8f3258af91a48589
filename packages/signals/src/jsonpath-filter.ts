// The expressions of JSONPath filters `[?(…)]` and computed members `[(…)]`: parsed once, evaluated per node.
// A deliberately small language: no function or method calls, no regular expressions, no assignment.

/** A parsed filter or script expression. */
export type Expr =
  | { readonly kind: 'literal'; readonly value: string | number | boolean | null }
  | { readonly kind: 'query'; readonly root: '@' | '$'; readonly steps: readonly (string | number)[] }
  | { readonly kind: 'not' | 'negate'; readonly operand: Expr }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr };

type BinaryOp = '||' | '&&' | '==' | '!=' | '===' | '!==' | '<' | '<=' | '>' | '>=' | '+' | '-';

/** Why an expression does not parse; `offset` is into the expression's text. */
export interface ExprProblem {
  readonly message: string;
  readonly offset: number;
}

const PRECEDENCE: Readonly<Record<BinaryOp, number>> = {
  '||': 1,
  '&&': 2,
  '==': 3,
  '!=': 3,
  '===': 3,
  '!==': 3,
  '<': 4,
  '<=': 4,
  '>': 4,
  '>=': 4,
  '+': 5,
  '-': 5,
};

const TOKEN =
  /\s*(?:(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|(===|!==|==|!=|<=|>=|&&|\|\||[<>!+\-()@$.[\]])|([A-Za-z_][A-Za-z0-9_]*)|(\S))/y;

interface Token {
  readonly kind: 'number' | 'string' | 'op' | 'word' | 'other' | 'end';
  readonly text: string;
  readonly offset: number;
}

function tokenize(source: string): Token[] | ExprProblem {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < source.length) {
    const start = TOKEN.lastIndex;
    const m = TOKEN.exec(source);
    if (!m) break; // only whitespace is left
    const offset = start + (m[0].length - m[0].trimStart().length);
    const [, number, string, op, word, other] = m;
    if (number !== undefined) tokens.push({ kind: 'number', text: number, offset });
    else if (string !== undefined) tokens.push({ kind: 'string', text: string, offset });
    else if (op !== undefined) tokens.push({ kind: 'op', text: op, offset });
    else if (word !== undefined) tokens.push({ kind: 'word', text: word, offset });
    else return { message: `unexpected "${other}" at character ${offset + 1}`, offset };
  }
  tokens.push({ kind: 'end', text: '', offset: source.length });
  return tokens;
}

/** Parses `source` (the text inside `[?(…)]` or `[(…)]`) into an expression, or says what is wrong. */
export function parseExpr(source: string): Expr | ExprProblem {
  const tokens = tokenize(source);
  if (!Array.isArray(tokens)) return tokens;
  let at = 0;
  const peek = (): Token => tokens[at] as Token;
  const next = (): Token => tokens[at++] as Token;
  const fail = (token: Token, what: string): never => {
    const found = token.kind === 'end' ? `${what} at the end` : `${what}, found "${token.text}" at character ${token.offset + 1}`;
    throw new ExprSyntaxError(found, token.offset);
  };

  const primary = (): Expr => {
    const token = next();
    if (token.kind === 'number') return { kind: 'literal', value: Number(token.text) };
    if (token.kind === 'string') return { kind: 'literal', value: unquote(token.text) };
    if (token.kind === 'word') {
      if (token.text === 'true' || token.text === 'false') return { kind: 'literal', value: token.text === 'true' };
      if (token.text === 'null') return { kind: 'literal', value: null };
      return fail(token, 'expected a value (functions and variables other than @ and $ are not supported)');
    }
    if (token.text === '(') {
      const inner = binary(0);
      if (next().text !== ')') fail(tokens[at - 1] as Token, 'expected ")"');
      return inner;
    }
    if (token.text === '!') return { kind: 'not', operand: primary() };
    if (token.text === '-') return { kind: 'negate', operand: primary() };
    if (token.text === '@' || token.text === '$') return { kind: 'query', root: token.text, steps: querySteps() };
    return fail(token, 'expected a value');
  };

  const querySteps = (): (string | number)[] => {
    const steps: (string | number)[] = [];
    for (;;) {
      if (peek().text === '.') {
        next();
        const name = next();
        if (name.kind !== 'word') fail(name, 'expected a member name after "."');
        steps.push(name.text);
      } else if (peek().text === '[') {
        next();
        const negative = peek().text === '-';
        if (negative) next();
        const key = next();
        if (key.kind === 'number' && Number.isInteger(Number(key.text))) steps.push(Number(key.text) * (negative ? -1 : 1));
        else if (key.kind === 'string' && !negative) steps.push(unquote(key.text));
        else fail(key, 'expected an index or a quoted name');
        if (next().text !== ']') fail(tokens[at - 1] as Token, 'expected "]"');
      } else {
        return steps;
      }
    }
  };

  const binary = (minPrecedence: number): Expr => {
    let left = primary();
    for (;;) {
      const op = peek().text as BinaryOp;
      const precedence = peek().kind === 'op' ? PRECEDENCE[op] : undefined;
      if (precedence === undefined || precedence <= minPrecedence) return left;
      next();
      left = { kind: 'binary', op, left, right: binary(precedence) };
    }
  };

  try {
    const expr = binary(0);
    if (peek().kind !== 'end') fail(peek(), peek().text === '(' ? 'function calls are not supported' : 'expected an operator');
    return expr;
  } catch (err) {
    if (err instanceof ExprSyntaxError) return { message: err.message, offset: err.offset };
    throw err;
  }
}

/** Unwinds the recursive-descent parser to `parseExpr`, which turns it into an `ExprProblem`. */
class ExprSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** Whether `parseExpr`'s result is a problem. */
export function isExprProblem(result: Expr | ExprProblem): result is ExprProblem {
  return 'message' in result;
}

function unquote(quoted: string): string {
  return quoted.slice(1, -1).replace(/\\(.)/g, '$1');
}

/** A member of a JSON value the way a path step reads it: own properties only, none of a falsy value. */
export function member(node: unknown, key: string | number): unknown {
  if (!node) return undefined;
  if (typeof key === 'number' && Array.isArray(node) && key < 0) return node[node.length + key];
  const k = String(key);
  return Object.hasOwn(Object(node), k) ? (node as Record<string, unknown>)[k] : undefined;
}

/**
 * The value of `expr` with `@` = `current` and `$` = `root`. Comparisons are JavaScript's between
 * primitives; an object equals only itself and is never ordered, so no operand is ever stringified.
 * `+` and `-` need numbers.
 */
export function evaluateExpr(expr: Expr, current: unknown, root: unknown): unknown {
  switch (expr.kind) {
    case 'literal':
      return expr.value;
    case 'query': {
      let node = expr.root === '@' ? current : root;
      for (const step of expr.steps) node = member(node, step);
      return node;
    }
    case 'not':
      return !evaluateExpr(expr.operand, current, root);
    case 'negate': {
      const v = evaluateExpr(expr.operand, current, root);
      return typeof v === 'number' ? -v : undefined;
    }
    case 'binary':
      return binaryValue(expr, current, root);
  }
}

function binaryValue(expr: Extract<Expr, { kind: 'binary' }>, current: unknown, root: unknown): unknown {
  const left = evaluateExpr(expr.left, current, root);
  if (expr.op === '&&') return Boolean(left) && Boolean(evaluateExpr(expr.right, current, root));
  if (expr.op === '||') return Boolean(left) || Boolean(evaluateExpr(expr.right, current, root));
  const right = evaluateExpr(expr.right, current, root);
  const primitives = isPrimitive(left) && isPrimitive(right);
  switch (expr.op) {
    case '==':
      // biome-ignore lint/suspicious/noDoubleEquals: JSONPath filters compare loosely, as jsonpath-plus does
      return primitives ? left == right : left === right;
    case '!=':
      // biome-ignore lint/suspicious/noDoubleEquals: see ==
      return primitives ? left != right : left !== right;
    case '===':
      return left === right;
    case '!==':
      return left !== right;
    case '+':
    case '-':
      if (typeof left !== 'number' || typeof right !== 'number') return undefined;
      return expr.op === '+' ? left + right : left - right;
    default:
      return ordered(expr.op, left, right);
  }
}

function ordered(op: '<' | '<=' | '>' | '>=', left: unknown, right: unknown): boolean {
  if (!isPrimitive(left) || !isPrimitive(right)) return false;
  // JavaScript's ordering of primitives (true > 0), as in jsonpath-plus's filters.
  const [l, r] = [left as number, right as number];
  return op === '<' ? l < r : op === '<=' ? l <= r : op === '>' ? l > r : l >= r;
}

function isPrimitive(v: unknown): boolean {
  return v === null || (typeof v !== 'object' && typeof v !== 'function');
}
