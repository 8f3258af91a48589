import { describe, expect, it } from 'vitest';
import { LineCounter, parseDocument, type Scalar } from 'yaml';
import { parsePolicy } from './load.js';
import { scalarSourceIndex, type ScalarStyle } from './scalar-offsets.js';
import { PolicySource } from './source.js';

const head = `version: 1
providers: { p: { format: openai, base_url: "http://x" } }
models: { m: { provider: p } }
routes:
  r:
    default: m
    rules:
`;

/** Where `token` (the n-th time it appears in the `if:` value) is reported by `locate(…, { offset })`. */
function locateToken(ifYaml: string, token: string): { line: number; column: number } {
  const policy = parsePolicy(head + ifYaml, 'policy.yaml');
  const value = policy.routes.get('r')?.rules[0]?.if ?? '';
  const offset = value.indexOf(token);
  expect(offset).toBeGreaterThanOrEqual(0);
  return policy.source.locate(['routes', 'r', 'rules', 0, 'if'], { offset });
}

describe('PolicySource.locate with an offset into a scalar', () => {
  it('should point into a plain one-line scalar', () => {
    expect(locateToken('      - { name: a, use: m, if: input_tokens > foo }\n', 'foo')).toEqual({ line: 8, column: 47 });
  });

  it('should point into a double-quoted scalar past escaped quotes', () => {
    const yaml = '      - name: a\n        use: m\n        if: "model == \\"x\\" && foo"\n';
    expect(locateToken(yaml, 'foo')).toEqual({ line: 10, column: 32 });
  });

  it('should point into a single-quoted scalar past doubled quotes', () => {
    const yaml = "      - name: a\n        use: m\n        if: 'model == ''x'' && foo'\n";
    expect(locateToken(yaml, 'foo')).toEqual({ line: 10, column: 32 });
  });

  it('should point into the second line of a literal block scalar', () => {
    const yaml = '      - name: a\n        use: m\n        if: |\n          input_tokens > 1 &&\n            foo\n';
    expect(locateToken(yaml, 'foo')).toEqual({ line: 12, column: 13 });
  });

  it('should point into a folded block scalar after a blank line and a header comment', () => {
    const yaml = '      - name: a\n        use: m\n        if: >- # why\n          input_tokens > 1 &&\n\n          foo\n';
    expect(locateToken(yaml, 'foo')).toEqual({ line: 13, column: 11 });
  });

  it('should point into the continuation line of a multi-line plain scalar', () => {
    const yaml = '      - name: a\n        use: m\n        if: input_tokens > 1\n          && foo\n';
    expect(locateToken(yaml, 'foo')).toEqual({ line: 11, column: 14 });
  });

  it('should point one column past the end for an offset at the end of the value', () => {
    const policy = parsePolicy(`${head}      - { name: a, use: m, if: x && }\n`, 'policy.yaml');
    expect(policy.source.locate(['routes', 'r', 'rules', 0, 'if'], { offset: 4 })).toEqual({ line: 8, column: 36 });
  });
});

