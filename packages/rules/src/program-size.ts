// An upper bound on the size of the RE2 program a pattern compiles to, computed without compiling it.

const REPEAT = /\{(\d+)(,(\d*))?\}/y;
const FLAGS_ONLY = /\(\?[a-zA-Z-]*\)/y;
const GROUP_PREFIX = /\(\?(?:P?<[^>]*>|[a-zA-Z-]*:)/y;
const BRACED_ESCAPE = /\\[pPx]\{[^}]*\}/y;

/** What is known of one open group: its size so far and the size of its last atom (what a quantifier repeats). */
interface Frame {
  total: number;
  last: number;
}

/**
 * An upper bound on `RE2JS.compile(pattern).programSize()` for a pattern that compiles, in time linear in
 * its length. Compiling is what costs (about 10 µs per instruction), so a pattern computed per request is
 * measured with this before RE2 sees it. Counts every literal, class, escape and assertion as one
 * instruction, two more per group, two per `|` (an empty branch costs one), one per `*`, `+`, `?`, and `x{n,m}` as `m + 1` copies of `x`
 * plus `m`; RE2's simplifier only ever makes the program smaller. Malformed patterns get some number:
 * RE2 rejects them while parsing, before building a program.
 */
export function estimateProgramSize(pattern: string): number {
  const stack: Frame[] = [{ total: 0, last: 0 }];
  const top = (): Frame => stack[stack.length - 1] as Frame;
  const atom = (size: number) => {
    const frame = top();
    frame.total += size;
    frame.last = size;
  };
  const repeatLast = (repeated: (size: number) => number) => {
    const frame = top();
    const size = repeated(frame.last);
    frame.total += size - frame.last;
    frame.last = size;
  };

  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i];
    const repeat = c === '{' ? repeatAt(pattern, i) : undefined;
    if (c === '\\' && pattern[i + 1] === 'Q') {
      // \Q…\E quotes literal text: one instruction per character, a quantifier after it repeats the last.
      const close = pattern.indexOf('\\E', i + 2);
      const end = close < 0 ? pattern.length : close;
      if (end > i + 2) {
        top().total += end - (i + 2);
        top().last = 1;
      }
      i = close < 0 ? end : close + 2;
    } else if (c === '\\') {
      i = escapeEnd(pattern, i);
      atom(1);
    } else if (c === '[') {
      i = classEnd(pattern, i);
      atom(1);
    } else if (c === '(') {
      i = groupStart(pattern, i, stack);
    } else if (c === ')' && stack.length > 1) {
      const inner = stack.pop() as Frame;
      atom(inner.total + 2);
      i++;
    } else if (c === '|') {
      // The alternation, and the empty-match instruction a branch left empty (`|(a)|`) compiles to.
      top().total += 2;
      top().last = 0;
      i++;
    } else if (c === '*' || c === '+' || c === '?') {
      repeatLast((size) => size + 1);
      i++;
    } else if (repeat) {
      repeatLast((size) => size * (repeat.count + 1) + repeat.count);
      i = repeat.end;
    } else {
      atom(1);
      i++;
    }
  }
  while (stack.length > 1) {
    const inner = stack.pop() as Frame;
    atom(inner.total + 2);
  }
  // RE2's own instructions around any program: fail, the whole-match captures and match.
  return top().total + 4;
}

/** Where the escape at `i` ends: after `\p{…}` / `\x{…}` braces, or after one character. */
function escapeEnd(pattern: string, i: number): number {
  BRACED_ESCAPE.lastIndex = i;
  if (BRACED_ESCAPE.test(pattern)) return BRACED_ESCAPE.lastIndex;
  return Math.min(i + 2, pattern.length);
}

/** The repetition `{n}`, `{n,}` or `{n,m}` at `i`: the most copies it makes and where it ends; else a literal `{`. */
function repeatAt(pattern: string, i: number): { count: number; end: number } | undefined {
  REPEAT.lastIndex = i;
  const match = REPEAT.exec(pattern);
  if (!match) return undefined;
  const min = Number(match[1]);
  const count = match[2] === undefined ? min : match[3] === '' ? min + 1 : Math.max(min, Number(match[3]));
  return { count, end: REPEAT.lastIndex };
}

/** Where the character class opened at `i` ends (after its `]`), or the pattern's end. */
function classEnd(pattern: string, i: number): number {
  let j = i + 1;
  if (pattern[j] === '^') j++;
  if (pattern[j] === ']') j++; // a leading ] is a literal
  while (j < pattern.length) {
    const c = pattern[j];
    if (c === '\\') j += 2;
    else if (c === '[' && pattern[j + 1] === ':') {
      const close = pattern.indexOf(':]', j + 2);
      j = close < 0 ? j + 1 : close + 2;
    } else if (c === ']') return j + 1;
    else j++;
  }
  return pattern.length;
}

/** Opens the group at `i` (or skips a flags-only `(?i)`); returns where its contents start. */
function groupStart(pattern: string, i: number, stack: Frame[]): number {
  FLAGS_ONLY.lastIndex = i;
  if (FLAGS_ONLY.test(pattern)) return FLAGS_ONLY.lastIndex;
  stack.push({ total: 0, last: 0 });
  GROUP_PREFIX.lastIndex = i;
  return GROUP_PREFIX.test(pattern) ? GROUP_PREFIX.lastIndex : i + 1;
}
