// Spans as short lines, for a terminal: the SDK's own console exporter prints each span as a
// multi-line object, which buries a demo's output.
import { SpanKind, SpanStatusCode, type AttributeValue, type Attributes, type HrTime } from '@opentelemetry/api';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

/** SDK ExportResultCode.SUCCESS, without importing @opentelemetry/core for one number. */
const SUCCESS = 0;

/** Writes each span as one line (children indented under their server span), then its events. */
export class LineSpanExporter implements SpanExporter {
  readonly #write: (line: string) => void;

  constructor(write: (line: string) => void = (line) => void process.stdout.write(`${line}\n`)) {
    this.#write = write;
  }

  export(spans: ReadableSpan[], done: (result: { code: number }) => void): void {
    for (const span of spans) this.#write(formatSpan(span));
    done({ code: SUCCESS });
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

export function formatSpan(span: ReadableSpan): string {
  const client = span.kind === SpanKind.CLIENT;
  const ms = toMs(span.duration).toFixed(1);
  const status =
    span.status.code === SpanStatusCode.ERROR ? ` ERROR${span.status.message ? ` (${span.status.message})` : ''}` : '';
  const head = `${client ? '    └ ' : '[span] '}${span.name}  ${ms} ms${status}  trace=${span.spanContext().traceId}`;
  const indent = client ? '      ' : '       ';
  const events = span.events.map((e) => `\n${indent}event ${e.name} ${pairs(e.attributes ?? {})}`);
  return `${head}\n${indent}${pairs(span.attributes)}${events.join('')}`;
}

function pairs(attributes: Attributes): string {
  return Object.entries(attributes)
    .map(([key, value]) => `${key}=${format(value)}`)
    .join(' ');
}

function format(value: AttributeValue | undefined): string {
  return Array.isArray(value) ? `[${value.join(',')}]` : String(value);
}

function toMs([seconds, nanos]: HrTime): number {
  return seconds * 1000 + nanos / 1e6;
}
