// A workflow's first_token_ms: a per-attempt deadline like first_byte_ms (the shortest wins), whose passing
// follows the workflow's on_timeout, while other timeouts keep the `timeout` transition.
import { describe, expect, it } from 'vitest';
import { drive, OK, runPlan, TIMEOUT } from '../test/harness.js';
import { firstByteLimit } from './first-byte.js';
import type { AttemptReport } from './triggers.js';

const FIRST_TOKEN: AttemptReport = { kind: 'failed', outcome: 'timeout', firstToken: true };
const w = (latency: string, on = '{ timeout: stop }') => `workflows:\n  w: { on: ${on}, latency: ${latency} }\n`;

describe('firstByteLimit', () => {
  it('should take the shortest of first_byte_ms, first_token_ms and what is left of total_ms, and say which', () => {
    expect(firstByteLimit({ firstByteMs: 5000 } as never, undefined, 0, 800)).toEqual({
      ms: 800,
      limit: 'first_byte',
      limitMs: 800,
      setting: 'first_token_ms',
    });
    expect(firstByteLimit({ firstByteMs: 500 } as never, undefined, 0, 800)?.setting).toBe('first_byte_ms');
    expect(firstByteLimit({ totalMs: 1000 } as never, 300, 0, 800)).toEqual({
      ms: 300,
      limit: 'total',
      limitMs: 1000,
      setting: 'total_ms',
    });
    expect(firstByteLimit({} as never, undefined, 0, undefined)).toBeUndefined();
  });
});

describe('FailoverPlan with first_token_ms', () => {
  it("should give every attempt of the workflow's calls the first-token deadline", async () => {
    const d = drive({ extra: w('{ first_token_ms: 700 }'), workflow: 'w' });
    const step = await d.plan.first();
    expect(step.kind === 'attempt' && step.firstByte).toMatchObject({ ms: 700, setting: 'first_token_ms' });
    const other = drive({ extra: w('{ first_token_ms: 700 }') });
    const plain = await other.plan.first();
    expect(plain.kind === 'attempt' && plain.firstByte?.setting).not.toBe('first_token_ms');
  });

  it('should follow on_timeout when the first token is late, and the timeout transition for other timeouts', async () => {
    const late = drive({ extra: w('{ first_token_ms: 700, on_timeout: fallback }'), workflow: 'w' });
    expect(await runPlan(late, [FIRST_TOKEN, OK])).toEqual(['m-two/0+0', 'm-one/0+0', 'finish']);
    expect(late.record.transition).toMatchObject({ outcome: 'timeout', action: 'fallback', from: 'workflow' });
    const connect = drive({ extra: w('{ first_token_ms: 700, on_timeout: fallback }'), workflow: 'w' });
    expect(await runPlan(connect, [TIMEOUT, OK])).toEqual(['m-two/0+0', 'finish']);
    expect(connect.record.transition).toMatchObject({ outcome: 'timeout', action: 'stop' });
  });

  it('should let on_timeout retry the same model before its `then`, and escalate', async () => {
    const d = drive({
      extra: w('{ first_token_ms: 700, on_timeout: { retry_same_route: 1, then: stop_and_escalate } }'),
      workflow: 'w',
    });
    // A timeout is no credential's fault: the retry waits the backoff.
    expect(await runPlan(d, [FIRST_TOKEN, FIRST_TOKEN])).toEqual(['m-two/0+0', 'm-two/0+250', 'finish']);
    expect(d.record.escalate).toBe(true);
  });

  it('should keep the timeout transition for a late first token when the workflow writes no on_timeout', async () => {
    const d = drive({ extra: w('{ first_token_ms: 700 }', '{ timeout: fallback }'), workflow: 'w' });
    expect(await runPlan(d, [FIRST_TOKEN, OK])).toEqual(['m-two/0+0', 'm-one/0+0', 'finish']);
  });
});

describe("FailoverPlan with the workflow's timeout_ms", () => {
  it('should make it the call deadline when it is shorter than total_ms, and name it', async () => {
    const d = drive({
      extra: `failover: { timeouts: { total_ms: 60000 } }\n${w('{ timeout_ms: 5000 }')}`,
      workflow: 'w',
    });
    expect(d.plan.deadlineAt).toBe(d.record.startedAt + 5000);
    const step = await d.plan.first();
    expect(step.kind === 'attempt' && step.firstByte).toEqual({ ms: 5000, limit: 'total', limitMs: 5000, setting: 'timeout_ms' });
    const longer = drive({ extra: `failover: { timeouts: { total_ms: 3000 } }\n${w('{ timeout_ms: 5000 }')}`, workflow: 'w' });
    expect(longer.plan.deadlineAt).toBe(longer.record.startedAt + 3000);
    const other = drive({ extra: w('{ timeout_ms: 5000 }') });
    expect(other.plan.deadlineAt).toBe(other.record.startedAt + 600_000); // the default total_ms
  });
});
