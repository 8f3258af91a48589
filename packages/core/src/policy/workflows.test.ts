import { describe, expect, it } from 'vitest';
import { parsePolicy } from './load.js';
import { formatProblem, PolicyError } from './policy-error.js';
import { policyWarnings } from './policy-warnings.js';

/** 13 lines; what the tests append starts on line 14. */
const BASE = `version: 1
providers:
  a: { format: openai, base_url: https://a.test/v1 }
  b: { format: openai, base_url: https://b.test/v1 }
models:
  big: { provider: a, context_window: 200000, capabilities: [tools, json_schema, streaming, vision] }
  small: { provider: a, context_window: 8000, capabilities: [streaming] }
  mini@a: { provider: a, upstream_model: gpt-5-mini, capabilities: [tools, streaming] }
  mini@b: { provider: b, upstream_model: gpt-5-mini, capabilities: [tools, streaming] }
routes:
  smart: { default: big, rules: [{ name: short, if: "input_tokens < 10", use: small }], fallbacks: [mini@a, small] }
  cheap: { default: small }
  pair: { default: mini@a, fallbacks: [mini@b] }
`;

function load(extra: string) {
  return parsePolicy(BASE + extra, 'policy.yaml', { env: {} });
}

function problems(extra: string): string[] {
  try {
    load(extra);
  } catch (err) {
    expect(err).toBeInstanceOf(PolicyError);
    return (err as PolicyError).problems.map(formatProblem);
  }
  throw new Error('the policy loaded');
}

describe('workflows in the policy', () => {
  it('should load every field, actions as transitions and names as model IDs', () => {
    const policy = load(`workflows_required: true
workflows:
  support:
    owner: support-team
    route: smart
    requires: [tools, streaming, { long_context: 100000 }]
    fallback: { allowed: [mini@a, cheap], blocked: [pair] }
    on:
      http_5xx: { retry_same_route: 2, then: fallback }
      http_429: retry_same_route
      timeout: fallback
      refusal: stop_and_escalate
      schema_invalid: { retry_same_route: 1 }
      schema_invalid_after_retry: stop
    cost: { max_request_usd: 0.5, monthly_usd: 200, hard_stop: true }
    latency: { first_token_ms: 1200, p95_first_token_ms: 1500, timeout_ms: 10000, on_timeout: fallback }
    risk: medium, customer-facing
`);
    expect(policy.workflowsRequired).toBe(true);
    expect(policy.workflows.get('support')).toEqual({
      name: 'support',
      owner: 'support-team',
      route: 'smart',
      requires: { capabilities: new Set(['tools', 'streaming']), longContext: 100000 },
      fallback: { allowed: ['mini@a', 'small'], blocked: new Set(['mini@a', 'mini@b']) },
      on: new Map([
        ['http_5xx', { retries: 2, action: 'fallback' }],
        ['http_429', { retries: 1, action: 'stop' }],
        ['timeout', { retries: 0, action: 'fallback' }],
        ['refusal', { retries: 0, action: 'stop_and_escalate' }],
        ['schema_invalid', { retries: 1, action: 'stop' }],
        ['schema_invalid_after_retry', { retries: 0, action: 'stop' }],
      ]),
      cost: { maxRequestUsd: 0.5, monthlyUsd: 200, hardStop: true },
      latency: { firstTokenMs: 1200, p95FirstTokenMs: 1500, timeoutMs: 10000, onTimeout: { retries: 0, action: 'fallback' } },
      risk: 'medium, customer-facing',
    });
  });

  it('should default to no workflows, not required, and routes without transitions', () => {
    const policy = load('');
    expect(policy.workflows.size).toBe(0);
    expect(policy.workflowsRequired).toBe(false);
    expect(policy.routes.get('smart')?.on).toBeUndefined();
  });

  it('should load a minimal workflow with empty requirements, the route fallbacks and no transitions', () => {
    const workflow = load('workflows:\n  bare: {}\n').workflows.get('bare');
    expect(workflow).toEqual({
      name: 'bare',
      requires: { capabilities: new Set() },
      fallback: { blocked: new Set() },
      on: new Map(),
    });
  });

  it("should load a route's own transitions", () => {
    const policy = load('  cheap2: { default: small, on: { http_503: fallback, unsupported_input: stop } }\n');
    expect(policy.routes.get('cheap2')?.on).toEqual(
      new Map([
        ['http_503', { retries: 0, action: 'fallback' }],
        ['unsupported_input', { retries: 0, action: 'stop' }],
      ]),
    );
  });

  it("should keep a model's upstream ID, and leave it unset when the entry is the upstream's ID", () => {
    const policy = load('');
    expect(policy.models.get('mini@b')?.upstreamModel).toBe('gpt-5-mini');
    expect(policy.models.get('big')?.upstreamModel).toBeUndefined();
  });

  it('should load a declared signal with a default of its type', () => {
    const policy = load('signals:\n  priority: { from: "$.metadata.priority", type: string, default: normal }\n');
    expect(policy.signals.get('priority')).toEqual({
      name: 'priority',
      type: 'string',
      from: { kind: 'jsonpath', path: '$.metadata.priority' },
      default: 'normal',
      record: 'value',
    });
  });
});

