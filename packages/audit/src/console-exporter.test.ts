import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { LineSpanExporter } from './console-exporter.js';

describe('LineSpanExporter', () => {
  it('should print a span as a head line, its attributes on one line, then its events', async () => {
    const lines: string[] = [];
    const provider = new BasicTracerProvider({
      spanProcessors: [new SimpleSpanProcessor(new LineSpanExporter((line) => lines.push(line)))],
    });
    const tracer = provider.getTracer('t');
    const server = tracer.startSpan('POST /v1/chat/completions', { kind: SpanKind.SERVER, startTime: 1000 });
    server.setAttributes({ 'switchyard.route': 'smart', 'gen_ai.response.finish_reasons': ['stop'] });
    server.end(1012.5);
    const attempt = tracer.startSpan('chat gpt-4o', {
      kind: SpanKind.CLIENT,
      startTime: 1001,
      attributes: { 'error.type': 'http_503' },
    });
    attempt.addEvent('switchyard.retry', { 'switchyard.retry.reason': 'http_503' }, 1002);
    attempt.setStatus({ code: SpanStatusCode.ERROR, message: 'provider "openai" answered HTTP 503' });
    attempt.end(1003);
    await provider.shutdown();

    const trace = server.spanContext().traceId;
    expect(lines).toEqual([
      `[span] POST /v1/chat/completions  12.5 ms  trace=${trace}\n       switchyard.route=smart gen_ai.response.finish_reasons=[stop]`,
      `    └ chat gpt-4o  2.0 ms ERROR (provider "openai" answered HTTP 503)  trace=${attempt.spanContext().traceId}\n      error.type=http_503\n      event switchyard.retry switchyard.retry.reason=http_503`,
    ]);
  });
});
