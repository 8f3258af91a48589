import { format, inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parsePolicy } from './load.js';
import { Secret } from './secret.js';
import { DESIGN_ENV, DESIGN_POLICY } from '../../test/policy.js';

const KEYS = Object.values(DESIGN_ENV);

/** Fails naming the key when any provider key appears in `text`. */
function expectNoKey(text: string): void {
  for (const key of KEYS) expect(text, `leaks ${key}`).not.toContain(key);
}

describe('Secret', () => {
  const secret = new Secret('sk-live-abc123');

  it('should reveal its value only through reveal()', () => {
    expect(secret.reveal()).toBe('sk-live-abc123');
  });

  it('should print as [redacted] as a string', () => {
    expect(String(secret)).toBe('[redacted]');
    expect(`${secret}`).toBe('[redacted]');
    expect(`key=${secret}`).toBe('key=[redacted]');
    expect(format('%s', secret)).toBe('[redacted]');
  });

  it('should serialise as "[redacted]" in JSON', () => {
    expect(JSON.stringify(secret)).toBe('"[redacted]"');
    expect(JSON.stringify({ secret })).toBe('{"secret":"[redacted]"}');
  });

  it('should inspect as Secret([redacted])', () => {
    expect(inspect(secret)).toBe('Secret([redacted])');
    expect(inspect({ secret }, { depth: 10 })).toBe('{ secret: Secret([redacted]) }');
    expect(format('%o', secret)).toBe('Secret([redacted])');
    expect(format('%j', { secret })).toBe('{"secret":"[redacted]"}');
  });

  it('should have no enumerable properties that could carry the value', () => {
    expect(Object.keys(secret)).toEqual([]);
    expect(Object.entries({ ...secret })).toEqual([]);
  });
});

describe('Secrets in a loaded policy', () => {
  const policy = parsePolicy(DESIGN_POLICY, 'policy.yaml', { env: DESIGN_ENV });
  const credentials = [...policy.providers.values()].flatMap((p) => p.credentials);

  it('should hold every provider key', () => {
    expect(credentials.map((c) => c.secret.reveal()).sort()).toEqual([...KEYS].sort());
  });

  it('should never appear in JSON.stringify of the policy or of its providers', () => {
    expectNoKey(JSON.stringify(policy));
    const providers = JSON.stringify([...policy.providers.values()]);
    expectNoKey(providers);
    expect(providers).toContain('{"index":0,"env":"OPENAI_API_KEY","secret":"[redacted]"}');
  });

  it('should never appear in String() of a credential secret', () => {
    for (const { secret } of credentials) expect(String(secret)).toBe('[redacted]');
  });

  it('should never appear in util.inspect of the policy', () => {
    const inspected = inspect(policy, { depth: 10 });
    expectNoKey(inspected);
    expect(inspected).toContain('Secret([redacted])');
    expectNoKey(inspect(policy, { depth: Infinity, showHidden: true }));
  });

  it('should never appear in a PolicyError from the same environment', () => {
    let message = '';
    try {
      parsePolicy(DESIGN_POLICY.replace('use: gemini-2.5-pro', 'use: gemini-9'), 'policy.yaml', { env: DESIGN_ENV });
    } catch (err) {
      message = `${(err as Error).message}\n${inspect(err, { depth: 10 })}`;
    }
    expect(message).toContain('rule "long-context" uses model "gemini-9"');
    expectNoKey(message);
  });
});
