// The `on:` transitions through the plan, one table row per transition; and the capability check of every
// candidate, the chosen model included.
import { SwitchyardError } from '@switchyard/core';
import { describe, expect, it } from 'vitest';
import { drive, IMAGE_400, INVALID, OK, REFUSAL, REFUSED, runPlan, status, T0, TIMEOUT } from '../test/harness.js';
import type { AttemptReport } from './triggers.js';

/** A workflow `w` with these `on:` transitions (flow YAML). */
const onW = (on: string, more = '') => `workflows:\n  w: { on: ${on}${more} }\n`;

interface Row {
  readonly name: string;
  readonly on: string;
  readonly reports: readonly AttemptReport[];
  readonly attempts: readonly string[];
  /** `outcome → action` of the last transition taken; `undefined`: none. */
  readonly transition?: string;
  readonly escalate?: true;
}

const ROWS: readonly Row[] = [
  {
    name: 'http_5xx: fallback moves at once, without the next credential',
    on: '{ http_5xx: fallback }',
    reports: [status(503), OK],
    attempts: ['m-two/0+0', 'm-one/0+0', 'finish'],
    transition: 'http_5xx → fallback',
  },
  {
    name: 'http_5xx: stop returns the 503 as it is',
    on: '{ http_5xx: stop }',
    reports: [status(503)],
    attempts: ['m-two/0+0', 'finish'],
    transition: 'http_5xx → stop',
  },
  {
    name: 'http_5xx: stop_and_escalate returns it and marks the record',
    on: '{ http_5xx: stop_and_escalate }',
    reports: [status(500)],
    attempts: ['m-two/0+0', 'finish'],
    transition: 'http_5xx → stop_and_escalate',
    escalate: true,
  },
  {
    name: 'a status of its own wins over its class',
    on: '{ http_5xx: stop, http_502: fallback }',
    reports: [status(502), OK],
    attempts: ['m-two/0+0', 'm-one/0+0', 'finish'],
    transition: 'http_502 → fallback',
  },
  {
    name: 'retry_same_route: N rotates credentials on a 429, backs off, then does `then`',
    on: '{ http_429: { retry_same_route: 2, then: fallback } }',
    reports: [status(429), status(429), status(429), OK],
    attempts: ['m-two/0+0', 'm-two/1+0', 'm-two/0+500', 'm-one/0+0', 'finish'],
    transition: 'http_429 → fallback',
  },
  {
    name: 'retry_same_route alone is one retry after the backoff, then stop',
    on: '{ timeout: retry_same_route }',
    reports: [TIMEOUT, TIMEOUT],
    attempts: ['m-two/0+0', 'm-two/0+250', 'finish'],
    transition: 'timeout → stop',
  },
  {
    name: 'a retry that succeeds ends the call',
    on: '{ connect_error: { retry_same_route: 3 } }',
    reports: [REFUSED, OK],
    attempts: ['m-two/0+0', 'm-two/0+250', 'finish'],
    transition: 'connect_error → retry_same_route',
  },
  {
    name: 'connect_error: fallback',
    on: '{ connect_error: fallback }',
    reports: [REFUSED, REFUSED, OK],
    attempts: ['m-two/0+0', 'm-one/0+0', 'm-alt/0+0', 'finish'],
    transition: 'connect_error → fallback',
  },
  {
    name: 'refusal: stop_and_escalate returns the refusal once and marks the record',
    on: '{ refusal: stop_and_escalate }',
    reports: [REFUSAL],
    attempts: ['m-two/0+0', 'finish'],
    transition: 'refusal → stop_and_escalate',
    escalate: true,
  },
  {
    name: 'refusal: fallback asks the next model',
    on: '{ refusal: fallback }',
    reports: [REFUSAL, OK],
    attempts: ['m-two/0+0', 'm-one/0+0', 'finish'],
    transition: 'refusal → fallback',
  },
  {
    name: 'refusal: retry_same_route asks the same model again at once',
    on: '{ refusal: { retry_same_route: 1, then: stop_and_escalate } }',
    reports: [REFUSAL, REFUSAL],
    attempts: ['m-two/0+0', 'm-two/0+0', 'finish'],
    transition: 'refusal → stop_and_escalate',
    escalate: true,
  },
  {
    name: 'unsupported_input: fallback, where a 400 would otherwise go back',
    on: '{ unsupported_input: fallback }',
    reports: [IMAGE_400, OK],
    attempts: ['m-two/0+0', 'm-one/0+0', 'finish'],
    transition: 'unsupported_input → fallback',
  },
  {
    name: 'unsupported_input wins over http_4xx and http_400',
    on: '{ http_4xx: stop_and_escalate, http_400: stop, unsupported_input: fallback }',
    reports: [IMAGE_400, status(400)],
    attempts: ['m-two/0+0', 'm-one/0+0', 'finish'],
    transition: 'http_400 → stop',
  },
  {
    name: 'http_4xx: fallback, a 401 still moving to the next credential first',
    on: '{ http_4xx: fallback }',
    reports: [status(401), status(404), OK],
    attempts: ['m-two/0+0', 'm-two/1+0', 'm-one/0+0', 'finish'],
    transition: 'http_4xx → fallback',
  },
  {
    name: 'schema_invalid: N retries, then schema_invalid_after_retry',
    on: '{ schema_invalid: { retry_same_route: 2 }, schema_invalid_after_retry: stop_and_escalate }',
    reports: [INVALID, INVALID, INVALID],
    attempts: ['m-two/0+0', 'm-two/0+0', 'm-two/0+0', 'finish'],
    transition: 'schema_invalid_after_retry → stop_and_escalate',
    escalate: true,
  },
  {
    name: "schema_invalid_after_retry follows the failover section's own retry",
    on: '{ schema_invalid_after_retry: fallback }',
    reports: [INVALID, INVALID, OK],
    attempts: ['m-two/0+0', 'm-two/0+0', 'm-one/0+0', 'finish'],
    transition: 'schema_invalid_after_retry → fallback',
  },
  {
    name: 'schema_invalid: fallback, and the fallback gets its own schema retries',
    on: '{ schema_invalid: fallback }',
    reports: [INVALID, INVALID, OK],
    attempts: ['m-two/0+0', 'm-one/0+0', 'm-alt/0+0', 'finish'],
    transition: 'schema_invalid → fallback',
  },
  {
    name: "an outcome not written keeps the failover section's behaviour",
    on: '{ timeout: stop }',
    reports: [status(503), status(503), OK],
    attempts: ['m-two/0+0', 'm-two/1+0', 'm-one/0+0', 'finish'],
  },
  {
    name: 'a fallback with nothing left to move to stops',
    on: '{ http_5xx: fallback }',
    reports: [status(503), status(503), status(503)],
    attempts: ['m-two/0+0', 'm-one/0+0', 'm-alt/0+0', 'finish'],
    transition: 'http_5xx → fallback',
  },
];