describe('PolicySource.locate with an offset, more scalar styles', () => {
  it('should point at the scalar start for offset 0 in every style', () => {
    expect(locateToken('      - { name: a, use: m, if: foo > 1 }\n', 'foo')).toEqual({ line: 8, column: 32 });
    expect(locateToken('      - { name: a, use: m, if: "foo > 1" }\n', 'foo')).toEqual({ line: 8, column: 33 });
    expect(locateToken("      - { name: a, use: m, if: 'foo > 1' }\n", 'foo')).toEqual({ line: 8, column: 33 });
    expect(locateToken('      - name: a\n        use: m\n        if: |\n          foo > 1\n', 'foo')).toEqual({
      line: 11,
      column: 11,
    });
  });

  it('should count each escape in a double-quoted scalar as one character of the value', () => {
    // Value: `a\n\x41é\\ && foo` — each escape is 2, 4, 6 or 2 source characters for one value character.
    const yaml = '      - name: a\n        use: m\n        if: "a\\n\\x41\\u00e9\\\\ && foo"\n';
    expect(locateToken(yaml, 'foo')).toEqual({ line: 10, column: 33 });
  });

  it('should follow an escaped line break in a double-quoted scalar', () => {
    const yaml = '      - name: a\n        use: m\n        if: "input_tokens > 1 \\\n          && foo"\n';
    expect(locateToken(yaml, 'foo')).toEqual({ line: 11, column: 14 });
  });

  it('should follow line folding in a multi-line single-quoted scalar', () => {
    const yaml = "      - name: a\n        use: m\n        if: 'model == ''x''\n\n          && foo'\n";
    expect(locateToken(yaml, 'foo')).toEqual({ line: 12, column: 14 });
  });

  it('should point into the first line of a literal block scalar', () => {
    const yaml = '      - name: a\n        use: m\n        if: |\n          has_tools && foo\n          && bar\n';
    expect(locateToken(yaml, 'foo')).toEqual({ line: 11, column: 24 });
  });

  it('should keep more-indented lines of a literal block scalar', () => {
    const yaml = '      - name: a\n        use: m\n        if: |-\n          a &&\n            (b ||\n              foo)\n';
    expect(locateToken(yaml, 'foo')).toEqual({ line: 13, column: 15 });
  });

  it('should follow an explicit indentation indicator', () => {
    // `|2` sets the indentation to 10 (the rule's 8 + 2), so the first line's two extra spaces are content.
    const yaml = '      - name: a\n        use: m\n        if: |2\n            bar\n          && foo\n';
    expect(locateToken(yaml, 'foo')).toEqual({ line: 12, column: 14 });
  });

  it('should point into a folded block scalar with a more-indented line', () => {
    const yaml = '      - name: a\n        use: m\n        if: >\n          a &&\n            b\n          && foo\n';
    expect(locateToken(yaml, 'foo')).toEqual({ line: 13, column: 14 });
  });

  it('should follow Windows line breaks', () => {
    const yaml = '      - name: a\r\n        use: m\r\n        if: |\r\n          input_tokens > 1 &&\r\n          foo\r\n';
    expect(locateToken(yaml, 'foo')).toEqual({ line: 12, column: 11 });
  });

  it('should point one column past the last character of a block scalar for an offset past its end', () => {
    const policy = parsePolicy(`${head}      - name: a\n        use: m\n        if: |\n          x &&\n\n`, 'policy.yaml');
    expect(policy.routes.get('r')?.rules[0]?.if).toBe('x &&\n');
    expect(policy.source.locate(['routes', 'r', 'rules', 0, 'if'], { offset: 99 })).toEqual({ line: 11, column: 15 });
  });

  it('should point at the start of a node that is not a scalar', () => {
    const policy = parsePolicy(`${head}      - { name: a, use: m, if: x }\n`, 'policy.yaml');
    expect(policy.source.locate(['routes', 'r', 'rules', 0], { offset: 3 })).toEqual({ line: 8, column: 9 });
  });
});

describe('PolicySource.locate without an offset', () => {
  const policy = parsePolicy(`${head}      - { name: a, use: m, if: x }\n`, 'policy.yaml');

  it('should point at a value by its path', () => {
    expect(policy.source.locate(['routes', 'r', 'default'])).toEqual({ line: 6, column: 14 });
    expect(policy.source.locate(['routes', 'r', 'rules', 0, 'use'])).toEqual({ line: 8, column: 25 });
    expect(policy.source.locate(['providers', 'p', 'base_url'])).toEqual({ line: 2, column: 45 });
  });

  it('should point at a key with the key option', () => {
    expect(policy.source.locate(['routes'], { key: 'r' })).toEqual({ line: 5, column: 3 });
    expect(policy.source.locate(['routes', 'r', 'rules', 0], { key: 'use' })).toEqual({ line: 8, column: 20 });
  });

  it('should point at the nearest existing parent for a path that is not there', () => {
    expect(policy.source.locate(['routes', 'r', 'fallbacks', 0])).toEqual({ line: 6, column: 5 });
    expect(policy.source.locate(['routes', 'r', 'rules', 5, 'if'])).toEqual({ line: 8, column: 7 });
    expect(policy.source.locate(['routes'], { key: 'nope' })).toEqual({ line: 5, column: 3 });
  });

  it('should point at line 1, column 1 for the empty path', () => {
    expect(policy.source.locate([])).toEqual({ line: 1, column: 1 });
  });
});

