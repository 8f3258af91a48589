// Maps a path in the policy document (e.g. routes.smart.rules.0.if) back to its line and column.
import { isMap, isScalar, isSeq, LineCounter, type Document, type Node, type Scalar } from 'yaml';
import { scalarSourceIndex, type ScalarStyle } from './scalar-offsets.js';

export type PolicyPath = readonly (string | number)[];

export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

const FIRST: SourcePosition = { line: 1, column: 1 };

export class PolicySource {
  constructor(
    readonly file: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
    /** The document's text; lets `offset` be located inside block and multi-line scalars too. */
    private readonly text?: string,
  ) {}

  /**
   * Where `path` is written. For a missing node, where its nearest existing parent is.
   * With `key`, where the key itself is (for "unknown key" errors).
   * With `offset`, where that character (UTF-16 code unit) of a scalar's value is written, e.g. where a
   * CEL error is inside `if:`; this follows quotes, escapes, line folding and block scalars (`|`, `>`).
   */
  locate(path: PolicyPath, options: { key?: string; offset?: number } = {}): SourcePosition {
    let node: Node | null = this.doc.contents as Node | null;
    let position = this.position(node);
    for (const segment of path) {
      const next = child(node, segment);
      if (!next) return position ?? FIRST;
      node = next.value;
      position = this.position(node) ?? position;
    }
    if (options.key !== undefined) {
      const keyNode = child(node, options.key)?.keyNode;
      return this.position(keyNode) ?? position ?? FIRST;
    }
    if (options.offset !== undefined && node && isScalar(node) && position) {
      return this.withinScalar(node, position, options.offset);
    }
    return position ?? FIRST;
  }

  private position(node: Node | null | undefined): SourcePosition | undefined {
    const start = node?.range?.[0];
    if (start === undefined) return undefined;
    const { line, col } = this.lines.linePos(start);
    return { line, column: col };
  }

  /** Where the character `offset` of a scalar's value is written; the scalar's start when that cannot be told. */
  private withinScalar(node: Scalar, start: SourcePosition, offset: number): SourcePosition {
    const { type, range } = node;
    if (this.text !== undefined && type && range) {
      const raw = this.text.slice(range[0], range[1]);
      const value = typeof node.value === 'string' ? node.value : raw;
      const index = scalarSourceIndex(raw, type as ScalarStyle, value, offset);
      if (index === undefined) return start;
      const { line, col } = this.lines.linePos(range[0] + index);
      return { line, column: col };
    }
    // Without the text, only one-line plain and quoted scalars without escapes map exactly.
    if (type === 'PLAIN') return { line: start.line, column: start.column + offset };
    if (type === 'QUOTE_DOUBLE' || type === 'QUOTE_SINGLE') {
      return { line: start.line, column: start.column + 1 + offset };
    }
    return start;
  }
}

function child(node: Node | null, segment: string | number): { keyNode?: Node; value: Node | null } | undefined {
  if (isMap(node)) {
    const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
    if (!pair) return undefined;
    return { keyNode: pair.key as Node, value: (pair.value as Node | null) ?? null };
  }
  if (isSeq(node) && typeof segment === 'number') {
    const item = node.items[segment] as Node | undefined;
    return item ? { value: item } : undefined;
  }
  return undefined;
}

export function createLineCounter(): LineCounter {
  return new LineCounter();
}
