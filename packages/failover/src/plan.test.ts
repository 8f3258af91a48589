import { createRecord, parsePolicy, type ModelConfig, type RoutingRecord, type Selection } from '@switchyard/core';
import { describe, expect, it } from 'vitest';
import { CooldownRegistry } from './cooldown.js';
import type { Unmet } from './needs.js';
import { FailoverPlan, type PlanOptions, type Step } from './plan.js';
import type { AttemptReport } from './triggers.js';

const T0 = Date.parse('2025-06-01T12:00:00Z');

/** Provider `two` has two credentials, `one` has one, `bare` none; `anth` speaks anthropic. */
function policyWith(failover = '', routes = ''): ReturnType<typeof parsePolicy> {
  const yaml = `version: 1
providers:
  two: { format: openai, base_url: "http://two.test/v1", credentials: [{ env: K1 }, { env: K2 }] }
  one: { format: openai, base_url: "http://one.test/v1", credentials: [{ env: K1 }] }
  bare: { format: openai, base_url: "http://bare.test/v1" }
  anth: { format: anthropic, base_url: "http://anth.test", credentials: [{ env: K1 }] }
models:
  m-two: { provider: two }
  m-one: { provider: one }
  m-bare: { provider: bare }
  m-anth: { provider: anth }
routes:
  smart: { default: m-two, fallbacks: [m-anth, m-one, m-bare] }
  strict: { default: m-two }
${routes}
${failover}
`;
  return parsePolicy(yaml, 'policy.yaml', { env: { K1: 'k1', K2: 'k2' } });
}

interface Harness {
  readonly plan: FailoverPlan;
  readonly record: RoutingRecord;
  readonly clock: { now: number };
  readonly cooldowns: CooldownRegistry;
  /** Takes the step as an attempt, appending the attempt to the record as the caller would. */
  attempt(step: Step): string;
}

function harness(
  options: {
    failover?: string;
    routes?: string;
    selection?: Selection;
    unmet?: (model: ModelConfig) => Unmet | undefined;
  } & Partial<Pick<PlanOptions, 'callable' | 'random'>> = {},
): Harness {
  const policy = policyWith(options.failover, options.routes);
  const clock = { now: T0 };
  const record = createRecord(T0);
  const cooldowns = new CooldownRegistry(policy.failover.cooldown);
  const selection = options.selection ?? { kind: 'route', route: 'smart', rule: 'default', model: 'm-two' };
  const plan = new FailoverPlan({
    policy,
    record,
    selection,
    model: selection.model,
    cooldowns,
    needs: { unmet: async (model) => options.unmet?.(model) },
    callable: options.callable ?? ((provider) => provider.format === 'openai'),
    random: options.random ?? (() => 1),
    now: () => clock.now,
  });
  return {
    plan,
    record,
    clock,
    cooldowns,
    attempt(step) {
      if (step.kind !== 'attempt') return 'finish';
      record.attempts.push({
        provider: step.provider.name,
        model: step.model.id,
        credentialIndex: step.credential?.index ?? -1,
        startedAt: clock.now,
      });
      clock.now += step.delayMs;
      return `${step.model.id}/${step.credential?.index ?? -1}+${step.delayMs}`;
    },
  };
}

const status = (code: number, headers: Record<string, string> = {}): AttemptReport => ({
  kind: 'answered',
  status: code,
  headers,
});
const OK = status(200);
const TIMEOUT: AttemptReport = { kind: 'failed', outcome: 'timeout' };
const REFUSED: AttemptReport = { kind: 'failed', outcome: 'connect_error' };
const INVALID: AttemptReport = { kind: 'answered', status: 200, headers: {}, schemaViolation: { path: '/a', keyword: 'type' } };

/** Runs the plan against `reports`, one per attempt, and lists the attempts it made and how it ended. */
async function run(h: Harness, reports: readonly AttemptReport[]): Promise<string[]> {
  const made: string[] = [];
  let step = await h.plan.first();
  for (const report of reports) {
    if (step.kind === 'finish') break;
    made.push(h.attempt(step));
    step = await h.plan.next(report);
  }
  made.push(step.kind === 'finish' ? 'finish' : `then ${h.attempt(step)}`);
  return made;
}

function events(record: RoutingRecord): string[] {
  return record.events.map((e) => `${e.attempt ?? '-'} ${e.name} ${String(e.attributes.reason ?? '')}`);
}