describe('FailoverPlan transitions', () => {
  for (const row of ROWS) {
    it(`should follow ${row.name}`, async () => {
      const d = drive({ extra: onW(row.on), workflow: 'w' });
      expect(await runPlan(d, row.reports)).toEqual(row.attempts);
      const taken = d.record.transition && `${d.record.transition.outcome} → ${d.record.transition.action}`;
      expect(taken).toBe(row.transition);
      expect(d.record.escalate).toBe(row.escalate);
    });
  }

  it('should record each transition taken as an event, and which map it came from', async () => {
    const d = drive({ extra: onW('{ http_429: { retry_same_route: 1, then: fallback } }'), workflow: 'w' });
    await runPlan(d, [status(429), status(429), OK]);
    expect(d.record.events.filter((e) => e.name === 'switchyard.transition').map((e) => e.attributes)).toEqual([
      { model: 'm-two', provider: 'two', outcome: 'http_429', action: 'retry_same_route', from: 'workflow' },
      { model: 'm-two', provider: 'two', outcome: 'http_429', action: 'fallback', from: 'workflow' },
    ]);
    expect(d.record.transition).toEqual({ outcome: 'http_429', action: 'fallback', attempt: 1, from: 'workflow' });
    expect(d.record.fallbackReason).toBe('http_429');
  });

  it("should let the workflow's map win over the route's, and use the route's for calls of other workflows", async () => {
    const extra = `  both: { default: m-two, fallbacks: [m-one], on: { http_503: fallback } }\n${onW('{ http_5xx: stop }')}`;
    const selection = { kind: 'route', route: 'both', rule: 'default', model: 'm-two' } as const;
    const w = drive({ extra, workflow: 'w', selection });
    expect(await runPlan(w, [status(503)])).toEqual(['m-two/0+0', 'finish']);
    const other = drive({ extra, selection });
    expect(await runPlan(other, [status(503), OK])).toEqual(['m-two/0+0', 'm-one/0+0', 'finish']);
    expect(other.record.transition).toEqual({ outcome: 'http_503', action: 'fallback', attempt: 0, from: 'route' });
  });

  it('should apply the `default` workflow to a call that names none', async () => {
    const d = drive({ extra: 'workflows:\n  default: { on: { http_5xx: stop_and_escalate } }\n' });
    expect(await runPlan(d, [status(503)])).toEqual(['m-two/0+0', 'finish']);
    expect(d.record.escalate).toBe(true);
  });

  it('should go on to `then` when the retry would pass the deadline or wait a Retry-After over max_delay_ms', async () => {
    const late = drive({
      extra: `${onW('{ timeout: { retry_same_route: 2, then: stop_and_escalate } }')}failover: { timeouts: { total_ms: 1000 } }\n`,
      workflow: 'w',
    });
    let step = await late.plan.first();
    late.attempt(step);
    late.clock.now = T0 + 900;
    step = await late.plan.next(TIMEOUT);
    expect(step.kind).toBe('finish');
    expect(late.record.escalate).toBe(true);
    const slow = drive({
      extra: `${onW('{ http_503: { retry_same_route: 3, then: fallback } }')}failover: { retry: { max_delay_ms: 1000 } }\n`,
      workflow: 'w',
      selection: { kind: 'route', route: 'smart', rule: 'default', model: 'm-one' },
    });
    expect(await runPlan(slow, [status(503, { 'retry-after': '5' }), OK])).toEqual(['m-one/0+0', 'm-alt/0+0', 'finish']);
    expect(slow.record.events.map((e) => e.name)).toContain('switchyard.retry.skipped');
  });

  it('should say when an answer must be read whole or its error read', () => {
    expect(drive({ extra: onW('{ refusal: stop }'), workflow: 'w' }).plan.needsWholeAnswer).toBe(true);
    expect(drive({ extra: onW('{ refusal: stop }'), workflow: 'w' }).plan.needsErrorBody).toBe(false);
    expect(drive({ extra: onW('{ unsupported_input: stop }'), workflow: 'w' }).plan.needsErrorBody).toBe(true);
    expect(drive({ extra: onW('{ refusal: stop }') }).plan.needsWholeAnswer).toBe(false);
    expect(drive().plan.needsWholeAnswer).toBe(false);
  });
});

