import { describe, expect, it } from 'vitest';
import {
  compileRegex,
  compileRuntimeRegex,
  explain,
  MAX_PROGRAM_SIZE,
  MAX_RUNTIME_PATTERN_LENGTH,
  type RegexFailure,
  RegexCache,
  type RegexResult,
} from './regex.js';

function failure(result: RegexResult): RegexFailure {
  if (result.ok) throw new Error('expected a failure');
  return result;
}

describe('compileRegex', () => {
  it('should compile an RE2 pattern that tests unanchored, and keep its source', () => {
    const result = compileRegex('(?i)b+c');
    if (!result.ok) throw new Error(result.reason);
    expect(result.regex.source).toBe('(?i)b+c');
    expect(result.regex.test('aBbCd')).toBe(true);
    expect(result.regex.test('ac')).toBe(false);
  });

  it('should keep no state between calls, unlike a global RegExp', () => {
    const result = compileRegex('a');
    if (!result.ok) throw new Error(result.reason);
    expect([1, 2, 3].map(() => result.regex.test('a'))).toEqual([true, true, true]);
  });

  it('should say what RE2 rejects, where, and name RE2 syntax for Perl-only constructs', () => {
    const backref = failure(compileRegex('(a)\\1'));
    expect(backref).toEqual({ ok: false, reason: 'invalid escape sequence', fragment: '\\1', perlOnly: true });
    expect(explain(backref, true)).toBe(
      'invalid escape sequence at `\\1` (matches() uses RE2 syntax: no backreferences, no lookaround)',
    );
    expect(explain(backref, false)).toBe('invalid escape sequence (matches() uses RE2 syntax: no backreferences, no lookaround)');
    expect(failure(compileRegex('x(?=y)')).perlOnly).toBe(true);
    expect(failure(compileRegex('[a')).perlOnly).toBe(false);
    expect(explain(failure(compileRegex('[a')), true)).toBe('missing closing ] at `[a`');
  });

  it('should refuse a program larger than MAX_PROGRAM_SIZE, and take one at the limit', () => {
    expect(explain(failure(compileRegex('a{1000}')), true)).toBe(
      `pattern too large: 1002 RE2 instructions, at most ${MAX_PROGRAM_SIZE}`,
    );
    expect(compileRegex('a{998}').ok).toBe(true);
    expect(compileRegex('a{999}').ok).toBe(false);
  });
});

describe('compileRuntimeRegex', () => {
  it('should refuse a long pattern without compiling it', () => {
    expect(failure(compileRuntimeRegex('a'.repeat(MAX_RUNTIME_PATTERN_LENGTH + 1))).reason).toMatch(/^pattern too long/);
    expect(compileRuntimeRegex('a'.repeat(MAX_RUNTIME_PATTERN_LENGTH)).ok).toBe(true);
  });

  it('should refuse, from its estimate, a pattern that could compile too large', () => {
    expect(failure(compileRuntimeRegex('(ab){1,400}')).reason).toMatch(/^pattern too large: up to \d+ RE2 instructions/);
    expect(compileRuntimeRegex('^[a-z]{1,40}$').ok).toBe(true);
  });
});

describe('RegexCache', () => {
  it('should compile each pattern once and drop the least recently used past its capacity', () => {
    const cache = new RegexCache(2);
    const a = cache.get('a');
    expect(cache.get('a')).toBe(a);
    cache.get('b');
    cache.get('a'); // a is now the most recent
    cache.get('c'); // drops b
    expect(cache.size).toBe(2);
    expect(cache.get('a')).toBe(a);
    const b = cache.get('b');
    expect(b.ok).toBe(true);
    expect(cache.get('b')).toBe(b);
  });

  it('should remember failures, so a bad pattern repeated per request is not recompiled', () => {
    const cache = new RegexCache(4);
    const bad = cache.get('(');
    expect(bad.ok).toBe(false);
    expect(cache.get('(')).toBe(bad);
  });

  it('should not keep patterns too long to compile', () => {
    const cache = new RegexCache(4);
    expect(cache.get('x'.repeat(MAX_RUNTIME_PATTERN_LENGTH + 1)).ok).toBe(false);
    expect(cache.size).toBe(0);
  });
});
