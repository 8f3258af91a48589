import { describe, expect, it } from 'vitest';
import { FAMILY_SHORTCUTS, familyShortcut } from './families.js';
import { availableModels, resolveModel } from './resolve.js';
import { testPolicy } from '../test/server.js';

const policy = testPolicy();

describe('resolveModel()', () => {
  it('should resolve a route to its config', () => {
    const resolved = resolveModel(policy, 'smart');
    expect(resolved.kind).toBe('route');
    expect(resolved.kind === 'route' && resolved.route).toBe(policy.routes.get('smart'));
  });

  it('should resolve an exact ID to its model config', () => {
    const resolved = resolveModel(policy, 'claude-sonnet-4-5-20250929');
    expect(resolved.kind === 'exact' && resolved.model).toBe(policy.models.get('claude-sonnet-4-5-20250929'));
  });

  it('should not resolve routes or exact IDs in another case', () => {
    expect(resolveModel(policy, 'SMART')).toStrictEqual({ kind: 'unknown' });
    expect(resolveModel(policy, 'Claude-Sonnet-4-5-20250929')).toStrictEqual({ kind: 'unknown' });
  });

  it('should resolve a family shortcut to its normalised name', () => {
    expect(resolveModel(policy, 'Claude-Latest')).toStrictEqual({ kind: 'family', family: 'claude' });
    expect(resolveModel(policy, 'GPT-4o')).toStrictEqual({ kind: 'family', family: 'gpt-4o' });
  });

  it('should let the policy win over the family list', () => {
    const own = testPolicy(`
version: 1
providers: { openai: { format: openai, base_url: https://api.openai.com/v1 } }
models: { gpt-4o: { provider: openai } }
routes: { gpt: { default: gpt-4o } }
`);
    expect(resolveModel(own, 'gpt').kind).toBe('route');
    expect(resolveModel(own, 'gpt-4o').kind).toBe('exact');
    expect(resolveModel(own, 'GPT-4o').kind).toBe('family');
  });

  it('should resolve anything else as unknown', () => {
    for (const name of ['foo', '', 'latest', '-latest', 'gpt-latest-latest', 'gpt ', ' claude', 'gpt-4o-2024-08-06-latest']) {
      expect(resolveModel(policy, name), name).toStrictEqual({ kind: 'unknown' });
    }
  });
});

describe('familyShortcut()', () => {
  it('should recognise every listed family in any case, with and without -latest', () => {
    expect(FAMILY_SHORTCUTS.size).toBeGreaterThan(20);
    for (const family of FAMILY_SHORTCUTS) {
      expect(family, 'the list is kept lowercase').toBe(family.toLowerCase());
      expect(familyShortcut(family)).toBe(family);
      expect(familyShortcut(family.toUpperCase())).toBe(family);
      expect(familyShortcut(`${family}-latest`)).toBe(family);
      expect(familyShortcut(`${family.toUpperCase()}-LATEST`)).toBe(family);
    }
  });

  it('should not treat versioned IDs as families', () => {
    for (const id of [
      'gpt-4o-2024-08-06',
      'claude-sonnet-4-5-20250929',
      'gemini-2.5-pro',
      'llama-3.3-70b-versatile',
      'o3-2025-04-16',
    ]) {
      expect(familyShortcut(id), id).toBeUndefined();
    }
  });
});

describe('availableModels()', () => {
  it('should list routes, then exact IDs, each in policy order', () => {
    expect(availableModels(policy)).toStrictEqual([
      'smart',
      'cheap',
      'gpt-4o-2024-08-06',
      'claude-sonnet-4-5-20250929',
      'llama-3.3-70b-versatile',
    ]);
  });
});
