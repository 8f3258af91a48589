// Loading with `secrets: 'defer'` (switchyard check in CI) against the default `'require'` (serving).
import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePolicy, type LoadPolicyOptions } from './load.js';
import { formatProblem, PolicyError } from './policy-error.js';
import { Secret } from './secret.js';

/** Every kind of secret a policy reads from the environment; the line comments are the line numbers. */
const POLICY = `${[
  'version: 1', //                                                                          1
  'providers:', //                                                                          2
  '  openai:', //                                                                           3
  '    format: openai', //                                                                  4
  '    base_url: https://api.openai.com/v1', //                                             5
  '    credentials:', //                                                                    6
  '      - env: OPENAI_API_KEY', //                                                         7
  '      - env: OPENAI_API_KEY_BACKUP', //                                                  8
  '  groq: { format: openai, base_url: https://api.groq.com/v1, credentials: [{ env: OPENAI_API_KEY }] }', // 9
  'models:', //                                                                            10
  '  gpt-4o: { provider: openai, max_output_tokens: 100, price: { input: 1, output: 2 } }', // 11
  'routes:', //                                                                            12
  '  smart: { default: gpt-4o }', //                                                       13
  'budgets:', //                                                                           14
  '  store: { redis: { url: { env: REDIS_URL } } }', //                                    15
  '  owners: { team: { monthly_usd: 5, hard_stop: true } }', //                            16
  '  admin_key: { env: ADMIN_KEY }', //                                                    17
  'keys:', //                                                                              18
  '  - { name: a, secret: { env: KEY_A }, owner: team }', //                               19
  '  - { name: b, secret: { env: KEY_B }, owner: team }', //                               20
  `  - { name: c, secret: { sha256: ${'ab'.repeat(32)} }, owner: team }`, //              21
].join('\n')}\n`;

const ENV: Readonly<Record<string, string>> = {
  OPENAI_API_KEY: 'sk-openai-value-1111',
  OPENAI_API_KEY_BACKUP: 'sk-openai-backup-2222',
  REDIS_URL: 'redis://:redis-password-3333@127.0.0.1:6379',
  ADMIN_KEY: 'admin-value-4444',
  KEY_A: 'client-a-value-5555',
  KEY_B: 'client-b-value-6666',
};
const NAMES = Object.keys(ENV);

const USED_BY: Readonly<Record<string, readonly string[]>> = {
  OPENAI_API_KEY: ['providers.openai.credentials[0]', 'providers.groq.credentials[0]'],
  OPENAI_API_KEY_BACKUP: ['providers.openai.credentials[1]'],
  REDIS_URL: ['budgets.store.redis.url'],
  ADMIN_KEY: ['budgets.admin_key'],
  KEY_A: ['keys[0].secret'],
  KEY_B: ['keys[1].secret'],
};

/** Where each variable's name is written (the value of its `env:`), as `line:column`. */
const WHERE: Readonly<Record<string, string>> = {
  OPENAI_API_KEY: '7:14',
  OPENAI_API_KEY_BACKUP: '8:14',
  REDIS_URL: '15:33',
  ADMIN_KEY: '17:21',
  KEY_A: '19:31',
  KEY_B: '20:31',
};

function load(env: Record<string, string | undefined>, secrets?: LoadPolicyOptions['secrets'], text = POLICY) {
  return parsePolicy(text, 'policy.yaml', { env, secrets });
}

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(PolicyError);
    return (err as PolicyError).problems.map(formatProblem);
  }
  throw new Error('the policy loaded');
}

/** Every value of ENV that `text` contains. */
function leakedValues(text: string): string[] {
  return Object.values(ENV).filter((v) => text.includes(v));
}

describe("secrets: 'require' (the default)", () => {
  const unset = [
    'policy.yaml:7:14: credential env var OPENAI_API_KEY is not set',
    'policy.yaml:8:14: credential env var OPENAI_API_KEY_BACKUP is not set',
    'policy.yaml:9:83: credential env var OPENAI_API_KEY is not set',
    'policy.yaml:15:33: budget store env var REDIS_URL is not set',
    'policy.yaml:17:21: admin key env var ADMIN_KEY is not set',
    'policy.yaml:19:31: key "a" env var KEY_A is not set',
    'policy.yaml:20:31: key "b" env var KEY_B is not set',
  ];

  it('should reject every unset variable at its env: with the same message, by default and when asked', () => {
    expect(problemsOf(() => load({}))).toEqual(unset);
    expect(problemsOf(() => load({}, 'require'))).toEqual(unset);
  });

  it('should count an empty variable as unset', () => {
    expect(problemsOf(() => load({ ...ENV, KEY_B: '' }))).toEqual(['policy.yaml:20:31: key "b" env var KEY_B is not set']);
  });

  it('should load with every variable set and list them all as set, in the order the policy names them', () => {
    const policy = load(ENV);
    expect(policy.requiredEnv).toEqual(NAMES.map((name) => ({ name, usedBy: USED_BY[name], set: true })));
    expect(policy.providers.get('openai')?.credentials[0]?.secret.reveal()).toBe(ENV.OPENAI_API_KEY);
  });

  it('should list no variable for a policy that reads none', () => {
    const text =
      'version: 1\nproviders: { local: { format: openai, base_url: http://127.0.0.1:9/v1 } }\nmodels: { m: { provider: local } }\n';
    expect(load({}, 'require', text).requiredEnv).toEqual([]);
  });
});

