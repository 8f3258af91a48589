import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadPolicyFile, parsePolicy } from './load.js';
import { formatProblem, PolicyError } from './policy-error.js';
import { DESIGN_ENV, DESIGN_POLICY } from '../../test/policy.js';

/** A small valid policy; the comments give each line's number, which the expected errors refer to. */
const BASE = `${[
  'version: 1', //                                    1
  'providers:', //                                    2
  '  openai:', //                                     3
  '    format: openai', //                            4
  '    base_url: https://api.openai.com/v1', //       5
  '    credentials:', //                              6
  '      - env: OPENAI_API_KEY', //                   7
  'models:', //                                       8
  '  gpt-4o:', //                                     9
  '    provider: openai', //                         10
  '    context_window: 128000', //                   11
  'routes:', //                                      12
  '  smart:', //                                     13
  '    default: gpt-4o', //                          14
  '    rules:', //                                   15
  '      - name: schema', //                         16
  '        if: has_schema', //                       17
  '        use: gpt-4o', //                          18
  '    fallbacks: [gpt-4o]', //                      19
].join('\n')}\n`;

const ENV = { OPENAI_API_KEY: 'sk-test-1' };

/** BASE with `from` (which must occur exactly once) replaced by `to`. */
function edit(from: string, to: string, text = BASE): string {
  expect(text.split(from).length - 1, `"${from}" occurs once`).toBe(1);
  return text.replace(from, to);
}

/** The problems a policy that must not load is rejected with, each as `file:line:col: message`. */
function problemsOf(text: string, env: Record<string, string | undefined> = ENV): string[] {
  let error: unknown;
  try {
    parsePolicy(text, 'policy.yaml', { env });
  } catch (err) {
    error = err;
  }
  expect(error, 'the policy must not load').toBeInstanceOf(PolicyError);
  const policyError = error as PolicyError;
  expect(policyError.name).toBe('PolicyError');
  const lines = policyError.problems.map(formatProblem);
  expect(policyError.message).toBe(lines.join('\n'));
  return lines;
}