describe('FailoverPlan fallback boundaries', () => {
  it('should never call a blocked model, although the route lists it', async () => {
    const d = drive({ extra: onW('{ http_5xx: fallback }', ', fallback: { blocked: [m-one] }'), workflow: 'w' });
    expect(await runPlan(d, [status(503), OK])).toEqual(['m-two/0+0', 'm-alt/0+0', 'finish']);
    expect(d.record.events.find((e) => e.name === 'switchyard.fallback.skipped')?.attributes).toEqual({
      model: 'm-one',
      provider: 'one',
      reason: 'blocked',
    });
  });

  it("should block by the failover section's own fallbacks too", async () => {
    const d = drive({ extra: 'workflows:\n  w: { fallback: { blocked: [m-one, m-alt] } }\n', workflow: 'w' });
    expect(await runPlan(d, [status(503), status(503), OK])).toEqual(['m-two/0+0', 'm-two/1+0', 'finish']);
  });

  it("should take the workflow's allowed list instead of the route's fallbacks", async () => {
    const d = drive({ extra: onW('{ http_5xx: fallback }', ', fallback: { allowed: [m-alt] }'), workflow: 'w' });
    expect(await runPlan(d, [status(503), status(503)])).toEqual(['m-two/0+0', 'm-alt/0+0', 'finish']);
  });

  it("should move an exact model ID only to its workflow's allowed list", async () => {
    const exact = { kind: 'exact', model: 'm-two' } as const;
    const listed = drive({
      extra: onW('{ http_5xx: fallback }', ', fallback: { allowed: [m-one] }'),
      workflow: 'w',
      selection: exact,
    });
    expect(await runPlan(listed, [status(503), OK])).toEqual(['m-two/0+0', 'm-one/0+0', 'finish']);
    const unlisted = drive({ extra: onW('{ http_5xx: fallback }'), workflow: 'w', selection: exact });
    expect(await runPlan(unlisted, [status(503)])).toEqual(['m-two/0+0', 'finish']);
  });
});