describe('FailoverPlan defaults (no failover section)', () => {
  it('should make one attempt and stop when it succeeds', async () => {
    const h = harness();
    expect(await run(h, [OK])).toEqual(['m-two/0+0', 'finish']);
    expect(h.record.events).toEqual([]);
  });

  it("should try the provider's next credential on 503 at once, then fall back to the next callable model", async () => {
    const h = harness();
    expect(await run(h, [status(503), status(503), OK])).toEqual(['m-two/0+0', 'm-two/1+0', 'm-one/0+0', 'finish']);
    expect(events(h.record)).toEqual([
      '0 switchyard.retry http_503',
      '1 switchyard.fallback.skipped format_not_supported',
      '1 switchyard.fallback http_503',
    ]);
    expect(h.record.fallbackReason).toBe('http_503');
    expect(h.record.events[2]!.attributes).toStrictEqual({
      reason: 'http_503',
      from_model: 'm-two',
      from_provider: 'two',
      to_model: 'm-one',
      to_provider: 'one',
    });
  });

  it('should go through every fallback in order, and finish when none is left', async () => {
    const h = harness();
    expect(await run(h, [REFUSED, REFUSED, REFUSED])).toEqual(['m-two/0+0', 'm-one/0+0', 'm-bare/-1+0', 'finish']);
    expect(h.record.fallbackReason).toBe('connect_error');
  });

  it('should not rotate credentials on a timeout: the connection is not the credential', async () => {
    const h = harness({ selection: { kind: 'exact', model: 'm-two' } });
    expect(await run(h, [TIMEOUT])).toEqual(['m-two/0+0', 'finish']);
  });

  it('should pass a 4xx back with no further attempt', async () => {
    for (const code of [400, 403, 404, 422]) expect(await run(harness(), [status(code)])).toEqual(['m-two/0+0', 'finish']);
  });

  it('should not retry 408 unless a policy lists it', async () => {
    expect(await run(harness({ selection: { kind: 'exact', model: 'm-two' } }), [status(408)])).toEqual(['m-two/0+0', 'finish']);
    const listed = harness({
      selection: { kind: 'exact', model: 'm-two' },
      failover: 'failover: { retry: { attempts: 2, on: [408] } }',
    });
    expect(await run(listed, [status(408), OK])).toEqual(['m-two/0+0', 'm-two/0+250', 'finish']);
  });
});

describe('FailoverPlan strictness', () => {
  it('should never leave an exact model ID, whatever fails', async () => {
    const h = harness({ selection: { kind: 'exact', model: 'm-two' } });
    expect(await run(h, [status(503), status(503), OK])).toEqual(['m-two/0+0', 'm-two/1+0', 'finish']);
    expect(h.record.events.some((e) => e.name === 'switchyard.fallback')).toBe(false);
    expect(h.record.fallbackReason).toBeUndefined();
  });

  it('should never leave a route without fallbacks', async () => {
    const h = harness({ selection: { kind: 'route', route: 'strict', rule: 'default', model: 'm-two' } });
    expect(await run(h, [REFUSED, OK])).toEqual(['m-two/0+0', 'finish']);
  });

  it('should not fall back on a trigger that only retry lists', async () => {
    const h = harness({ failover: 'failover: { fallback: { on: [timeout] } }' });
    expect(await run(h, [status(503), status(503), OK])).toEqual(['m-two/0+0', 'm-two/1+0', 'finish']);
  });
});

