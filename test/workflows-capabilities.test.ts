// Issue 14 through the umbrella switchyard(): every candidate checked for what the request needs, the chosen
// model included; one model from two providers (upstream_model), falling back between them only where the
// policy lists it; absent signals without rule errors; time_of_day.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { routing, type RoutingRecord } from '@switchyard/core';
import type { MockProvider } from '@switchyard/mock-provider';
import { APIError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chat, chatCalls, startHarness, type Harness, type PolicyContext } from './helpers/gateway.js';

const FULL = 'full-2025-01-01'; // every capability, on alpha
const PLAIN = 'plain-2025-01-01'; // text only, on alpha
const MINI_A = 'gpt-5-mini@alpha';
const MINI_B = 'gpt-5-mini@beta';
const UPSTREAM = 'gpt-5-mini';

function policy(ctx: PolicyContext): string {
  return `version: 1
timezone: Europe/Berlin
providers:
  alpha: { format: openai, base_url: ${ctx.url('alpha')}, credentials: [{ env: ${ctx.env('alpha')} }] }
  beta: { format: openai, base_url: ${ctx.url('beta')}, credentials: [{ env: ${ctx.env('beta')} }] }
models:
  ${FULL}: { provider: alpha, context_window: 128000, capabilities: [tools, json_schema, streaming, vision] }
  ${PLAIN}: { provider: alpha, context_window: 128000, capabilities: [streaming] }
  ${MINI_A}: { provider: alpha, upstream_model: ${UPSTREAM}, capabilities: [tools, streaming] }
  ${MINI_B}: { provider: beta, upstream_model: ${UPSTREAM}, capabilities: [tools, streaming] }
signals:
  priority: { from: "$.metadata.priority", type: string }
  tier: { from: "header:x-tier", type: string, default: standard }
routes:
  cheap: { default: ${PLAIN}, fallbacks: [${FULL}] }
  bare: { default: ${PLAIN} }
  pair: { default: ${MINI_A}, fallbacks: [${MINI_B}] }
  picky:
    default: ${PLAIN}
    rules:
      - { name: vip, if: 'priority == "high"', use: ${FULL} }
      - { name: gold, if: 'tier == "gold"', use: ${FULL} }
  office:
    default: ${PLAIN}
    rules:
      - { name: hours, if: 'time_of_day >= "09:00" && time_of_day < "17:30"', use: ${FULL} }
failover:
  cooldown: { failures: 0 }
`;
}

const TOOLS = [{ type: 'function' as const, function: { name: 'lookup', parameters: { type: 'object', properties: {} } } }];

let h: Harness;
let alpha: MockProvider;
let beta: MockProvider;
const records: { record: RoutingRecord; closed: Promise<void> }[] = [];
/** 16:45 in Berlin (UTC+1 in January): inside the office hours of route `office`. */
let now = new Date('2025-01-15T15:45:00Z');

beforeAll(async () => {
  h = await startHarness({ mocks: ['alpha', 'beta'], policy, now: () => now });
  alpha = h.mocks.alpha!;
  beta = h.mocks.beta!;
  h.gateway.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    records.push({ record: routing(req).record, closed: new Promise((resolve) => res.once('close', () => resolve())) });
  });
});
afterAll(() => h?.close());
beforeEach(() => {
  h.resetMocks();
  records.length = 0;
});

async function lastRecord(): Promise<RoutingRecord> {
  const last = records.at(-1);
  if (!last) throw new Error('no request reached the gateway');
  await last.closed;
  return last.record;
}

async function refused(run: () => Promise<unknown>): Promise<APIError> {
  const err = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(APIError);
  return err as APIError;
}

