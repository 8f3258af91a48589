import { describe, expect, it } from 'vitest';
import { parsePolicy } from './load.js';
import { formatProblem, PolicyError } from './policy-error.js';

const BASE = `version: 1
providers:
  openai: { format: openai, base_url: https://api.openai.com/v1 }
models:
  gpt-4o: { provider: openai }
  gpt-4o-mini: { provider: openai }
routes:
  smart: { default: gpt-4o, fallbacks: [gpt-4o-mini] }
  cheap: { default: gpt-4o-mini }
`;

function load(failover: string) {
  return parsePolicy(BASE + failover, 'policy.yaml', { env: {} });
}

function problems(failover: string): string[] {
  try {
    load(failover);
  } catch (err) {
    expect(err).toBeInstanceOf(PolicyError);
    return (err as PolicyError).problems.map(formatProblem);
  }
  throw new Error('the policy loaded');
}

describe('the failover section', () => {
  it('should default to one attempt, the usual triggers, a minute to the first byte, ten minutes in all and a cooldown after 5 failures', () => {
    const { failover } = load('');
    expect(failover.defaults).toEqual({
      retry: {
        attempts: 1,
        on: new Set([429, 500, 502, 503, 504, 'timeout', 'connect_error']),
        backoffMs: 250,
        maxDelayMs: 30_000,
      },
      fallback: { on: new Set([429, 500, 502, 503, 504, 'timeout', 'connect_error']) },
      timeouts: { firstByteMs: 60_000, totalMs: 600_000 },
      onSchemaError: 'retry',
    });
    expect(failover.routes.size).toBe(0);
    expect(failover.cooldown).toEqual({ failures: 5, durationMs: 30_000 });
  });

  it('should load the DESIGN.md example', () => {
    const { failover } = load(`failover:
  retry:    { attempts: 2, on: [429, 500, 502, 503, 504, timeout, connect_error], backoff_ms: 250 }
  fallback: { on: [429, 500, 502, 503, 504, timeout, connect_error] }
  timeouts: { first_byte_ms: 10000, total_ms: 120000 }
`);
    expect(failover.defaults.retry.attempts).toBe(2);
    expect(failover.defaults.timeouts).toEqual({ firstByteMs: 10_000, totalMs: 120_000 });
  });

  it('should apply route overrides field by field over the policy-level settings', () => {
    const { failover } = load(`failover:
  retry: { attempts: 3, on: [503, timeout], backoff_ms: 100 }
  fallback: { on: [503] }
  timeouts: { first_byte_ms: 2000, total_ms: 9000 }
  on_schema_error: return
  cooldown: { failures: 0, duration_ms: 5000 }
  routes:
    smart: { retry: { attempts: 1 }, timeouts: { total_ms: 4000 }, on_schema_error: fallback }
`);
    expect(failover.routes.get('smart')).toEqual({
      retry: { attempts: 1, on: new Set([503, 'timeout']), backoffMs: 100, maxDelayMs: 30_000 },
      fallback: { on: new Set([503]) },
      timeouts: { firstByteMs: 2000, totalMs: 4000 },
      onSchemaError: 'fallback',
    });
    expect(failover.routes.has('cheap')).toBe(false);
    expect(failover.defaults.onSchemaError).toBe('return');
    expect(failover.cooldown).toEqual({ failures: 0, durationMs: 5000 });
  });

  it('should reject 4xx statuses other than 408 and 429 as triggers, at the entry', () => {
    expect(problems('failover:\n  retry: { on: [503, 404] }\n')).toEqual([
      'policy.yaml:11:22: failover.retry.on.1: 404: 4xx statuses other than 408 and 429 never trigger failover; the client gets them as the upstream sent them',
    ]);
  });

  it('should reject unknown triggers and point schema_invalid at on_schema_error', () => {
    expect(problems('failover:\n  fallback: { on: [timeout, timout, schema_invalid, 200] }\n')).toEqual([
      'policy.yaml:11:29: failover.fallback.on.1: unknown trigger "timout" (triggers: 408, 429, 500-599, timeout, connect_error)',
      'policy.yaml:11:37: failover.fallback.on.2: schema_invalid is not listed here: set on_schema_error (retry, fallback or return)',
      'policy.yaml:11:53: failover.fallback.on.3: 200 is not a failure status (408, 429 or 500-599)',
    ]);
  });

  it('should reject overrides for a route the policy does not have, at its name', () => {
    expect(problems('failover:\n  routes:\n    smrt: { retry: { attempts: 2 } }\n')).toEqual([
      'policy.yaml:12:5: failover.routes: "smrt" is not a route (routes: smart, cheap)',
    ]);
  });

  it('should shorten the default first-byte limit to a shorter total_ms, not reject it', () => {
    const failover = load('failover:\n  timeouts: { total_ms: 20000 }\n').failover;
    expect(failover.defaults.timeouts).toEqual({ firstByteMs: 20_000, totalMs: 20_000 });
  });

  it('should reject a first_byte_ms longer than total_ms, where it is written', () => {
    expect(problems('failover:\n  timeouts: { first_byte_ms: 5000, total_ms: 1000 }\n')).toEqual([
      'policy.yaml:11:30: first_byte_ms (5000) is longer than total_ms (1000)',
    ]);
    expect(
      problems('failover:\n  timeouts: { first_byte_ms: 5000 }\n  routes:\n    smart: { timeouts: { total_ms: 1000 } }\n'),
    ).toEqual(['policy.yaml:13:36: first_byte_ms (5000) is longer than total_ms (1000)']);
  });

  it('should reject unknown keys, bad values and out-of-range numbers', () => {
    const found = problems(`failover:
  retry: { attempts: 0, backof_ms: 10 }
  timeouts: { total_ms: -1 }
  on_schema_error: ignore
`);
    expect(found).toEqual([
      'policy.yaml:11:22: failover.retry.attempts: Too small: expected number to be >=1',
      'policy.yaml:11:25: failover.retry: unknown key "backof_ms"',
      'policy.yaml:12:25: failover.timeouts.total_ms: Too small: expected number to be >=1',
      'policy.yaml:13:20: failover.on_schema_error: Invalid option: expected one of "retry"|"fallback"|"return"',
    ]);
  });
});
