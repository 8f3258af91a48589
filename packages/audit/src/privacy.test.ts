// Prompt and completion text, the client's key and provider credentials never reach a span, an event, a
// metric or the audit log: every exported string is searched for each of them.
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { parsePolicy } from '@switchyard/core';
import type { RequestHandler } from 'express';
import { afterAll, describe, expect, it } from 'vitest';
import {
  answeredAttempt,
  CLIENT_KEY,
  memoryTelemetry,
  parseLikeSignals,
  post,
  PROMPT,
  PROVIDER_KEY,
  relay,
  startAuditApp,
  testPolicy,
  until,
} from '../test/support.js';
import { SIGNAL_VALUE_MAX } from './attributes.js';

const MINI = 'gpt-4o-mini-2024-07-18';
const COMPLETION = 'The vault combination is 31-41-59';
const SECRETS = [CLIENT_KEY, PROVIDER_KEY, PROMPT, COMPLETION, 'hunter2', '31-41-59'];
const telemetry = memoryTelemetry();

const stack: RequestHandler = (req, res) => {
  const record = parseLikeSignals(req);
  record.signals.has_schema = { kind: 'value', value: false };
  record.selection = { kind: 'route', route: 'smart', rule: 'default', model: MINI };
  record.target = { model: MINI, provider: 'openai', format: 'openai' };
  answeredAttempt(record, res, { provider: 'openai', model: MINI, status: 200 });
  record.usage = { inputTokens: 10, outputTokens: 8 };
  const delta = (content: string) =>
    `data: {"choices":[{"index":0,"delta":{"content":${JSON.stringify(content)}},"finish_reason":null}]}\n\n`;
  relay(res, 200, 'text/event-stream', [
    delta(COMPLETION.slice(0, 10)),
    delta(COMPLETION.slice(10)),
    'data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n',
    'data: [DONE]\n\n',
  ]);
};

afterAll(() => telemetry.shutdown());

/** Every key and value in `value`, as strings. */
function strings(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) {
    for (const v of value) strings(v, out);
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      strings(v, out);
    }
  } else if (value !== undefined && value !== null) {
    out.push(String(value));
  }
  return out;
}

function exported(span: ReadableSpan): string[] {
  return [
    span.name,
    span.status.message ?? '',
    ...strings(span.attributes),
    ...span.events.flatMap((e) => [e.name, ...strings(e.attributes)]),
    ...strings(span.resource.attributes),
  ];
}

describe('audit() privacy', () => {
  it('should never record the prompt, the completion, the client key or a provider credential', async () => {
    const lines: string[] = [];
    const app = await startAuditApp(
      {
        policy: testPolicy(),
        tracerProvider: telemetry.tracerProvider,
        meterProvider: telemetry.meterProvider,
        log: (line) => lines.push(line),
      },
      [stack],
    );
    try {
      const res = await post(
        `${app.url}/chat/completions`,
        {
          model: 'smart',
          stream: true,
          user: PROMPT,
          metadata: { note: PROMPT },
          messages: [
            { role: 'system', content: PROMPT },
            { role: 'user', content: PROMPT },
          ],
        },
        { 'x-api-key': CLIENT_KEY, 'x-switchyard-workflow': 'triage' },
      );
      expect(res.text).toContain('31-41-59'); // the answer did pass through
      await until(() => lines.length === 1, 'the log line');
    } finally {
      await app.close();
    }
    const spans = await telemetry.finished(2);
    const metrics = await telemetry.metrics();
    const everything = [
      ...spans.flatMap(exported),
      ...lines,
      ...metrics.scopeMetrics.flatMap((s) =>
        s.metrics.flatMap((m) => [m.descriptor.name, ...m.dataPoints.flatMap((p) => strings(p.attributes))]),
      ),
    ];
    expect(everything.length).toBeGreaterThan(50);
    expect(everything.join('\n')).toContain(MINI); // the search sees real content
    for (const secret of SECRETS) {
      expect(
        everything.filter((s) => s.includes(secret)),
        secret,
      ).toEqual([]);
    }
  });
});

describe('audit() and declared signals', () => {
  it('should record a signal over the prompt by presence and length, unless the policy says record: value', async () => {
    const policy = parsePolicy(
      `version: 1
providers:
  openai: { format: openai, base_url: "https://api.openai.example/v1", credentials: [{ env: KEY }] }
models:
  gpt-4o-mini-2024-07-18: { provider: openai }
signals:
  last_user: { from: "$.messages[-1:].content", type: string }
  note: { from: "$.metadata.note", type: string, record: presence }
  tier: { from: "$.metadata.tier", type: string }
  quoted: { from: "$..quote", type: string, record: value }
routes:
  smart: { default: gpt-4o-mini-2024-07-18 }
`,
      'signals.yaml',
      { env: { KEY: PROVIDER_KEY } },
    );
    const long = 'x'.repeat(SIGNAL_VALUE_MAX + 100);
    const withSignals: RequestHandler = (req, res, next) => {
      const record = parseLikeSignals(req);
      record.signals.last_user = { kind: 'value', value: PROMPT };
      record.signals.note = { kind: 'value', value: PROMPT };
      record.signals.tier = { kind: 'value', value: long };
      record.signals.quoted = { kind: 'value', value: 'gold' };
      stack(req, res, next);
    };
    const app = await startAuditApp({ policy, tracerProvider: telemetry.tracerProvider, metrics: false }, [withSignals]);
    telemetry.spans.reset();
    try {
      await post(`${app.url}/chat/completions`, { model: 'smart', stream: true, messages: [{ role: 'user', content: PROMPT }] });
    } finally {
      await app.close();
    }
    const [server] = (await telemetry.finished(2)).filter((s) => s.attributes['switchyard.signal.tier'] !== undefined);
    expect(server!.attributes).toMatchObject({
      'switchyard.signal.last_user.present': true,
      'switchyard.signal.last_user.length': PROMPT.length,
      'switchyard.signal.note.present': true,
      'switchyard.signal.tier': `${'x'.repeat(SIGNAL_VALUE_MAX)}…`,
      'switchyard.signal.quoted': 'gold',
    });
    expect(server!.attributes).not.toHaveProperty('switchyard.signal.last_user');
    expect(server!.attributes).not.toHaveProperty('switchyard.signal.note');
    expect(exported(server!).filter((s) => s.includes(PROMPT))).toEqual([]);
  });
});
