import fc from 'fast-check';
import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import { estimateProgramSize } from './program-size.js';

/** RE2's program size for `pattern`, or `undefined` when RE2 rejects it. */
function programSize(pattern: string): number | undefined {
  try {
    return RE2JS.compile(pattern).programSize();
  } catch {
    return undefined;
  }
}

const quantifier = fc.constantFrom('', '', '*', '+', '?', '*?', '+?', '{2}', '{3,}', '{1,4}', '{0,2}', '{5}');

/** Patterns built from RE2's grammar: every one of them compiles. */
const { pattern } = fc.letrec<{ pattern: string; atom: string }>((tie) => ({
  atom: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('a', 'b', '.', '^', '$', '\\b', '\\d', '\\w', '\\pL', '\\p{Greek}', '\\x{41}', '\\.', '\\Qa.b\\E', '[a-z]'),
    fc.constantFrom('[^ab]', '[]a]', '[[:alpha:]_]', '[\\d\\s]', '(?i)', '(?s)', 'é', '{', 'x{', 'a{,2}'),
    tie('pattern').map((p) => `(${p})`),
    tie('pattern').map((p) => `(?:${p})`),
    tie('pattern').map((p) => `(?P<n>${p})`),
    tie('pattern').map((p) => `(?i:${p})`),
  ),
  pattern: fc
    .array(
      fc.array(fc.tuple(tie('atom'), quantifier), { maxLength: 4 }).map((items) => items.map(([a, q]) => a + q).join('')),
      { minLength: 1, maxLength: 3 },
    )
    .map((branches) => branches.join('|')),
}));

describe('estimateProgramSize', () => {
  it('should never be below the size RE2 compiles a pattern to', () => {
    fc.assert(
      fc.property(pattern, (p) => {
        const actual = programSize(p);
        if (actual !== undefined) expect(estimateProgramSize(p)).toBeGreaterThanOrEqual(actual);
      }),
      { numRuns: 500 },
    );
  });

  it('should never be below it for arbitrary strings of regex syntax that RE2 accepts', () => {
    const chars = fc.constantFrom(...'ab.|()[]{}*+?^$\\0123,:PQEdwpLx<>-i'.split(''));
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 30 }), (parts) => {
        const p = parts.join('');
        const actual = programSize(p);
        if (actual !== undefined) expect(estimateProgramSize(p)).toBeGreaterThanOrEqual(actual);
      }),
      { numRuns: 2000 },
    );
  });

  it('should count empty branches, which RE2 compiles to an instruction each', () => {
    for (const p of ['|(?P<n>)|', '|()|', '||', '(|)', 'a||b', '(?:|a)|']) {
      expect(estimateProgramSize(p), p).toBeGreaterThanOrEqual(programSize(p)!);
    }
  });

  it('should stay close for everyday rule patterns', () => {
    for (const p of ['^gpt-4o', '(?i)\\b(urgent|asap|critical)\\b', '^[a-z][a-z0-9-]{2,40}$', '^(translate|summari[sz]e):']) {
      const actual = programSize(p) as number;
      expect(estimateProgramSize(p)).toBeLessThanOrEqual(actual * 3 + 10);
    }
  });

  it('should multiply counted repetitions, nested ones too', () => {
    expect(estimateProgramSize('[a-z]{1,1000}')).toBeGreaterThan(2000);
    expect(estimateProgramSize('(a{10}){10}')).toBeGreaterThan(100);
    expect(estimateProgramSize('[a-z]{1,1000}'.repeat(19))).toBeGreaterThan(programSize('[a-z]{1,1000}'.repeat(19)) as number);
  });
});