describe('FailoverPlan retries', () => {
  const exact: Selection = { kind: 'exact', model: 'm-two' };

  it('should go round the credentials again after an exponential backoff, up to attempts rounds', async () => {
    const h = harness({ selection: exact, failover: 'failover: { retry: { attempts: 3, backoff_ms: 100 } }' });
    expect(await run(h, [status(500), status(500), status(500), status(500), status(500), status(500)])).toEqual([
      'm-two/0+0',
      'm-two/1+0',
      'm-two/0+100',
      'm-two/1+0',
      'm-two/0+200',
      'm-two/1+0',
      'finish',
    ]);
  });

  it('should jitter the backoff within its upper half', async () => {
    const h = harness({ selection: exact, random: () => 0, failover: 'failover: { retry: { attempts: 2, backoff_ms: 100 } }' });
    expect(await run(h, [TIMEOUT, OK])).toEqual(['m-two/0+0', 'm-two/0+50', 'finish']);
  });

  it('should wait the Retry-After in seconds or as an HTTP date when it is longer than the backoff', async () => {
    const seconds = harness({ selection: exact, failover: 'failover: { retry: { attempts: 2 } }' });
    expect(await run(seconds, [status(429, { 'retry-after': '2' }), status(429), OK])).toEqual([
      'm-two/0+0',
      'm-two/1+0',
      'm-two/0+250',
      'finish',
    ]);
    const late = harness({ selection: { kind: 'exact', model: 'm-one' }, failover: 'failover: { retry: { attempts: 2 } }' });
    expect(await run(late, [status(429, { 'retry-after': '2' }), OK])).toEqual(['m-one/0+0', 'm-one/0+2000', 'finish']);
    const dated = harness({ selection: { kind: 'exact', model: 'm-one' }, failover: 'failover: { retry: { attempts: 2 } }' });
    expect(await run(dated, [status(503, { 'retry-after': new Date(T0 + 3000).toUTCString() }), OK])).toEqual([
      'm-one/0+0',
      'm-one/0+3000',
      'finish',
    ]);
  });

  it('should not wait a Retry-After over max_delay_ms, and fall back instead when it may', async () => {
    const h = harness({
      failover: 'failover: { retry: { attempts: 2, max_delay_ms: 1000 } }',
      routes: '  short: { default: m-one, fallbacks: [m-bare] }',
      selection: { kind: 'route', route: 'short', rule: 'default', model: 'm-one' },
    });
    expect(await run(h, [status(429, { 'retry-after': '5' }), OK])).toEqual(['m-one/0+0', 'm-bare/-1+0', 'finish']);
    expect(events(h.record)).toEqual(['0 switchyard.retry.skipped http_429', '0 switchyard.fallback http_429']);
    expect(h.record.events[0]!.attributes).toMatchObject({ why: 'retry_after', delay_ms: 5000 });
  });

  it('should not retry when the wait would reach the total_ms deadline', async () => {
    const h = harness({
      selection: { kind: 'exact', model: 'm-one' },
      failover: 'failover: { retry: { attempts: 3 }, timeouts: { total_ms: 1000 } }',
    });
    let step = await h.plan.first();
    h.attempt(step);
    h.clock.now = T0 + 800;
    step = await h.plan.next(status(503, { 'retry-after': '1' }));
    expect(step.kind).toBe('finish');
    expect(h.record.events[0]).toMatchObject({
      name: 'switchyard.retry.skipped',
      attributes: { why: 'deadline', delay_ms: 1000 },
    });
  });

  it('should never try a credential the provider refused (401) again, and pass the 401 back when none is left', async () => {
    const h = harness({ selection: exact, failover: 'failover: { retry: { attempts: 2 } }' });
    expect(await run(h, [status(401), status(500), status(500)])).toEqual(['m-two/0+0', 'm-two/1+0', 'm-two/1+250', 'finish']);
    const all = harness({ selection: exact });
    expect(await run(all, [status(401), status(401), OK])).toEqual(['m-two/0+0', 'm-two/1+0', 'finish']);
  });
});

describe('FailoverPlan first-byte limits', () => {
  it('should give each attempt first_byte_ms, or what is left of total_ms when that is shorter', async () => {
    const h = harness({
      selection: { kind: 'exact', model: 'm-one' },
      failover: 'failover: { retry: { attempts: 3, backoff_ms: 100 }, timeouts: { first_byte_ms: 400, total_ms: 1000 } }',
    });
    const first = await h.plan.first();
    expect(first).toMatchObject({ firstByte: { ms: 400, limit: 'first_byte', limitMs: 400 } });
    h.attempt(first);
    h.clock.now = T0 + 400;
    const second = await h.plan.next(TIMEOUT);
    expect(second).toMatchObject({ delayMs: 100, firstByte: { ms: 400, limit: 'first_byte' } });
    h.attempt(second);
    h.clock.now = T0 + 700;
    const third = await h.plan.next(TIMEOUT);
    expect(third).toMatchObject({ delayMs: 200, firstByte: { ms: 100, limit: 'total', limitMs: 1000 } });
    expect(h.plan.deadlineAt).toBe(T0 + 1000);
  });

  it('should give a minute to the first byte and ten minutes in all when the policy sets no limit', async () => {
    const h = harness();
    expect(await h.plan.first()).toMatchObject({ firstByte: { ms: 60_000, limit: 'first_byte', limitMs: 60_000 } });
    expect(h.plan.deadlineAt).toBe(T0 + 600_000);
  });
});

describe('FailoverPlan schema checks', () => {
  it('should retry a schema-invalid answer once by default, then let the next one stand', async () => {
    const h = harness();
    expect(await run(h, [INVALID, INVALID])).toEqual(['m-two/0+0', 'm-two/0+0', 'finish']);
    expect(events(h.record)).toEqual([
      '0 switchyard.schema_invalid ',
      '0 switchyard.retry schema_invalid',
      '1 switchyard.schema_invalid ',
    ]);
    expect(h.record.events[0]!.attributes).toMatchObject({ path: '/a', keyword: 'type', model: 'm-two' });
  });

  it('should fall back on each schema-invalid answer with on_schema_error: fallback, and let the last one stand', async () => {
    const h = harness({ failover: 'failover: { routes: { smart: { on_schema_error: fallback } } }' });
    expect(await run(h, [INVALID, INVALID, INVALID])).toEqual(['m-two/0+0', 'm-one/0+0', 'm-bare/-1+0', 'finish']);
    expect(h.record.fallbackReason).toBe('schema_invalid');
  });

  it('should let a schema-invalid answer stand with on_schema_error: return', async () => {
    const h = harness({ failover: 'failover: { on_schema_error: return }' });
    expect(await run(h, [INVALID])).toEqual(['m-two/0+0', 'finish']);
  });
});