describe("secrets: 'defer'", () => {
  const policy = load({}, 'defer');

  it('should load without any variable and list each one as unset, with where it is used', () => {
    expect(policy.requiredEnv).toEqual(NAMES.map((name) => ({ name, usedBy: USED_BY[name], set: false })));
  });

  it('should give every unset variable a Secret that throws a clear error when revealed', () => {
    const credential = policy.providers.get('openai')?.credentials[1];
    expect(credential?.secret.isSet).toBe(false);
    expect(() => credential?.secret.reveal()).toThrow(
      "providers.openai.credentials[1]: env var OPENAI_API_KEY_BACKUP was not set when the policy was loaded (secrets: 'defer')",
    );
    const store = policy.budgets?.store;
    expect(store?.kind === 'redis' && (() => store.url.reveal())).toThrow(/budgets\.store\.redis\.url: env var REDIS_URL/);
    expect(() => policy.budgets?.adminKeyDigest?.reveal()).toThrow(/budgets\.admin_key: env var ADMIN_KEY/);
    expect(() => policy.keys?.[0]?.digest.reveal()).toThrow(/keys\[0\]\.secret: env var KEY_A/);
    expect(policy.keys?.[2]?.digest.reveal()).toBe('ab'.repeat(32));
  });

  it('should print an unset Secret as redacted, and say it is unset only in inspect()', () => {
    const secret = Secret.unset('X', 'here');
    expect(`${secret}`).toBe('[redacted]');
    expect(JSON.stringify({ secret })).toBe('{"secret":"[redacted]"}');
    expect(inspect(secret)).toBe('Secret([unset])');
    expect(new Secret('v').isSet).toBe(true);
    expect(new Secret('').isSet).toBe(true);
  });

  it('should use the variables that are set as usual', () => {
    const some = load({ OPENAI_API_KEY: ENV.OPENAI_API_KEY, KEY_A: ENV.KEY_A }, 'defer');
    expect(some.providers.get('groq')?.credentials[0]?.secret.reveal()).toBe(ENV.OPENAI_API_KEY);
    expect(some.keys?.[0]?.digest.reveal()).toBe(createHash('sha256').update(ENV.KEY_A!).digest('hex'));
    expect(some.requiredEnv.filter((v) => v.set).map((v) => v.name)).toEqual(['OPENAI_API_KEY', 'KEY_A']);
  });

  it('should still reject everything else, without the unset variables among the problems', () => {
    const broken = POLICY.replace('smart: { default: gpt-4o }', 'smart: { default: gpt-5 }');
    expect(problemsOf(() => load({}, 'defer', broken))).toEqual([
      'policy.yaml:13:21: route "smart" default uses model "gpt-5" that is not in models (models: gpt-4o)',
    ]);
  });

  it('should still find two keys with the same secret among those that are set', () => {
    const same = { ...ENV, KEY_B: ENV.KEY_A! };
    const expected = ['policy.yaml:20:24: keys "a" and "b" have the same secret; a call could not tell whose it is'];
    expect(problemsOf(() => load(same, 'defer'))).toEqual(expected);
    expect(problemsOf(() => load(same, 'require'))).toEqual(expected);
    expect(load({ KEY_A: ENV.KEY_A }, 'defer').keys).toHaveLength(3);
  });

  it('should never put a value into the list, the policy or its errors', () => {
    const some = load({ OPENAI_API_KEY: ENV.OPENAI_API_KEY, REDIS_URL: ENV.REDIS_URL, KEY_B: ENV.KEY_B }, 'defer');
    expect(leakedValues(JSON.stringify(some.requiredEnv))).toEqual([]);
    expect(leakedValues(inspect(some, { depth: Infinity, showHidden: true }))).toEqual([]);
    let message = '';
    try {
      load(ENV, 'defer', POLICY.replace('gpt-4o: {', 'gpt-4o: { nope: 1,'));
    } catch (err) {
      message = `${(err as Error).message}\n${inspect(err, { depth: 10 })}`;
    }
    expect(message).toContain('unknown key "nope"');
    expect(leakedValues(message)).toEqual([]);
  });
});

describe('any subset of the variables set', () => {
  const subsets = fc.subarray(NAMES);
  const envOf = (names: readonly string[]) => Object.fromEntries(names.map((n) => [n, ENV[n]]));

  it("should load with 'defer' and mark exactly that subset as set", () => {
    fc.assert(
      fc.property(subsets, (names) => {
        const policy = load(envOf(names), 'defer');
        expect(policy.requiredEnv.filter((v) => v.set).map((v) => v.name)).toEqual(names);
        const credentials = [...policy.providers.values()].flatMap((p) => p.credentials);
        for (const c of credentials) expect(c.secret.isSet).toBe(names.includes(c.env));
      }),
    );
  });

  it("should load with 'require' only when all are set, naming exactly the missing ones otherwise", () => {
    fc.assert(
      fc.property(subsets, (names) => {
        const missing = NAMES.filter((n) => !names.includes(n));
        if (missing.length === 0) return void expect(load(envOf(names)).requiredEnv.every((v) => v.set)).toBe(true);
        const problems = problemsOf(() => load(envOf(names)));
        const named = problems.map((p) => /env var (\w+) is not set$/.exec(p)?.[1]);
        expect(new Set(named)).toEqual(new Set(missing));
        for (const name of missing) expect(problems.some((p) => p.startsWith(`policy.yaml:${WHERE[name]}:`))).toBe(true);
      }),
    );
  });
});
