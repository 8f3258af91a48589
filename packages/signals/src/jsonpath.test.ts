import { JSONPath } from 'jsonpath-plus';
import { describe, expect, it } from 'vitest';
import { firstMatch } from './jsonpath.js';

const DOC = {
  model: 'smart',
  empty: '',
  zero: 0,
  metadata: { priority: 'high', nested: { deep: [10, 20] }, 'the.tags': 'a,b', nothing: null },
  messages: [
    { role: 'user', content: 'first' },
    { role: 'user', content: 'second' },
  ],
};

describe('firstMatch', () => {
  it('should agree with jsonpath-plus on plain member paths', () => {
    const paths = [
      '$',
      '$.model',
      '$.model.length',
      '$.model.0',
      '$.empty.length',
      '$.zero.x',
      '$.metadata.priority',
      '$.metadata.nested.deep',
      '$.metadata.nested.deep.1',
      '$.metadata.nested.deep.length',
      '$.metadata.nothing',
      '$.metadata.nothing.x',
      '$.messages[1].content',
      '$.missing.path',
      '$.metadata.toString',
      '$.metadata.__proto__',
      '$.metadata.constructor',
    ];
    for (const path of paths) {
      const expected = (JSONPath({ path, json: DOC, wrap: true }) as unknown[])[0];
      expect(firstMatch(path)(DOC), path).toEqual(expected);
      expect(firstMatch(path).name, path).toBe('plainPath');
    }
  });

  it('should return the first of several matches, and a lone array match whole', () => {
    expect(firstMatch('$.messages[*].content')(DOC)).toBe('first');
    expect(firstMatch("$.messages[?(@.role == 'user')].content")(DOC)).toBe('first');
    expect(firstMatch('$..deep')(DOC)).toEqual([10, 20]);
    expect(firstMatch("$.metadata['the.tags']")(DOC)).toBe('a,b');
    expect(firstMatch('$..nope')(DOC)).toBeUndefined();
  });
});