describe('capabilities, the chosen model included', () => {
  it('should not call a default model that lacks tools, and serve from the next capable fallback', async () => {
    const r = await chat(h.client, { model: 'cheap', tools: TOOLS });

    expect(r.servedModel).toBe(FULL);
    expect(r.headers.get('x-switchyard-fallback-reason')).toBe('capability_missing');
    expect(chatCalls(alpha).map((c) => c.model)).toEqual([FULL]);
    const record = await lastRecord();
    expect(record.attempts.map((a) => a.model)).toEqual([FULL]);
    expect(record.events.find((e) => e.name === 'switchyard.fallback.skipped')?.attributes).toEqual({
      model: PLAIN,
      provider: 'alpha',
      reason: 'missing_capability',
      capability: 'tools',
    });
  });

  it('should answer 400 capability_missing, naming model and capability, when no allowed candidate has it', async () => {
    const err = await refused(() => chat(h.client, { model: 'bare', tools: TOOLS }));

    expect(err.status).toBe(400);
    expect(err.code).toBe('capability_missing');
    expect(err.message).toContain(`Model "${PLAIN}" lacks the capability "tools", which the request offers tools`);
    expect(chatCalls(alpha)).toEqual([]);
    const record = await lastRecord();
    expect(record.attempts).toEqual([]);
    expect(record.error).toMatchObject({ status: 400, code: 'capability_missing' });
  });

  it('should refuse an exact model ID that lacks what the request needs, a JSON schema here', async () => {
    const err = await refused(() =>
      chat(h.client, {
        model: PLAIN,
        response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } },
      }),
    );
    expect(err.status).toBe(400);
    expect(err.code).toBe('capability_missing');
    expect(err.message).toContain('"json_schema", which the request asks for a JSON schema');
    expect(chatCalls(alpha)).toEqual([]);
  });

  it('should call the model when it has everything the request needs', async () => {
    const r = await chat(h.client, { model: FULL, tools: TOOLS });
    expect(r.servedModel).toBe(FULL);
    expect(r.headers.get('x-switchyard-fallback-reason')).toBeNull();
  });
});

describe('one model from two providers (upstream_model)', () => {
  it("should send the provider's own ID upstream and name the policy entry in the record and headers", async () => {
    const r = await chat(h.client, { model: MINI_B });

    expect(r.servedModel).toBe(MINI_B);
    expect(chatCalls(beta).map((c) => (c.body as { model: string }).model)).toEqual([UPSTREAM]);
    // The answer passes through as the provider wrote it: its body names the provider's ID.
    expect(r.completion.model).toBe(UPSTREAM);
    const record = await lastRecord();
    expect(record.servedModel).toBe(MINI_B);
    expect(record.attempts.map((a) => `${a.provider}/${a.model}`)).toEqual([`beta/${MINI_B}`]);
  });

  it('should fall back from one provider to the other where a route lists it', async () => {
    alpha.script(UPSTREAM, { status: 503 });

    const r = await chat(h.client, { model: 'pair' });

    expect(r.servedModel).toBe(MINI_B);
    expect(r.headers.get('x-switchyard-fallback-reason')).toBe('http_503');
    expect(chatCalls(alpha).map((c) => (c.body as { model: string }).model)).toEqual([UPSTREAM]);
    expect(chatCalls(beta).map((c) => (c.body as { model: string }).model)).toEqual([UPSTREAM]);
    expect((await lastRecord()).attempts.map((a) => `${a.provider}/${a.model}`)).toEqual([`alpha/${MINI_A}`, `beta/${MINI_B}`]);
  });

  it('should never move an exact entry to the other provider: that is not listed', async () => {
    alpha.script(UPSTREAM, { status: 503 });

    const err = await refused(() => chat(h.client, { model: MINI_A }));

    expect(err.status).toBe(503);
    expect(chatCalls(beta)).toEqual([]);
    expect(chatCalls(alpha)).toHaveLength(1);
  });
});

describe('absent signals and time of day', () => {
  it('should not match a rule over an absent signal, recording the reading and no rule error', async () => {
    const r = await chat(h.client, { model: 'picky' });

    expect(r.route).toBe('picky/default');
    const record = await lastRecord();
    expect(record.ruleErrors).toEqual([]);
    expect(record.signals.priority).toEqual({ kind: 'absent', reason: 'not present in request' });
    // A declared default stands in for a header the request does not carry.
    expect(record.signals.tier).toEqual({ kind: 'value', value: 'standard' });
  });

  it('should still match when the signal is there', async () => {
    const vip = await chat(h.client, { model: 'picky', metadata: { priority: 'high' } });
    expect(vip.route).toBe('picky/vip');
    const gold = await chat(h.client, { model: 'picky' }, { headers: { 'x-tier': 'gold' } });
    expect(gold.route).toBe('picky/gold');
  });

  it("should route by time_of_day in the policy's time zone", async () => {
    now = new Date('2025-01-15T15:45:00Z'); // 16:45 in Berlin
    expect((await chat(h.client, { model: 'office' })).route).toBe('office/hours');
    expect((await lastRecord()).signals.time_of_day).toEqual({ kind: 'value', value: '16:45' });
    now = new Date('2025-01-15T16:30:00Z'); // 17:30 in Berlin
    expect((await chat(h.client, { model: 'office' })).route).toBe('office/default');
    now = new Date('2025-01-15T07:59:00Z'); // 08:59 in Berlin
    expect((await chat(h.client, { model: 'office' })).route).toBe('office/default');
  });
});