describe('FailoverPlan capability checks, the chosen model included', () => {
  it('should not call a chosen model that lacks what the request needs, and move to the first fallback that has it', async () => {
    const d = drive({ unmet: (m) => (m.id === 'm-two' ? { reason: 'missing_capability', capability: 'tools' } : undefined) });
    expect(await runPlan(d, [OK])).toEqual(['m-one/0+0', 'finish']);
    expect(d.record.events.map((e) => [e.name, e.attributes.model ?? e.attributes.to_model, e.attributes.reason])).toEqual([
      ['switchyard.fallback.skipped', 'm-two', 'missing_capability'],
      ['switchyard.fallback', 'm-one', 'capability_missing'],
    ]);
    expect(d.record.fallbackReason).toBe('capability_missing');
  });

  it('should refuse with 400 capability_missing when no allowed candidate has it', async () => {
    const none = drive({ unmet: () => ({ reason: 'missing_capability', capability: 'vision' }) });
    const refused = await none.plan.first().catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(SwitchyardError);
    expect(refused).toMatchObject({
      status: 400,
      code: 'capability_missing',
      message:
        'Model "m-two" lacks the capability "vision", which the request holds images; no allowed fallback can serve the request either.',
    });
    expect(none.record.attempts).toEqual([]);
    expect(none.record.events.filter((e) => e.name === 'switchyard.fallback.skipped').map((e) => e.attributes.model)).toEqual([
      'm-two',
      'm-one',
      'm-alt',
    ]);
  });

  it('should refuse an exact model ID that lacks it: it has nowhere to go', async () => {
    const d = drive({
      selection: { kind: 'exact', model: 'm-plain' },
      unmet: (m) => ({ reason: 'context_window', needed: 5000, contextWindow: m.contextWindow ?? 0 }),
    });
    await expect(d.plan.first()).rejects.toMatchObject({
      code: 'capability_missing',
      message:
        'Model "m-plain" has a context window of 4000 tokens, smaller than the 5000 the request needs (its input plus its max output); no allowed fallback can serve the request either.',
    });
  });

  it("should hold every candidate to the workflow's requires, whatever the request holds", async () => {
    const d = drive({ extra: onW('{ http_5xx: fallback }', ', requires: [vision]'), workflow: 'w' });
    expect(await runPlan(d, [status(503)])).toEqual(['m-two/0+0', 'finish']);
    expect(d.record.events.filter((e) => e.name === 'switchyard.fallback.skipped').map((e) => e.attributes)).toEqual([
      { model: 'm-one', provider: 'one', reason: 'missing_capability', capability: 'vision', workflow: 'w' },
      { model: 'm-alt', provider: 'one', reason: 'missing_capability', capability: 'vision', workflow: 'w' },
    ]);
    const long = drive({ extra: 'workflows:\n  w: { requires: [{ long_context: 200000 }] }\n', workflow: 'w' });
    await expect(long.plan.first()).rejects.toMatchObject({
      code: 'capability_missing',
      message:
        'Model "m-two" has a context window of 128000 tokens, smaller than the 200000 workflow "w" requires; no allowed fallback can serve the request either.',
    });
  });
});