describe('workflow problems, each at its file and line', () => {
  it('should name unknown routes and names in allowed and blocked', () => {
    expect(
      problems(`workflows:
  w:
    route: smrt
    fallback: { allowed: [big, nope], blocked: [gone] }
`),
    ).toEqual([
      'policy.yaml:16:12: workflow "w" uses route "smrt" that is not in routes (routes: smart, cheap, pair)',
      'policy.yaml:17:32: workflow "w" fallback.allowed names "nope", which is neither a model nor a route (models: big, small, mini@a, mini@b; routes: smart, cheap, pair)',
      'policy.yaml:17:49: workflow "w" fallback.blocked names "gone", which is neither a model nor a route (models: big, small, mini@a, mini@b; routes: smart, cheap, pair)',
    ]);
  });

  it('should refuse unknown outcomes (401 included), unknown actions and bad retry counts', () => {
    const found = problems(`workflows:
  w:
    on:
      http_401: fallback
      http_6xx: stop
      timeout: escalate
      connect_error: { retry_same_route: 0 }
`);
    expect(found).toHaveLength(4);
    expect(found[0]).toMatch(
      /^policy\.yaml:17:7: workflows\.w\.on: key "http_401": unknown outcome; outcomes: http_4xx, http_5xx/,
    );
    expect(found[1]).toMatch(/^policy\.yaml:18:7: .*key "http_6xx": unknown outcome/);
    expect(found[2]).toMatch(
      /^policy\.yaml:19:16: workflows\.w\.on\.timeout: must be fallback, stop, stop_and_escalate, retry_same_route/,
    );
    expect(found[3]).toMatch(/^policy\.yaml:20:42: workflows\.w\.on\.connect_error\.retry_same_route: Too small/);
  });

  it('should refuse `then` on schema_invalid and a retry after the retries', () => {
    expect(
      problems(`workflows:
  w:
    on:
      schema_invalid: { retry_same_route: 1, then: fallback }
      schema_invalid_after_retry: retry_same_route
`),
    ).toEqual([
      'policy.yaml:17:52: what follows the retries of schema_invalid is the outcome schema_invalid_after_retry: write its action there',
      'policy.yaml:18:35: schema_invalid_after_retry comes once the retries are spent: fallback, stop or stop_and_escalate',
    ]);
  });

  it('should refuse a requirement, a cost or a latency that is not one', () => {
    const found = problems(`workflows:
  w:
    requires: [tools, telepathy, { long_context: 0 }]
    cost: { monthly_usd: 10 }
    latency: { first_token_ms: 5000, timeout_ms: 1000 }
`);
    expect(found).toEqual([
      'policy.yaml:16:23: workflows.w.requires.1: must be one of tools, json_schema, streaming, vision, reasoning, or { long_context: N }',
      'policy.yaml:16:50: workflows.w.requires.2.long_context: Too small: expected number to be >0',
      'policy.yaml:17:11: workflows.w.cost: monthly_usd and hard_stop go together',
    ]);
    expect(problems('workflows:\n  w:\n    latency: { first_token_ms: 5000, timeout_ms: 1000 }\n')).toEqual([
      'policy.yaml:16:32: first_token_ms (5000) is longer than timeout_ms (1000)',
    ]);
  });

  it('should refuse workflows_required without workflows, and a bad workflow name', () => {
    expect(problems('workflows_required: true\n')).toEqual([
      'policy.yaml:14:21: workflows_required is true but no workflow is defined: every call would be refused',
    ]);
    expect(problems('workflows:\n  "bad name": {}\n')).toEqual([
      'policy.yaml:15:3: workflows: key "bad name": workflow names are letters, digits, "_", "." or "-"',
    ]);
  });

  it("should load a key's workflows, and refuse one the policy does not define or a list without workflows", () => {
    const key = (workflows: string) =>
      `keys:\n  - { name: k, owner: o, secret: { sha256: "${'a'.repeat(64)}" }, workflows: ${workflows} }\n`;
    expect(load(`${key('[w, default]')}workflows:\n  w: {}\n`).keys?.[0]?.workflows).toEqual(new Set(['w', 'default']));
    expect(problems(`${key('[w, typo]')}workflows:\n  w: {}\n`)).toEqual([
      'policy.yaml:15:129: key "k" lists workflow "typo", which is not defined (workflows: w, default)',
    ]);
    expect(problems(key('[default]'))).toEqual([
      'policy.yaml:15:125: key "k" lists workflows, but the policy defines none (workflows:)',
    ]);
  });

  it('should refuse a route named auto when a workflow has a route', () => {
    expect(problems('  auto: { default: big }\nworkflows:\n  w: { route: smart }\n')).toEqual([
      'policy.yaml:14:3: "auto" is the model name that asks for a workflow\'s route (workflows.<name>.route); give this route another name',
    ]);
    expect(load('  auto: { default: big }\nworkflows:\n  w: {}\n').routes.has('auto')).toBe(true);
  });

  it("should refuse a signal default that is not of the signal's type", () => {
    expect(problems('signals:\n  tier: { from: "header:x-tier", type: int, default: 1.5 }\n')).toEqual([
      'policy.yaml:15:54: signal "tier": default 1.5 is not of its type, int',
    ]);
  });
});

