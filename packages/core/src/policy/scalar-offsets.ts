// Maps an offset into a YAML scalar's value back to an index into the scalar's source text, for every
// scalar style: plain and quoted (one line or folded over several, with escapes) and block (`|`, `>`).

/** The scalar styles of the `yaml` package (`Scalar.type`). */
export type ScalarStyle = 'PLAIN' | 'QUOTE_SINGLE' | 'QUOTE_DOUBLE' | 'BLOCK_LITERAL' | 'BLOCK_FOLDED';

/** A value rebuilt from source: its characters, and for each one the index in the source it came from. */
interface Rebuilt {
  readonly chars: string[];
  readonly from: number[];
}

/**
 * The index into `raw` (the scalar as written, from its first character to the end of its value) of the
 * character at `offset` in the scalar's `value`. `offset` counts UTF-16 code units; an offset at or past
 * the value's end maps to just after its last character. `undefined` when the source cannot be mapped with
 * confidence (the rebuilt value does not match `value`): callers then fall back to the scalar's start.
 */
export function scalarSourceIndex(raw: string, style: ScalarStyle, value: string, offset: number): number | undefined {
  const block = style === 'BLOCK_LITERAL' || style === 'BLOCK_FOLDED';
  // Chomping (`|-`, `|+`) only changes trailing line breaks, which are never worth pointing at.
  const wanted = block ? trimBreaks(value) : value;
  for (const rebuilt of rebuild(raw, style)) {
    const text = rebuilt.chars.join('');
    if ((block ? trimBreaks(text) : text) !== wanted) continue;
    const at = Math.max(0, Math.floor(offset));
    if (at < wanted.length) return rebuilt.from[at];
    // At or past the end: just after the last character.
    const last = rebuilt.from[wanted.length - 1];
    return last === undefined ? undefined : last + 1;
  }
  return undefined;
}

function trimBreaks(s: string): string {
  return s.replace(/[\r\n]+$/, '');
}

/** The ways `raw` may read; more than one only for a block scalar with an indentation indicator. */
function* rebuild(raw: string, style: ScalarStyle): Generator<Rebuilt> {
  switch (style) {
    case 'PLAIN': {
      const rebuilt = flow(raw, 0, raw.length, 'plain');
      if (rebuilt) yield rebuilt;
      return;
    }
    case 'QUOTE_SINGLE':
    case 'QUOTE_DOUBLE': {
      const quote = style === 'QUOTE_SINGLE' ? "'" : '"';
      if (raw.length < 2 || !raw.startsWith(quote) || !raw.endsWith(quote)) return;
      const rebuilt = flow(raw, 1, raw.length - 1, style === 'QUOTE_SINGLE' ? 'single' : 'double');
      if (rebuilt) yield rebuilt;
      return;
    }
    case 'BLOCK_LITERAL':
    case 'BLOCK_FOLDED':
      yield* block(raw, style === 'BLOCK_FOLDED');
  }
}

const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\r';

const ESCAPES: Readonly<Record<string, string>> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  t: '\t',
  '\t': '\t',
  n: '\n',
  v: '\v',
  f: '\f',
  r: '\r',
  e: '\x1b',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  N: '\x85',
  _: '\xa0',
  L: '\u2028',
  P: '\u2029',
};
const HEX_DIGITS: Readonly<Record<string, number>> = { x: 2, u: 4, U: 8 };