describe('FailoverPlan fallback candidates', () => {
  it('should skip candidates that lack what the request needs, recording why', async () => {
    const h = harness({
      unmet: (model) => (model.id === 'm-one' ? { reason: 'missing_capability', capability: 'tools' } : undefined),
    });
    expect(await run(h, [status(503), status(503), OK])).toEqual(['m-two/0+0', 'm-two/1+0', 'm-bare/-1+0', 'finish']);
    const skipped = h.record.events.filter((e) => e.name === 'switchyard.fallback.skipped').map((e) => e.attributes);
    expect(skipped).toEqual([
      { model: 'm-anth', provider: 'anth', reason: 'format_not_supported' },
      { model: 'm-one', provider: 'one', reason: 'missing_capability', capability: 'tools' },
    ]);
  });

  it('should record the context window a candidate lacks', async () => {
    const h = harness({
      unmet: (model) => (model.id === 'm-one' ? { reason: 'context_window', needed: 5000, contextWindow: 4096 } : undefined),
    });
    await run(h, [status(503), status(503), OK]);
    expect(h.record.events.find((e) => e.attributes.model === 'm-one')?.attributes).toEqual({
      model: 'm-one',
      provider: 'one',
      reason: 'context_window',
      needed_tokens: 5000,
      context_window: 4096,
    });
  });

  it('should stop falling back once the deadline has passed', async () => {
    const h = harness({ failover: 'failover: { timeouts: { total_ms: 1000 } }' });
    let step = await h.plan.first();
    h.attempt(step);
    h.clock.now = T0 + 1000;
    step = await h.plan.next(TIMEOUT);
    expect(step.kind).toBe('finish');
  });
});

describe('FailoverPlan cooldowns', () => {
  const cooling = 'failover: { cooldown: { failures: 2, duration_ms: 1000 } }';

  it('should record the failure that starts a cooldown', async () => {
    const h = harness({ failover: cooling, selection: { kind: 'exact', model: 'm-two' } });
    await run(h, [status(503), status(503)]);
    expect(h.record.events.filter((e) => e.name === 'switchyard.cooldown')).toMatchObject([
      { attempt: 1, attributes: { model: 'm-two', provider: 'two', failures: 2, duration_ms: 1000 } },
    ]);
  });

  it('should start with the first fallback while the chosen model cools down', async () => {
    const h = harness({ failover: cooling });
    h.cooldowns.failed('two', 'm-two', T0);
    h.cooldowns.failed('two', 'm-two', T0);
    expect(await run(h, [OK])).toEqual(['m-one/0+0', 'finish']);
    expect(events(h.record)).toEqual([
      '- switchyard.fallback.skipped cooldown',
      '- switchyard.fallback.skipped format_not_supported',
      '- switchyard.fallback cooldown',
    ]);
    expect(h.record.fallbackReason).toBe('cooldown');
  });

  it('should still call a cooling model that the route cannot move away from', async () => {
    const h = harness({ failover: cooling, selection: { kind: 'exact', model: 'm-two' } });
    h.cooldowns.failed('two', 'm-two', T0);
    h.cooldowns.failed('two', 'm-two', T0);
    expect(await run(h, [OK])).toEqual(['m-two/0+0', 'finish']);
  });

  it('should probe a cooling candidate rather than fail when everything else is used up', async () => {
    const h = harness({ failover: cooling });
    h.cooldowns.failed('one', 'm-one', T0);
    h.cooldowns.failed('one', 'm-one', T0);
    expect(await run(h, [status(503), status(503), REFUSED, OK])).toEqual([
      'm-two/0+0',
      'm-two/1+0',
      'm-bare/-1+0',
      'm-one/0+0',
      'finish',
    ]);
  });

  it('should count answers as successes and clear the failures', async () => {
    const h = harness({ failover: cooling, selection: { kind: 'exact', model: 'm-two' } });
    h.cooldowns.failed('two', 'm-two', T0);
    await run(h, [status(400)]);
    expect(h.cooldowns.failed('two', 'm-two', T0)).toBe(false);
  });
});
