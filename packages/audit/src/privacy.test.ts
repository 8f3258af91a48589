// Prompt and completion text, the client's key and provider credentials never reach a span, an event, a
// metric or the audit log: every exported string is searched for each of them.
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
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