describe('policyWarnings', () => {
  it('should warn about a blocked fallback a route lists, a blocked primary, and a model both allowed and blocked', () => {
    const warnings = policyWarnings(
      load(`workflows:
  w:
    route: smart
    fallback: { blocked: [mini@a, small] }
  x:
    fallback: { allowed: [mini@b], blocked: [mini@b] }
`),
    ).map(formatProblem);
    expect(warnings).toEqual([
      'policy.yaml:11:101: route "smart" lists fallback "mini@a", which workflow "w" blocks: its calls never fall back to it',
      'policy.yaml:11:109: route "smart" lists fallback "small", which workflow "w" blocks: its calls never fall back to it',
      'policy.yaml:17:26: workflow "w" blocks "small", which route "smart" picks (rule short): blocked only stops fallbacks, so it still serves',
      'policy.yaml:19:26: workflow "x" both allows and blocks "mini@b": it is blocked',
    ]);
  });

  it('should warn when the route or an allowed model lacks what the workflow requires, and a fallback with nowhere to go', () => {
    const warnings = policyWarnings(
      load(`workflows:
  w:
    route: cheap
    requires: [tools]
    fallback: { allowed: [small] }
    on: { http_5xx: fallback }
`),
    ).map(formatProblem);
    expect(warnings).toEqual([
      'policy.yaml:16:12: route "cheap" defaults to "small", which lacks tools that workflow "w" requires: its calls move to an allowed fallback or are refused (capability_missing)',
      'policy.yaml:18:26: workflow "w" allows "small", which lacks tools that it requires: never used',
      // Its only allowed fallback is the model the route already chose: nowhere to go.
      'policy.yaml:19:21: workflow "w" falls back on http_5xx but has no model to fall back to',
    ]);
    const nowhere = policyWarnings(
      load(
        '  solo: { default: big, on: { timeout: fallback } }\nworkflows:\n  w: { route: cheap, on: { http_429: fallback } }\n',
      ),
    );
    expect(nowhere.map(formatProblem)).toEqual([
      'policy.yaml:14:40: route "solo" falls back on timeout but lists no fallback besides its default',
      'policy.yaml:16:38: workflow "w" falls back on http_429 but has no model to fall back to',
    ]);
    // A fallback list that holds only the route's own default, or models the workflow blocks, goes nowhere too.
    const onlyItself = policyWarnings(
      load(
        '  self: { default: big, fallbacks: [big], on: { timeout: fallback } }\nworkflows:\n  w: { route: pair, fallback: { blocked: [mini@b] }, on: { http_5xx: fallback } }\n',
      ),
    );
    expect(onlyItself.map(formatProblem)).toEqual([
      'policy.yaml:13:40: route "pair" lists fallback "mini@b", which workflow "w" blocks: its calls never fall back to it',
      'policy.yaml:14:58: route "self" falls back on timeout but lists no fallback besides its default',
      'policy.yaml:16:70: workflow "w" falls back on http_5xx but has no model to fall back to',
    ]);
  });

  it('should warn about a model that states no capabilities: calls needing any are never sent to it', () => {
    const policy = parsePolicy(
      BASE.replace('small: { provider: a, context_window: 8000, capabilities: [streaming] }', 'small: { provider: a }'),
      'policy.yaml',
      {
        env: {},
      },
    );
    expect(policyWarnings(policy).map(formatProblem)).toEqual([
      'policy.yaml:7:10: model "small" states no capabilities: no call offering tools, asking for a JSON schema or a stream, or holding images is sent to it',
    ]);
  });

  it("should warn when keys that list no workflows can spend a workflow's own monthly budget", () => {
    const key = (name: string, workflows: string) =>
      `  - { name: ${name}, owner: o, secret: { sha256: "${name.repeat(64)}" }${workflows} }\n`;
    const policy = (second: string) =>
      load(
        `keys:\n${key('a', ', workflows: [w]')}${key('b', second)}workflows:\n  w: { cost: { monthly_usd: 5, hard_stop: false } }\n  v: {}\n`,
      );
    expect(policyWarnings(policy('')).map(formatProblem)).toEqual([
      'policy.yaml:18:29: workflow "w" has a monthly budget that any key without a workflows list ("b") can spend: list the workflows each key may run as (keys[].workflows)',
    ]);
    expect(policyWarnings(policy(', workflows: [v]'))).toEqual([]);
  });

  it('should find nothing to say about a consistent policy', () => {
    expect(policyWarnings(load('workflows:\n  w: { route: pair, requires: [tools], fallback: { blocked: [big] } }\n'))).toEqual(
      [],
    );
  });
});
