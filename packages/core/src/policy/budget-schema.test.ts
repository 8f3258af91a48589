import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parsePolicy } from './load.js';
import { formatProblem, PolicyError } from './policy-error.js';

const BASE = `version: 1
timezone: Europe/Berlin
providers:
  openai: { format: openai, base_url: https://api.openai.com/v1, credentials: [{ env: OPENAI_API_KEY }] }
models:
  gpt-4o: { provider: openai, max_output_tokens: 16384, price: { input: 2.5, output: 10 } }
  mini: { provider: openai, context_window: 128000, price: { input: 0.15, output: 0.6 } }
routes:
  smart: { default: gpt-4o }
`;
const ENV = { OPENAI_API_KEY: 'sk-provider', KEY_SEARCH: 'sk-client-search', REDIS_URL: 'redis://:pw@127.0.0.1:6379' };
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

function load(extra: string, env: Record<string, string> = ENV) {
  return parsePolicy(BASE + extra, 'policy.yaml', { env });
}

function problems(extra: string, env: Record<string, string> = ENV): string[] {
  try {
    load(extra, env);
  } catch (err) {
    expect(err).toBeInstanceOf(PolicyError);
    return (err as PolicyError).problems.map(formatProblem);
  }
  throw new Error('the policy loaded');
}

