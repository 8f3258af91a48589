// RE2 regular expressions for CEL's matches(): linear-time matching, sizes bounded, compiled once per pattern.
import { RE2JS, RE2JSSyntaxException } from 're2js';
import { estimateProgramSize } from './program-size.js';

/**
 * Most instructions a pattern's compiled RE2 program may have. Matching costs up to about program size ×
 * input length; measured with re2js (docs/cel.md), programs up to ~1000 instructions scan a 1 MB string in
 * tens of ms, while `(a|b){1000}[^ab]` (3003) takes 0.7 s for 100 KB. Everyday rule patterns are 10–200.
 */
export const MAX_PROGRAM_SIZE = 1000;

/**
 * Longest pattern accepted when it is computed per request (not a literal). Compiling costs about 10 µs
 * per instruction and must be bounded before it starts; with this and `MAX_PROGRAM_SIZE` it stays in ms.
 */
export const MAX_RUNTIME_PATTERN_LENGTH = 256;

/** A compiled pattern. Stateless between calls, so one instance serves every request. */
export interface Regex {
  /** The pattern as written. */
  readonly source: string;
  /** Whether the pattern matches anywhere in `input` (unanchored, as CEL's `matches` is). */
  test(input: string): boolean;
}

/**
 * A pattern compiled, or why it cannot be used: `reason` never quotes the pattern (a computed one may
 * hold request text); `fragment` is the part RE2 objects to, when it names one.
 */
export type RegexResult = { readonly ok: true; readonly regex: Regex } | RegexFailure;

/** Why a pattern cannot be used; see `explain`. */
export interface RegexFailure {
  readonly ok: false;
  /** What is wrong, without quoting the pattern. */
  readonly reason: string;
  /** The part of the pattern RE2 objects to, when it names one. */
  readonly fragment?: string;
  /** The pattern uses Perl syntax RE2 lacks (a backreference or lookaround). */
  readonly perlOnly: boolean;
}

/** `failure` as one phrase; `quoteFragment` adds the offending part of the pattern (not for computed ones). */
export function explain(failure: RegexFailure, quoteFragment: boolean): string {
  const at = quoteFragment && failure.fragment !== undefined ? ` at \`${failure.fragment}\`` : '';
  return `${failure.reason}${at}${failure.perlOnly ? RE2_HINT : ''}`;
}

const RE2_HINT = ' (matches() uses RE2 syntax: no backreferences, no lookaround)';
const PERL_ONLY = /\\[1-9]|\(\?<?[=!]/;

/**
 * Compiles `pattern` with RE2, or says why not: a syntax RE2 does not accept (backreferences, lookaround,
 * unbalanced groups…) or a program larger than `MAX_PROGRAM_SIZE`.
 */
export function compileRegex(pattern: string): RegexResult {
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(pattern);
  } catch (err) {
    const perlOnly = PERL_ONLY.test(pattern);
    if (!(err instanceof RE2JSSyntaxException)) return { ok: false, reason: messageOf(err), perlOnly };
    const fragment = err.getPattern();
    return { ok: false, reason: err.getDescription(), perlOnly, ...(fragment ? { fragment } : {}) };
  }
  const size = compiled.programSize();
  if (size > MAX_PROGRAM_SIZE) {
    return { ok: false, reason: `pattern too large: ${size} RE2 instructions, at most ${MAX_PROGRAM_SIZE}`, perlOnly: false };
  }
  return { ok: true, regex: { source: pattern, test: (input) => compiled.test(input) } };
}

/**
 * `compileRegex` for a pattern computed per request: its length and an upper bound of its program size
 * are checked first, so that no input makes compiling itself slow.
 */
export function compileRuntimeRegex(pattern: string): RegexResult {
  if (pattern.length > MAX_RUNTIME_PATTERN_LENGTH) {
    const reason = `pattern too long: ${pattern.length} characters, at most ${MAX_RUNTIME_PATTERN_LENGTH}`;
    return { ok: false, reason, perlOnly: false };
  }
  const estimate = estimateProgramSize(pattern);
  if (estimate > MAX_PROGRAM_SIZE) {
    const reason = `pattern too large: up to ${estimate} RE2 instructions, at most ${MAX_PROGRAM_SIZE}`;
    return { ok: false, reason, perlOnly: false };
  }
  return compileRegex(pattern);
}

/**
 * The last `capacity` runtime patterns and what compiling them gave (failures too, so a bad pattern
 * repeated per request is not recompiled each time). Least recently used goes first.
 */
export class RegexCache {
  readonly #entries = new Map<string, RegexResult>();

  constructor(readonly capacity = 64) {}

  /** The compiled `pattern`, from the cache or compiled now by `compileRuntimeRegex`. */
  get(pattern: string): RegexResult {
    // Too long to compile at all: refused at once, and not worth keeping as a key.
    if (pattern.length > MAX_RUNTIME_PATTERN_LENGTH) return compileRuntimeRegex(pattern);
    const cached = this.#entries.get(pattern);
    if (cached) {
      this.#entries.delete(pattern);
      this.#entries.set(pattern, cached);
      return cached;
    }
    const result = compileRuntimeRegex(pattern);
    if (this.#entries.size >= this.capacity) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(pattern, result);
    return result;
  }

  /** How many patterns are cached now. */
  get size(): number {
    return this.#entries.size;
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