describe('PolicySource built without the text', () => {
  const text = 'a: "x\\ty foo"\nb: plain foo\nc: |\n  foo\n';
  const lines = new LineCounter();
  const source = new PolicySource('p.yaml', parseDocument(text, { lineCounter: lines }), lines);

  it('should still map one-line scalars', () => {
    expect(source.locate(['b'], { offset: 6 })).toEqual({ line: 2, column: 10 });
    expect(source.locate(['a'], { offset: 0 })).toEqual({ line: 1, column: 5 });
  });

  it('should fall back to the start of a block scalar', () => {
    expect(source.locate(['c'], { offset: 2 })).toEqual({ line: 3, column: 4 });
  });
});

describe('scalarSourceIndex', () => {
  const styles = [
    'plain text here',
    'plain\n  folded   \n\n\n  more  # comment',
    "'it''s\n  folded\n\n  x'",
    '"a\\"b\\x41BA \\u00e9\\U0001F600z\\\n    cont\\tX\n\n  y "',
    '|\n  line1\n    more\n\n  line3\n\n',
    '|+\n  keep\n\n',
    '|-\n  strip\n',
    '|2\n    deeper\n  base\n',
    '>\n  a\n  b\n\n  c\n    indented\n  d\n',
    '>-\n\n  lead\n  x\n',
    '"a\r\n  b"',
    '|\r\n  a\r\n  b\r\n',
    '12345',
  ];

  it.each(styles)('should map every character of %j to where it is written', (scalar) => {
    const text = `v: ${scalar}\n`;
    const node = parseDocument(text).get('v', true) as Scalar;
    const [start, end] = node.range!;
    const raw = text.slice(start, end);
    const value = typeof node.value === 'string' ? node.value : raw;
    const escaped = node.type === 'QUOTE_DOUBLE' ? /\\(?:x..|u....|U........|.)/gs : /(?!)/g;
    const escapeStarts = new Set([...raw.matchAll(escaped)].map((m) => m.index));
    let previous = -1;
    for (let i = 0; i < value.length; i++) {
      const at = scalarSourceIndex(raw, node.type as ScalarStyle, value, i);
      expect(at, `offset ${i}`).toBeDefined();
      expect(at!, `offset ${i} moves forward`).toBeGreaterThanOrEqual(previous);
      previous = at!;
      const ch = value[i]!;
      if (escapeStarts.has(at!)) expect(raw[at!]).toBe('\\');
      else if (ch === ' ' || ch === '\n') expect([' ', '\n', '\r'], `offset ${i}`).toContain(raw[at!]);
      else expect(raw[at!], `offset ${i}`).toBe(ch);
    }
  });

  it('should give undefined when the value does not match the source', () => {
    expect(scalarSourceIndex('"abc"', 'QUOTE_DOUBLE', 'abd', 1)).toBeUndefined();
    expect(scalarSourceIndex('|\n  abc\n', 'BLOCK_LITERAL', 'xyz\n', 1)).toBeUndefined();
    expect(scalarSourceIndex('"a\\qb"', 'QUOTE_DOUBLE', 'aqb', 1)).toBeUndefined();
  });

  it('should map an offset at or past the end just after the last character', () => {
    expect(scalarSourceIndex("'ab'", 'QUOTE_SINGLE', 'ab', 2)).toBe(3);
    expect(scalarSourceIndex('ab', 'PLAIN', 'ab', 10)).toBe(2);
    expect(scalarSourceIndex('ab', 'PLAIN', 'ab', -3)).toBe(0);
  });
});
