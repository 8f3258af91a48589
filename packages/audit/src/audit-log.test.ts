import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpanKind } from '@opentelemetry/api';
import { SwitchyardError } from '@switchyard/core';
import type { RequestHandler } from 'express';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { audit } from './middleware.js';
import {
  answeredAttempt,
  chatCompletion,
  memoryTelemetry,
  parseLikeSignals,
  post,
  relay,
  startAuditApp,
  testPolicy,
  until,
} from '../test/support.js';

const MINI = 'gpt-4o-mini-2024-07-18';
const GPT4O = 'gpt-4o-2024-08-06';
const telemetry = memoryTelemetry();
let dir: string;

/** A fallback that served and was priced, or (`model: "nope"`) a 404. */
const stack: RequestHandler = (req, res, next) => {
  const record = parseLikeSignals(req);
  if (record.requestedModel === 'nope')
    return next(new SwitchyardError({ status: 404, type: 'invalid_request_error', code: 'model_not_found', message: 'no' }));
  record.owner = 'search-team';
  record.selection = { kind: 'route', route: 'smart', rule: 'schema', model: MINI };
  const at = Date.now();
  record.attempts.push({
    provider: 'openai',
    model: MINI,
    credentialIndex: 0,
    startedAt: at,
    endedAt: at,
    status: 503,
    outcome: 'http_error',
    errorClass: 'http_503',
  });
  record.fallbackReason = 'http_503';
  if (req.headers['x-switchyard-workflow'] !== undefined) {
    record.workflowOwner = 'support-platform';
    record.runId = 'conversation-7';
    record.transition = { outcome: 'http_503', action: 'fallback', attempt: 0, from: 'workflow' };
  }
  answeredAttempt(record, res, { provider: 'openai', model: GPT4O, status: 200 });
  record.usage = { inputTokens: 40, outputTokens: 7, cachedInputTokens: 32 };
  record.costUsd = 0.00017;
  relay(res, 200, 'application/json', [chatCompletion(GPT4O)]);
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchyard-audit-log-'));
});
afterAll(async () => {
  await telemetry.shutdown();
  await rm(dir, { recursive: true, force: true });
});

describe('audit() log', () => {
  it('should write one JSON line of evidence per request, with the trace it belongs to', async () => {
    const lines: string[] = [];
    const app = await startAuditApp(
      { tracerProvider: telemetry.tracerProvider, metrics: false, log: (line) => lines.push(line) },
      [stack],
    );
    try {
      await post(
        `${app.url}/chat/completions`,
        { model: 'smart', messages: [{ role: 'user', content: 'Hi' }] },
        { 'x-switchyard-workflow': 'support-triage' },
      );
      await post(`${app.url}/chat/completions`, { model: 'nope', messages: [{ role: 'user', content: 'Hi' }] });
      await until(() => lines.length === 2, 'two log lines');
    } finally {
      await app.close();
    }
    expect(lines.every((line) => line.endsWith('}\n') && !line.slice(0, -1).includes('\n'))).toBe(true);
    const [served, refused] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const server = telemetry.spans.getFinishedSpans().find((s) => s.kind === SpanKind.SERVER)!;
    expect(served).toEqual({
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      trace_id: server.spanContext().traceId,
      workflow: 'support-triage',
      owner: 'search-team',
      workflow_owner: 'support-platform',
      run_id: 'conversation-7',
      endpoint: 'chat',
      requested_model: 'smart',
      route: 'smart',
      rule: 'schema',
      served_model: GPT4O,
      provider: 'openai',
      status: 200,
      error_class: null,
      input_tokens: 40,
      output_tokens: 7,
      cached_input_tokens: 32,
      cost_usd: 0.00017,
      fallback_reason: 'http_503',
      transition_outcome: 'http_503',
      transition_action: 'fallback',
      escalate: false,
      attempts: 2,
      duration_ms: expect.any(Number),
    });
    expect(refused).toMatchObject({
      requested_model: 'nope',
      route: null,
      rule: null,
      served_model: null,
      provider: null,
      status: 404,
      error_class: 'model_not_found',
      input_tokens: null,
      cost_usd: null,
      attempts: 0,
      workflow: null,
      workflow_owner: null,
      run_id: null,
      transition_outcome: null,
      escalate: false,
    });
    expect(Object.keys(refused!)).toEqual(Object.keys(served!));
  });

  it('should append to a file, and to stdout', async () => {
    const file = join(dir, 'audit.log');
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const toFile = await startAuditApp({ metrics: false, log: { path: file } }, [stack]);
    const toStdout = await startAuditApp({ metrics: false, log: 'stdout' }, [stack]);
    try {
      await post(`${toFile.url}/chat/completions`, { model: 'smart', messages: [{ role: 'user', content: 'Hi' }] });
      await post(`${toFile.url}/chat/completions`, { model: 'nope', messages: [{ role: 'user', content: 'Hi' }] });
      await post(`${toStdout.url}/chat/completions`, { model: 'nope', messages: [{ role: 'user', content: 'Hi' }] });
      await until(
        () => write.mock.calls.some(([chunk]) => String(chunk).includes('"error_class":"model_not_found"')),
        'a stdout line',
      );
    } finally {
      write.mockRestore();
      await toFile.close();
      await toStdout.close();
    }
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as { status: number }).status)).toEqual([200, 404]);
  });

  it('should refuse a log sink it cannot use when it is built, not per request', async () => {
    expect(() => audit({ log: { path: join(dir, 'missing', 'audit.log') } })).toThrow(/ENOENT/);
    expect(() => audit({ log: 'stderr' as never })).toThrow(TypeError);
    expect(() => audit({ logs: 'stdout' } as never)).toThrow('audit(): unknown option "logs"');
  });

  it('should write nothing when no log is asked for', async () => {
    const write = vi.spyOn(process.stdout, 'write');
    const app = await startAuditApp({ metrics: false }, [stack]);
    try {
      await post(`${app.url}/chat/completions`, { model: 'smart', messages: [{ role: 'user', content: 'Hi' }] });
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(write.mock.calls.filter(([chunk]) => String(chunk).includes('requested_model'))).toEqual([]);
    } finally {
      write.mockRestore();
      await app.close();
    }
  });
});

describe('audit() options', () => {
  it('should accept the policy it is given and nothing unknown', () => {
    expect(() => audit({ policy: testPolicy() })).not.toThrow();
    expect(() => audit(null as never)).toThrow(TypeError);
  });
});