describe('parsePolicy with a valid policy', () => {
  const policy = parsePolicy(DESIGN_POLICY, 'policy.yaml', { env: DESIGN_ENV });

  it('should load the version, the default time zone and the file name', () => {
    expect(policy.version).toBe(1);
    expect(policy.timezone).toBe('UTC');
    expect(policy.source.file).toBe('policy.yaml');
  });

  it('should load providers in file order with base URLs without trailing slashes', () => {
    expect([...policy.providers.keys()]).toEqual(['openai', 'anthropic', 'groq', 'gemini']);
    const summary = [...policy.providers.values()].map((p) => ({ name: p.name, format: p.format, baseUrl: p.baseUrl }));
    expect(summary).toEqual([
      { name: 'openai', format: 'openai', baseUrl: 'https://api.openai.com/v1' },
      { name: 'anthropic', format: 'anthropic', baseUrl: 'https://api.anthropic.com' },
      { name: 'groq', format: 'openai', baseUrl: 'https://api.groq.com/openai/v1' },
      { name: 'gemini', format: 'gemini', baseUrl: 'https://generativelanguage.googleapis.com/v1beta' },
    ]);
  });

  it('should load credentials in order with their index, env var name and value', () => {
    const openai = policy.providers.get('openai')!;
    expect(openai.credentials.map((c) => ({ index: c.index, env: c.env, key: c.secret.reveal() }))).toEqual([
      { index: 0, env: 'OPENAI_API_KEY', key: 'sk-openai-primary-3f9a1c' },
      { index: 1, env: 'OPENAI_API_KEY_BACKUP', key: 'sk-openai-backup-77d0e2' },
    ]);
    const anthropic = policy.providers.get('anthropic')!;
    expect(anthropic.credentials.map((c) => [c.index, c.env, c.secret.reveal()])).toEqual([
      [0, 'ANTHROPIC_API_KEY', 'sk-ant-api03-b5c6d7'],
    ]);
  });

  it('should load models with provider, context window, capabilities and price', () => {
    expect([...policy.models.keys()]).toEqual([
      'gpt-4o-2024-08-06',
      'claude-sonnet-4-5-20250929',
      'llama-3.3-70b-versatile',
      'gemini-2.5-pro',
    ]);
    expect(policy.models.get('gpt-4o-2024-08-06')).toEqual({
      id: 'gpt-4o-2024-08-06',
      provider: 'openai',
      contextWindow: 128000,
      capabilities: new Set(['tools', 'json_schema', 'streaming', 'vision']),
      price: { input: 2.5, output: 10, cachedInput: 1.25 },
    });
    expect(policy.models.get('claude-sonnet-4-5-20250929')).toEqual({
      id: 'claude-sonnet-4-5-20250929',
      provider: 'anthropic',
      contextWindow: 200000,
      capabilities: new Set(['tools', 'streaming', 'vision']),
      price: { input: 3, output: 15, cachedInput: undefined },
    });
    const gemini = policy.models.get('gemini-2.5-pro')!;
    expect(gemini.capabilities.size).toBe(0);
    expect(gemini.price).toBeUndefined();
  });

  it('should load declared signals as JSONPath or lower-cased header sources', () => {
    expect([...policy.signals.values()]).toEqual([
      { name: 'priority', type: 'string', from: { kind: 'jsonpath', path: '$.metadata.priority' }, record: 'value' },
      { name: 'user_tier', type: 'string', from: { kind: 'header', header: 'x-user-tier' }, record: 'value' },
    ]);
  });

  it('should record a signal read from the prompt by presence unless the policy says value', () => {
    const signals = (yaml: string) =>
      [...parsePolicy(`version: 1\nproviders: {}\nmodels: {}\nsignals:\n${yaml}`, 'p.yaml', { env: {} }).signals.values()].map(
        (s) => `${s.name}:${s.record}`,
      );
    expect(
      signals(
        [
          '  a: { from: "$.messages[0].content", type: string }',
          '  b: { from: "$..priority", type: string }',
          '  c: { from: "$.input", type: string }',
          '  d: { from: "$.metadata.tier", type: string }',
          '  e: { from: "$.messages[0].content", type: string, record: value }',
          '  f: { from: "$.metadata.note", type: string, record: presence }',
          '  g: { from: "$.messagesCount", type: int }',
        ].join('\n'),
      ),
    ).toEqual(['a:presence', 'b:presence', 'c:presence', 'd:value', 'e:value', 'f:presence', 'g:value']);
  });

  it('should load routes with their rules in order, default and fallbacks', () => {
    expect([...policy.routes.keys()]).toEqual(['smart']);
    expect(policy.routes.get('smart')).toEqual({
      name: 'smart',
      default: 'claude-sonnet-4-5-20250929',
      rules: [
        { name: 'long-context', if: 'input_tokens > 100000', use: 'gemini-2.5-pro' },
        { name: 'schema', if: 'has_schema', use: 'gpt-4o-2024-08-06' },
        { name: 'burn-rate', if: 'monthly_spend_pct > 0.8', use: 'llama-3.3-70b-versatile' },
      ],
      fallbacks: ['gpt-4o-2024-08-06'],
    });
  });

  it('should keep where each part was written', () => {
    expect(policy.source.locate(['routes', 'smart', 'rules', 1, 'if'])).toEqual({ line: 35, column: 13 });
    expect(policy.source.locate(['models', 'llama-3.3-70b-versatile', 'provider'])).toEqual({ line: 20, column: 43 });
  });

  it('should default signals and routes to empty, rules and fallbacks to empty lists', () => {
    const minimal = parsePolicy('version: 1\nproviders: {}\nmodels: {}\n', 'minimal.yaml', { env: {} });
    expect(minimal.signals.size).toBe(0);
    expect(minimal.routes.size).toBe(0);
    const strict = parsePolicy(
      edit('    rules:\n      - name: schema\n        if: has_schema\n        use: gpt-4o\n    fallbacks: [gpt-4o]\n', ''),
      'p.yaml',
      { env: ENV },
    );
    expect(strict.routes.get('smart')).toEqual({ name: 'smart', default: 'gpt-4o', rules: [], fallbacks: [] });
  });

  it('should accept a top-level IANA time zone', () => {
    const policy = parsePolicy(edit('version: 1\n', 'version: 1\ntimezone: Europe/Berlin\n'), 'policy.yaml', { env: ENV });
    expect(policy.timezone).toBe('Europe/Berlin');
  });

  it('should read credentials from process.env when no env is given', () => {
    vi.stubEnv('OPENAI_API_KEY', 'sk-from-process-env');
    try {
      const policy = parsePolicy(BASE, 'policy.yaml');
      expect(policy.providers.get('openai')!.credentials[0]!.secret.reveal()).toBe('sk-from-process-env');
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe('parsePolicy with a wrong policy', () => {
  it('should report a YAML syntax error at its position', () => {
    expect(problemsOf(edit('    provider: openai', '    provider: openai: x'))).toEqual([
      'policy.yaml:10:15: YAML: Nested mappings are not allowed in compact mappings',
    ]);
  });

  it('should report an unclosed flow sequence where the text ends', () => {
    expect(problemsOf(edit('fallbacks: [gpt-4o]', 'fallbacks: [gpt-4o'))).toEqual([
      'policy.yaml:20:1: YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
  });

  it('should report a duplicate key at the second occurrence', () => {
    expect(problemsOf(edit('    context_window: 128000\n', '    context_window: 128000\n    context_window: 64000\n'))).toEqual([
      'policy.yaml:12:5: YAML: Map keys must be unique',
    ]);
  });

  it('should report an alias to an undefined anchor at the alias', () => {
    expect(problemsOf(edit('    default: gpt-4o', '    default: *model'))).toEqual([
      'policy.yaml:14:14: YAML: Unresolved alias (the anchor must be set before the alias): model',
    ]);
  });

  it('should report aliases that expand past the safety limit at the first alias', () => {
    const bomb = [
      'x1: &a [y, y, y, y, y, y, y, y, y, y]', //          20
      'x2: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]', // 21
      'x3: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]', // 22
      'x4: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]', //    23
    ].join('\n');
    expect(problemsOf(`${BASE}${bomb}\n`)).toEqual([
      'policy.yaml:21:9: YAML: Excessive alias count indicates a resource exhaustion attack',
    ]);
  });

  it('should reject version 2', () => {
    expect(problemsOf(edit('version: 1', 'version: 2'))).toEqual(['policy.yaml:1:10: version: Invalid input: expected 1']);
  });

  it('should report an unknown top-level key at the key', () => {
    expect(problemsOf(`${BASE}retries: { attempts: 2 }\n`)).toEqual(['policy.yaml:20:1: unknown key "retries"']);
  });

  it('should report an unknown nested key at the key', () => {
    expect(problemsOf(edit('    context_window: 128000\n', '    context_window: 128000\n    contex_window: 1\n'))).toEqual([
      'policy.yaml:12:5: models.gpt-4o: unknown key "contex_window"',
    ]);
  });

  it('should report an unknown key inside a rule at the key', () => {
    expect(problemsOf(edit('        use: gpt-4o', '        use: gpt-4o\n        then: stop'))).toEqual([
      'policy.yaml:19:9: routes.smart.rules.0: unknown key "then"',
    ]);
  });

  it('should report a value of the wrong type at the value', () => {
    expect(problemsOf(edit('context_window: 128000', 'context_window: "big"'))).toEqual([
      'policy.yaml:11:21: models.gpt-4o.context_window: Invalid input: expected number, received string',
    ]);
  });

  it('should reject a base_url that is not an http(s) URL', () => {
    expect(problemsOf(edit('https://api.openai.com/v1', 'ftp://api.openai.com/v1'))).toEqual([
      'policy.yaml:5:15: providers.openai.base_url: must be an http(s) URL',
    ]);
    expect(problemsOf(edit('https://api.openai.com/v1', 'api.openai.com'))).toEqual([
      'policy.yaml:5:15: providers.openai.base_url: must be an http(s) URL',
    ]);
  });

  it('should report a missing required field at its parent', () => {
    expect(problemsOf(edit('    default: gpt-4o\n', ''))).toEqual([
      'policy.yaml:14:5: routes.smart.default: Invalid input: expected string, received undefined',
    ]);
  });

  it('should report a signal name that is not lower_snake_case at the name', () => {
    expect(problemsOf(`${BASE}signals:\n  userTier: { from: "header:x-user-tier", type: string }\n`)).toEqual([
      'policy.yaml:21:3: signals: key "userTier": signal names are lower_snake_case',
    ]);
  });

  it('should reject a rule that uses a model not in models', () => {
    expect(problemsOf(edit('        use: gpt-4o', '        use: gpt-5'))).toEqual([
      'policy.yaml:18:14: rule "schema" uses model "gpt-5" that is not in models (models: gpt-4o)',
    ]);
  });

  it('should reject a fallback that names an unknown model', () => {
    expect(problemsOf(edit('fallbacks: [gpt-4o]', 'fallbacks: [gpt-4o, gpt-9]'))).toEqual([
      'policy.yaml:19:25: route "smart" fallback uses model "gpt-9" that is not in models (models: gpt-4o)',
    ]);
  });

  it('should reject a route default that is an unknown model', () => {
    expect(problemsOf(edit('    default: gpt-4o', '    default: gpt-4'))).toEqual([
      'policy.yaml:14:14: route "smart" default uses model "gpt-4" that is not in models (models: gpt-4o)',
    ]);
  });

  it('should reject a model pinned to an unknown provider', () => {
    expect(problemsOf(edit('    provider: openai', '    provider: azure'))).toEqual([
      'policy.yaml:10:15: model "gpt-4o" is pinned to unknown provider "azure" (providers: openai)',
    ]);
  });

  it('should reject a credential whose env var is unset', () => {
    expect(problemsOf(BASE, {})).toEqual(['policy.yaml:7:14: credential env var OPENAI_API_KEY is not set']);
    expect(problemsOf(BASE, { OPENAI_API_KEY: undefined })).toEqual([
      'policy.yaml:7:14: credential env var OPENAI_API_KEY is not set',
    ]);
  });

  it('should reject a credential whose env var is empty', () => {
    expect(problemsOf(BASE, { OPENAI_API_KEY: '' })).toEqual(['policy.yaml:7:14: credential env var OPENAI_API_KEY is not set']);
  });

  it('should reject a credential env var that is not a variable name', () => {
    expect(problemsOf(edit('env: OPENAI_API_KEY', 'env: sk-live-123'))).toEqual([
      'policy.yaml:7:14: providers.openai.credentials.0.env: must be an environment variable name',
    ]);
  });

  it('should reject a route named like a model, at the route name', () => {
    expect(problemsOf(edit('  smart:', '  gpt-4o:'))).toEqual([
      'policy.yaml:13:3: route "gpt-4o" has the same name as a model; clients could not tell them apart',
    ]);
  });

  it('should reject two rules with the same name, at the second', () => {
    const twice = edit('    fallbacks', '      - name: schema\n        if: has_tools\n        use: gpt-4o\n    fallbacks');
    expect(problemsOf(twice)).toEqual(['policy.yaml:19:15: route "smart" has two rules named "schema"']);
  });

  it('should reject a rule named default', () => {
    expect(problemsOf(edit('name: schema', 'name: default'))).toEqual([
      'policy.yaml:16:15: "default" is reserved for the route\'s default',
    ]);
  });

  it('should reject a time zone that is not an IANA zone', () => {
    expect(problemsOf(edit('version: 1\n', 'version: 1\ntimezone: Mars/Olympus_Mons\n'))).toEqual([
      'policy.yaml:2:11: timezone: must be an IANA time zone such as "UTC" or "Europe/Berlin"',
    ]);
  });

  it('should reject an empty file, naming every missing section', () => {
    expect(problemsOf('')).toEqual([
      'policy.yaml:1:1: version: Invalid input: expected 1',
      'policy.yaml:1:1: providers: Invalid input: expected record, received undefined',
      'policy.yaml:1:1: models: Invalid input: expected record, received undefined',
    ]);
  });

  it('should list every schema problem in one error', () => {
    let text = edit('https://api.openai.com/v1', 'not-a-url');
    text = edit('context_window: 128000', 'context_window: -5', text);
    text = edit('    fallbacks: [gpt-4o]\n', '    fallbacks: [gpt-4o]\n    retries: 3\n', text);
    text = edit('version: 1', 'version: "1"', text);
    expect(problemsOf(text)).toEqual([
      'policy.yaml:1:10: version: Invalid input: expected 1',
      'policy.yaml:5:15: providers.openai.base_url: must be an http(s) URL',
      'policy.yaml:11:21: models.gpt-4o.context_window: Too small: expected number to be >0',
      'policy.yaml:20:5: routes.smart: unknown key "retries"',
    ]);
  });

  it('should list every cross-reference problem in one error', () => {
    let text = edit('    provider: openai', '    provider: azure');
    text = edit('    default: gpt-4o', '    default: gpt-4', text);
    text = edit('        use: gpt-4o', '        use: gpt-5', text);
    text = edit('fallbacks: [gpt-4o]', 'fallbacks: [gpt-6]', text);
    text = edit('name: schema', 'name: default', text);
    expect(problemsOf(text, {})).toEqual([
      'policy.yaml:7:14: credential env var OPENAI_API_KEY is not set',
      'policy.yaml:10:15: model "gpt-4o" is pinned to unknown provider "azure" (providers: openai)',
      'policy.yaml:14:14: route "smart" default uses model "gpt-4" that is not in models (models: gpt-4o)',
      'policy.yaml:16:15: "default" is reserved for the route\'s default',
      'policy.yaml:18:14: rule "default" uses model "gpt-5" that is not in models (models: gpt-4o)',
      'policy.yaml:19:17: route "smart" fallback uses model "gpt-6" that is not in models (models: gpt-4o)',
    ]);
  });

  it('should name the file it was given', () => {
    expect(() => parsePolicy('version: 2\nproviders: {}\nmodels: {}\n', 'conf/prod.yaml', { env: {} })).toThrow(
      'conf/prod.yaml:1:10: version: Invalid input: expected 1',
    );
  });
});

describe('loadPolicyFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-core-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('should load a policy file from disk', async () => {
    const file = join(dir, 'policy.yaml');
    await writeFile(file, DESIGN_POLICY);
    const policy = await loadPolicyFile(file, { env: DESIGN_ENV });
    expect([...policy.routes.keys()]).toEqual(['smart']);
    expect(policy.source.file).toBe(file);
  });

  it('should name the file path in a PolicyError', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, edit('version: 1', 'version: 2'));
    await expect(loadPolicyFile(file, { env: ENV })).rejects.toThrow(
      new PolicyError([{ file, line: 1, column: 10, message: 'version: Invalid input: expected 1' }]).message,
    );
  });

  it('should reject a missing file with an Error naming the path', async () => {
    const file = join(dir, 'missing.yaml');
    const error: unknown = await loadPolicyFile(file, { env: ENV }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(PolicyError);
    expect((error as Error).message).toBe(`cannot read policy file ${file}: ENOENT: no such file or directory, open '${file}'`);
    expect((error as Error & { cause: { code: string } }).cause.code).toBe('ENOENT');
  });
});