/** Plain and quoted scalars: line folding (YAML 1.2 §7.3), `''` in single quotes, escapes in double quotes. */
function flow(raw: string, start: number, end: number, kind: 'plain' | 'single' | 'double'): Rebuilt | undefined {
  const chars: string[] = [];
  const from: number[] = [];
  const push = (c: string, i: number) => {
    chars.push(c);
    from.push(i);
  };
  // Unescaped white space is kept only when something other than a line break follows it on its line.
  let pending: [string, number][] = [];
  const flush = () => {
    for (const [c, i] of pending) push(c, i);
    pending = [];
  };
  let i = start;
  while (i < end) {
    const c = raw[i]!;
    if (c === '\n') {
      const foldAt = pending[0]?.[1] ?? i;
      pending = [];
      let j = i + 1;
      let blank = 0;
      for (;;) {
        while (j < end && isSpace(raw[j])) j++;
        if (j < end && raw[j] === '\n') {
          push('\n', j);
          blank++;
          j++;
          continue;
        }
        break;
      }
      if (blank === 0) push(' ', foldAt);
      i = j;
      continue;
    }
    if (isSpace(c)) {
      pending.push([c, i]);
      i++;
      continue;
    }
    flush();
    if (kind === 'single' && c === "'" && raw[i + 1] === "'") {
      push("'", i);
      i += 2;
      continue;
    }
    if (kind === 'double' && c === '\\') {
      const n = raw[i + 1];
      if (n === undefined) return undefined;
      if (n === '\n' || (n === '\r' && raw[i + 2] === '\n')) {
        // An escaped line break: it and the next line's indentation vanish.
        i += n === '\r' ? 3 : 2;
        while (i < end && (raw[i] === ' ' || raw[i] === '\t')) i++;
        continue;
      }
      const digits = HEX_DIGITS[n];
      if (digits !== undefined) {
        const hex = raw.slice(i + 2, i + 2 + digits);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== digits) return undefined;
        const code = Number.parseInt(hex, 16);
        if (code > 0x10ffff) return undefined;
        for (const unit of String.fromCodePoint(code).split('')) push(unit, i);
        i += 2 + digits;
        continue;
      }
      const escaped = ESCAPES[n];
      if (escaped === undefined) return undefined;
      push(escaped, i);
      i += 2;
      continue;
    }
    push(c, i);
    i++;
  }
  flush();
  return { chars, from };
}

/**
 * Block scalars: the header line, then content lines indented by the first non-empty line's indentation.
 * An explicit indentation indicator (`|2`) counts from the parent's indentation, which `raw` does not
 * show, so then every smaller indentation is tried too.
 */
function* block(raw: string, folded: boolean): Generator<Rebuilt> {
  const headerEnd = raw.indexOf('\n');
  if (headerEnd < 0) return;
  const lines: Line[] = [];
  for (let start = headerEnd + 1; start < raw.length; ) {
    const nl = raw.indexOf('\n', start);
    const end = nl < 0 ? raw.length : nl;
    const text = raw.slice(start, end);
    lines.push({ start, text: text.endsWith('\r') ? text.slice(0, -1) : text, end });
    start = end + 1;
  }
  const first = lines.find((l) => l.text.trim() !== '');
  if (!first) return;
  const auto = first.text.length - first.text.trimStart().length;
  const explicit = /^[|>][-+]?[1-9]/.test(raw.slice(0, headerEnd));
  for (let indent = auto; indent >= (explicit ? 1 : auto); indent--) yield blockLines(lines, indent, folded);
}

interface Line {
  readonly start: number;
  /** The line without its line break. */
  readonly text: string;
  /** Where its line break is (or the end of the source). */
  readonly end: number;
}

function blockLines(lines: readonly Line[], indent: number, folded: boolean): Rebuilt {
  const chars: string[] = [];
  const from: number[] = [];
  const push = (c: string, i: number) => {
    chars.push(c);
    from.push(i);
  };
  let breaks: number[] = [];
  let previous: 'normal' | 'more' | undefined;
  for (const line of lines) {
    const content = line.text.length > indent ? line.text.slice(indent) : '';
    if (content === '') {
      breaks.push(line.end);
      continue;
    }
    const kind = content[0] === ' ' || content[0] === '\t' ? 'more' : 'normal';
    if (folded && previous === 'normal' && kind === 'normal') {
      // Between two normal lines one break folds into a space; with empty lines, the first break vanishes.
      if (breaks.length === 1) push(' ', breaks[0]!);
      else for (const b of breaks.slice(1)) push('\n', b);
    } else {
      for (const b of breaks) push('\n', b);
    }
    for (let k = 0; k < content.length; k++) push(content[k]!, line.start + indent + k);
    breaks = [line.end];
    previous = kind;
  }
  for (const b of breaks) push('\n', b);
  return { chars, from };
}
