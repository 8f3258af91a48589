// The generated JSON Schema and the zod schema it comes from agree on any document: a valid policy with one
// random change (a value replaced, a key removed, a key added) is accepted by both or by neither. The one
// refinement the JSON Schema cannot express, the IANA time zone, is left out of the changes.
import { Ajv } from 'ajv';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { policyJsonSchema } from './json-schema.js';
import { policySchema } from './schema.js';

const ajv = new Ajv({ allErrors: true, allowUnionTypes: true });
ajv.addFormat('uri', (s: string) => URL.canParse(s));
const validate = ajv.compile(policyJsonSchema());

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = readonly (string | number)[];

/** A policy using every section and most fields. */
const GOOD: Json = {
  version: 1,
  timezone: 'Europe/Berlin',
  providers: {
    openai: { format: 'openai', base_url: 'https://api.openai.com/v1', credentials: [{ env: 'OPENAI_API_KEY' }] },
    claude: { format: 'anthropic', base_url: 'http://127.0.0.1:9' },
  },
  models: {
    'gpt-4o': {
      provider: 'openai',
      context_window: 128000,
      max_output_tokens: 16384,
      capabilities: ['tools', 'vision'],
      price: { input: 2.5, output: 10, cached_input: 1.25 },
      upstream_model: 'gpt-4o-2024-08-06',
    },
    sonnet: { provider: 'claude' },
  },
  signals: {
    priority: { from: '$.metadata.priority', type: 'string', default: 'normal' },
    tier: { from: 'header:x-tier', type: 'int' },
  },
  routes: {
    smart: {
      default: 'sonnet',
      rules: [{ name: 'urgent', if: 'priority == "high"', use: 'gpt-4o' }],
      fallbacks: ['gpt-4o'],
      // biome-ignore lint/suspicious/noThenProperty: a key of the policy file, as YAML gives it
      on: { http_5xx: { retry_same_route: 2, then: 'fallback' }, refusal: 'stop_and_escalate' },
    },
  },
  failover: {
    retry: { attempts: 2, on: [429, 503, 'timeout'], backoff_ms: 100, max_delay_ms: 5000 },
    fallback: { on: ['connect_error', 500] },
    timeouts: { first_byte_ms: 1000, total_ms: 60000 },
    on_schema_error: 'fallback',
    cooldown: { failures: 3, duration_ms: 10000 },
    routes: { smart: { retry: { attempts: 1 }, on_schema_error: 'return' } },
  },
  budgets: {
    store: { redis: { url: { env: 'REDIS_URL' } }, on_store_error: 'fail_open' },
    owners: { team: { monthly_usd: 100, hard_stop: true, max_request_usd: 1 }, lab: {} },
    routes: { smart: { max_request_usd: 0.5 } },
    admin_key: { sha256: 'ab'.repeat(32) },
  },
  keys: [
    { name: 'backend', secret: { env: 'CLIENT_KEY' }, owner: 'team', allow: ['smart'] },
    { name: 'lab', secret: { sha256: 'cd'.repeat(32) }, owner: 'lab' },
  ],
  workflows_required: false,
  workflows: {
    support: {
      owner: 'team',
      route: 'smart',
      requires: ['tools', { long_context: 100000 }],
      fallback: { allowed: ['gpt-4o'], blocked: ['sonnet'] },
      on: { timeout: 'fallback', http_429: 'retry_same_route', schema_invalid_after_retry: 'stop' },
      cost: { max_request_usd: 0.5, monthly_usd: 100, hard_stop: false },
      latency: { first_token_ms: 1000, p95_first_token_ms: 1200, timeout_ms: 10000, on_timeout: { retry_same_route: 1 } },
      risk: 'medium',
    },
  },
};

/** Every node of `doc` and its path, the root first. */
function nodes(doc: Json, path: Path = []): { path: Path; value: Json }[] {
  const children = Array.isArray(doc)
    ? doc.map((v, i) => [i, v] as const)
    : doc && typeof doc === 'object'
      ? Object.entries(doc)
      : [];
  return [{ path, value: doc }, ...children.flatMap(([k, v]) => nodes(v, [...path, k]))];
}

const ALL = nodes(GOOD);
/** Keys the schema knows somewhere, so that added keys are sometimes right in one place and wrong in another. */
const KNOWN_KEYS = [...new Set(ALL.flatMap(({ path }) => path.filter((p): p is string => typeof p === 'string')))];

type Change =
  | { readonly kind: 'set'; readonly at: number; readonly value: Json }
  | { readonly kind: 'remove'; readonly at: number }
  | { readonly kind: 'add'; readonly at: number; readonly key: string; readonly value: Json };

const value = fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>;
const at = fc.nat({ max: ALL.length - 1 });
const key = fc.oneof(fc.constantFrom(...KNOWN_KEYS), fc.string({ maxLength: 8 }));
const change: fc.Arbitrary<Change> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at, value: fc.oneof(value, fc.constantFrom(...ALL.map((n) => n.value))) }),
  fc.record({ kind: fc.constant('remove' as const), at }),
  fc.record({ kind: fc.constant('add' as const), at, key, value }),
);

function applied(c: Change): Json {
  const doc = structuredClone(GOOD);
  const { path } = ALL[c.at]!;
  if (path.length === 0) return c.kind === 'set' ? c.value : doc;
  const parent = path.slice(0, -1).reduce<Json>((node, k) => (node as Record<string, Json>)[k as string]!, doc) as Record<
    string,
    Json
  >;
  const last = path[path.length - 1]!;
  if (c.kind === 'set') parent[last as string] = c.value;
  else if (c.kind === 'remove') Array.isArray(parent) ? parent.splice(last as number, 1) : delete parent[last as string];
  else {
    const target = parent[last as string];
    if (target && typeof target === 'object' && !Array.isArray(target)) target[c.key] = c.value;
  }
  // As a YAML or JSON file would give it: own keys only (even "__proto__"), no undefined.
  return JSON.parse(JSON.stringify(doc)) as Json;
}

/** The time zone is the loader's to check (an IANA name); keep it valid or absent. */
function timezoneLeftAlone(doc: Json): boolean {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc) || !('timezone' in doc)) return true;
  return doc.timezone === 'Europe/Berlin' || typeof doc.timezone !== 'string';
}

describe('the JSON Schema and the zod schema', () => {
  it('should both accept the unchanged policy', () => {
    expect(validate(GOOD)).toBe(true);
    expect(policySchema.safeParse(GOOD).success).toBe(true);
  });

  it('should agree on any one change to it', () => {
    let rejected = 0;
    fc.assert(
      fc.property(change, (c) => {
        const doc = applied(c);
        fc.pre(timezoneLeftAlone(doc));
        const byZod = policySchema.safeParse(doc);
        const bySchema = validate(doc);
        if (!bySchema) rejected++;
        expect(
          bySchema,
          `zod ${byZod.success ? 'accepts' : `rejects (${byZod.error.issues.map((i) => i.message).join('; ')})`}, ` +
            `the JSON Schema ${bySchema ? 'accepts' : `rejects (${ajv.errorsText(validate.errors)})`}: ${JSON.stringify(c)}`,
        ).toBe(byZod.success);
      }),
      { numRuns: 500 },
    );
    // Both outcomes must be exercised, or the property says little.
    expect(rejected).toBeGreaterThan(100);
    expect(rejected).toBeLessThan(490);
  });
});
