// The rolling first-token figures: bounded per workflow and model, only the last 5 minutes, no p95 below 10
// samples; and the signal that reads them for the model a call names.
import { createRecord, parsePolicy } from '@switchyard/core';
import { describe, expect, it } from 'vitest';
import { FIRST_TOKEN_SAMPLES, FIRST_TOKEN_WINDOW_MS, FirstTokenStats, firstTokenSignal } from './first-token.js';

describe('FirstTokenStats', () => {
  it('should have no p95 below 10 samples, then the nearest-rank 95th percentile', () => {
    const stats = new FirstTokenStats(() => 1000);
    for (let i = 1; i <= 9; i++) stats.add('chat', 'm', i * 100, 1000);
    expect(stats.p95('chat', 'm')).toBeUndefined();
    stats.add('chat', 'm', 1000, 1000);
    expect(stats.p95('chat', 'm')).toBe(1000);
    for (let i = 11; i <= 20; i++) stats.add('chat', 'm', i * 100, 1000);
    expect(stats.p95('chat', 'm')).toBe(1900);
    expect(stats.p95('chat', 'other')).toBeUndefined();
    expect(stats.p95('other', 'm')).toBeUndefined();
  });

  it('should keep only the newest 128 samples of a pair, and count only the last 5 minutes', () => {
    let now = 0;
    const stats = new FirstTokenStats(() => now);
    for (let i = 0; i < FIRST_TOKEN_SAMPLES; i++) stats.add('chat', 'm', 5000, 0);
    for (let i = 0; i < FIRST_TOKEN_SAMPLES; i++) stats.add('chat', 'm', 100, 0);
    expect(stats.p95('chat', 'm')).toBe(100);
    expect(stats.figures('chat')).toEqual([{ model: 'm', samples: FIRST_TOKEN_SAMPLES, p95_ms: 100 }]);
    now = FIRST_TOKEN_WINDOW_MS + 1;
    expect(stats.p95('chat', 'm')).toBeUndefined();
    expect(stats.figures('chat')).toEqual([{ model: 'm', samples: 0, p95_ms: null }]);
  });

  it("should take each attempt's first token, and an attempt given up on its first token with the time it waited", () => {
    const stats = new FirstTokenStats(() => 10_000);
    const record = createRecord(0);
    record.workflow = 'chat';
    for (let i = 0; i < 10; i++) {
      record.attempts.push({
        provider: 'p',
        model: 'slow',
        credentialIndex: 0,
        startedAt: 0,
        endedAt: 900,
        errorClass: 'first_token_timeout',
      });
      record.attempts.push({
        provider: 'p',
        model: 'fast',
        credentialIndex: 0,
        startedAt: 900,
        firstTokenAt: 950,
        endedAt: 2000,
      });
      record.attempts.push({
        provider: 'p',
        model: 'broken',
        credentialIndex: 0,
        startedAt: 0,
        endedAt: 10,
        errorClass: 'http_503',
      });
    }
    stats.observe(record);
    expect(stats.p95('chat', 'slow')).toBe(900);
    expect(stats.p95('chat', 'fast')).toBe(50);
    expect(stats.figures('chat').map((f) => f.model)).toEqual(['slow', 'fast']);
  });
});

describe('p95_first_token_ms', () => {
  const policy = parsePolicy(
    `version: 1
providers: { p: { format: openai, base_url: "http://127.0.0.1:9" } }
models: { a: { provider: p }, b: { provider: p } }
routes: { chat: { default: a, fallbacks: [b] } }
workflows: { support: { route: chat } }
`,
    'policy.yaml',
  );
  const read = async (stats: FirstTokenStats, requestedModel: string, workflow = 'support') => {
    const record = createRecord();
    record.requestedModel = requestedModel;
    record.workflow = workflow;
    try {
      return await firstTokenSignal(policy, stats).extract({ record } as never);
    } catch (err) {
      return (err as Error).message;
    }
  };

  it("should be the workflow's p95 on the route's default, the exact model, or for auto the workflow's route's default", async () => {
    const stats = new FirstTokenStats();
    for (let i = 0; i < 10; i++) {
      stats.add('support', 'a', 1500);
      stats.add('support', 'b', 200);
      stats.add('default', 'a', 50);
    }
    expect(await read(stats, 'chat')).toBe(1500);
    expect(await read(stats, 'auto')).toBe(1500);
    expect(await read(stats, 'b')).toBe(200);
    expect(await read(stats, 'chat', 'default')).toBe(50);
  });

  it('should be absent, saying why, below 10 samples or for a name that is no model or route', async () => {
    const stats = new FirstTokenStats();
    expect(await read(stats, 'chat')).toBe('fewer than 10 samples of workflow "support" on "a" in the last 5 minutes');
    expect(await read(stats, 'nope')).toBe('"nope" names no model or route');
  });
});