describe('budgets: and keys: in the policy', () => {
  it('should leave the gateway open and budgets at their defaults when neither section is written', () => {
    const policy = load('');
    expect(policy.keys).toBeUndefined();
    expect(policy.budgets).toMatchObject({ store: { kind: 'memory' }, onStoreError: 'fail_closed' });
    expect(policy.budgets?.owners.size).toBe(0);
    expect(policy.models.get('gpt-4o')?.maxOutputTokens).toBe(16384);
  });

  it('should load owners, route ceilings, a Redis store and keys, keeping only digests of secrets', () => {
    const policy = load(`budgets:
  store: { redis: { url: { env: REDIS_URL } }, on_store_error: fail_open }
  owners:
    search-team: { monthly_usd: 500, hard_stop: true, max_request_usd: 2 }
    research: {}
  routes:
    smart: { max_request_usd: 0.5 }
  admin_key: { sha256: ${sha('admin').toUpperCase()} }
keys:
  - { name: search-backend, secret: { env: KEY_SEARCH }, owner: search-team, allow: [smart, mini] }
  - { name: lab, secret: { sha256: ${sha('sk-lab')} }, owner: research }
`);
    const { budgets, keys } = policy;
    expect(budgets?.store).toMatchObject({ kind: 'redis', env: 'REDIS_URL' });
    expect(budgets?.store.kind === 'redis' && budgets.store.url.reveal()).toBe(ENV.REDIS_URL);
    expect(budgets?.onStoreError).toBe('fail_open');
    expect(budgets?.owners.get('search-team')).toEqual({
      name: 'search-team',
      monthlyUsd: 500,
      hardStop: true,
      maxRequestUsd: 2,
    });
    expect(budgets?.owners.get('research')).toEqual({
      name: 'research',
      hardStop: false,
      monthlyUsd: undefined,
      maxRequestUsd: undefined,
    });
    expect(budgets?.routeMaxRequestUsd.get('smart')).toBe(0.5);
    expect(budgets?.adminKeyDigest?.reveal()).toBe(sha('admin'));
    expect(keys?.map((k) => [k.name, k.owner, k.digest.reveal(), k.allow && [...k.allow]])).toEqual([
      ['search-backend', 'search-team', sha(ENV.KEY_SEARCH), ['smart', 'mini']],
      ['lab', 'research', sha('sk-lab'), undefined],
    ]);
    // Neither the client secret nor the Redis password can leak through logs.
    const printed =
      inspect(policy, { depth: 10 }) + JSON.stringify({ ...policy, keys, budgets: { ...budgets, owners: [...budgets!.owners] } });
    expect(printed).not.toContain(ENV.KEY_SEARCH);
    expect(printed).not.toContain(':pw@');
  });

  it('should name every mistake with its line', () => {
    expect(
      problems(`budgets:
  timezone: UTC
  on_store_error: fail_open
  owners:
    a: { monthly_usd: 10 }
    b: { hard_stop: true, monthly_usd: -1 }
    "c d": {}
  routes:
    cheap: { max_request_usd: 1 }
keys:
  - { name: k1, secret: { env: UNSET_VAR }, owner: a, allow: [smart, gpt] }
  - { name: k1, secret: { sha256: abc }, owner: nobody }
  - { name: k3, secret: { env: KEY_SEARCH, sha256: ${sha('x')} }, owner: a }
`),
    ).toEqual([
      'policy.yaml:14:8: budgets.owners.a: monthly_usd and hard_stop go together: hard_stop: true refuses calls past the budget, hard_stop: false only lets rules see monthly_spend_pct',
      'policy.yaml:15:40: budgets.owners.b.monthly_usd: Too small: expected number to be >=0',
      'policy.yaml:16:5: budgets.owners: key "c d": owner names are letters, digits, "_", "." or "-"',
      `policy.yaml:11:13: budgets.timezone: budget windows are calendar months in the policy's top-level "timezone"; set it there`,
      'policy.yaml:12:19: budgets.on_store_error: on_store_error goes under budgets.store, next to the store it is about',
      'policy.yaml:21:35: keys.1.secret.sha256: must be the 64 hex digits of the SHA-256 of the key',
      'policy.yaml:22:25: keys.2.secret: give exactly one of env or sha256',
    ]);
    expect(
      problems(`budgets:
  owners: { a: {} }
  routes:
    cheap: { max_request_usd: 1 }
keys:
  - { name: k1, secret: { env: UNSET_VAR }, owner: a, allow: [smart, gpt] }
  - { name: k1, secret: { env: KEY_SEARCH }, owner: nobody }
  - { name: k3, secret: { sha256: ${sha(ENV.KEY_SEARCH)} }, owner: a }
`),
    ).toEqual([
      'policy.yaml:13:5: budgets.routes: "cheap" is not a route (routes: smart)',
      'policy.yaml:15:32: key "k1" env var UNSET_VAR is not set',
      'policy.yaml:15:70: key "k1" allows "gpt", which is neither a route nor a model (routes: smart; models: gpt-4o, mini)',
      'policy.yaml:16:13: two keys are named "k1"',
      'policy.yaml:16:53: key "k1": owner "nobody" is not in budgets.owners (owners: a)',
      'policy.yaml:17:25: keys "k1" and "k3" have the same secret; a call could not tell whose it is',
    ]);
  });

  it('should require a price and an output cap on every model once an owner has a hard stop', () => {
    const hardStop = 'budgets: { owners: { a: { monthly_usd: 1, hard_stop: true } } }\n';
    expect(load(hardStop).budgets?.owners.get('a')?.hardStop).toBe(true);
    const text =
      BASE.replace(
        '  mini: { provider: openai, context_window: 128000, price: { input: 0.15, output: 0.6 } }',
        '  mini: { provider: openai, price: { input: 0.15, output: 0.6 } }\n  free: { provider: openai, context_window: 1000 }',
      ) + hardStop;
    let error: unknown;
    try {
      parsePolicy(text, 'policy.yaml', { env: ENV });
    } catch (err) {
      error = err;
    }
    expect((error as PolicyError).problems.map((p) => p.message)).toEqual([
      'model "mini" needs max_output_tokens or context_window: an owner has hard_stop, and a call without max_tokens must have a worst case',
      'model "free" needs a price: an owner has hard_stop, and a call to an unpriced model could not be counted',
    ]);
  });

  it('should refuse an empty keys list instead of guessing whether the gateway is open', () => {
    expect(problems('keys: []\n')).toEqual([
      'policy.yaml:10:7: keys: list at least one key, or remove keys: to leave the gateway open',
    ]);
  });

  it('should load rate limits on keys and owners, and name a wrong one with its line', () => {
    const policy = load(`budgets:
  owners:
    search-team: { limits: { rpm: 600, tpm: 200000 } }
    lab: { monthly_usd: 5, hard_stop: false }
keys:
  - { name: search, secret: { env: KEY_SEARCH }, owner: search-team, limits: { rpm: 60 } }
  - { name: lab, secret: { sha256: ${sha('sk-lab')} }, owner: lab }
`);
    expect(policy.budgets?.owners.get('search-team')?.limits).toEqual({ rpm: 600, tpm: 200000 });
    expect(policy.budgets?.owners.get('lab')?.limits).toBeUndefined();
    expect(policy.keys?.map((k) => k.limits)).toEqual([{ rpm: 60 }, undefined]);

    expect(
      problems(`budgets:
  owners:
    a: { limits: {} }
    b: { limits: { rpm: 1.5, tpm: 0 } }
keys:
  - { name: k, secret: { env: KEY_SEARCH }, owner: a, limits: { rps: 3 } }
`),
    ).toEqual([
      'policy.yaml:12:18: budgets.owners.a.limits: give rpm, tpm or both',
      'policy.yaml:13:25: budgets.owners.b.limits.rpm: Invalid input: expected int, received number',
      'policy.yaml:13:35: budgets.owners.b.limits.tpm: Too small: expected number to be >0',
      'policy.yaml:15:65: keys.0.limits: unknown key "rps"',
      'policy.yaml:15:63: keys.0.limits: give rpm, tpm or both',
    ]);
  });
});
