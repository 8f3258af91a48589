// `given` values: typed by the signal they name, refused when they cannot be.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { givenPairs, parseGiven } from './given.js';
import { ExplainInputError } from './input-error.js';

const TYPES = new Map([
  ['hour_local', 'int'],
  ['monthly_spend_pct', 'double'],
  ['has_tools', 'bool'],
  ['owner', 'string'],
] as const);

describe('parseGiven', () => {
  it('should type values written on a command line', () => {
    const given = parseGiven(givenPairs(['hour_local=23', 'monthly_spend_pct=0.9', 'has_tools=true', 'owner=team=a']), TYPES);
    expect([...given]).toEqual([
      ['hour_local', 23],
      ['monthly_spend_pct', 0.9],
      ['has_tools', true],
      ['owner', 'team=a'],
    ]);
  });

  it('should take values already typed (a YAML test file)', () => {
    expect([...parseGiven({ hour_local: 7, has_tools: false, owner: 'x' }, TYPES)]).toEqual([
      ['hour_local', 7],
      ['has_tools', false],
      ['owner', 'x'],
    ]);
  });

  it('should refuse a pair without a name, an unknown signal and values of the wrong type', () => {
    expect(() => givenPairs(['=3'])).toThrow(ExplainInputError);
    expect(() => givenPairs(['hour_local'])).toThrow(/write it as name=value/);
    expect(() => parseGiven({ hour: 3 }, TYPES)).toThrow(
      /no such signal; rules can read has_tools, hour_local, monthly_spend_pct, owner/,
    );
    expect(() => parseGiven({ hour_local: '23.5' }, TYPES)).toThrow(/hour_local is an int/);
    expect(() => parseGiven({ hour_local: 2 ** 60 }, TYPES)).toThrow(/hour_local is an int/);
    expect(() => parseGiven({ monthly_spend_pct: 'lots' }, TYPES)).toThrow(/monthly_spend_pct is a double/);
    expect(() => parseGiven({ monthly_spend_pct: '' }, TYPES)).toThrow(/is a double/);
    expect(() => parseGiven({ has_tools: 'yes' }, TYPES)).toThrow(/has_tools is a bool/);
  });

  it('should read back any safe integer written as text', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }), (n) => {
        expect(parseGiven({ hour_local: String(n) }, TYPES).get('hour_local')).toBe(n);
      }),
    );
  });

  it('should read back any finite double written as text', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        expect(parseGiven({ monthly_spend_pct: String(x) }, TYPES).get('monthly_spend_pct')).toBe(x === 0 ? 0 : x);
      }),
    );
  });

  it('should type any text or refuse it, and never throw anything else', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        for (const name of TYPES.keys()) {
          try {
            const value = parseGiven({ [name]: text }, TYPES).get(name);
            expect(['number', 'boolean', 'string']).toContain(typeof value);
          } catch (err) {
            expect(err).toBeInstanceOf(ExplainInputError);
          }
        }
      }),
    );
  });
});
