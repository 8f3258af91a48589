// Public options of audit(), setupTracing() and prometheusMetrics().
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MeterProvider, TracerProvider } from '@opentelemetry/api';
import type { NodeSDKConfiguration } from '@opentelemetry/sdk-node';
import type { Policy } from '@switchyard/core';
import type { RequestHandler } from 'express';

/**
 * Where audit log lines go: `'stdout'`, a file (`{ path }`, opened for appending when the middleware is
 * built and written synchronously, so no line is lost when the process exits), or your function (gets each
 * line with its trailing newline).
 */
export type AuditLogSink = 'stdout' | { readonly path: string } | ((line: string) => void);

export interface AuditOptions {
  /**
   * The policy being served: each provider's wire format (for `gen_ai.provider.name`) and host and port
   * (for `server.address` / `server.port` on attempt spans). Default: none; attempts then take the format of
   * `record.target` when they call its provider, and carry no `server.*` attributes.
   */
  readonly policy?: Policy;
  /** Default: the global tracer provider (what `setupTracing()` or your own SDK set-up registered). */
  readonly tracerProvider?: TracerProvider;
  /** Default: the global meter provider, looked up at the first request. */
  readonly meterProvider?: MeterProvider;
  /**
   * Record the metrics: the GenAI client metrics per upstream attempt, the GenAI server metrics per call,
   * and Switchyard's counters (docs/tracing.md, "Metrics"). Default: `true` (free while no meter provider
   * is registered).
   */
  readonly metrics?: boolean;
  /**
   * Write onto the span that is active when the request arrives (the server span of
   * `@opentelemetry/instrumentation-http`) instead of starting one. Default: `true`.
   */
  readonly useActiveSpan?: boolean;
  /** One JSON line of evidence per request. Default: off. */
  readonly log?: AuditLogSink;
}

/** The middleware, plus a way to close the audit log file it opened. */
export interface AuditHandler extends RequestHandler {
  /** Closes the audit log file, if `log` named one; lines of later requests are dropped. */
  close(): void;
}

export interface TracingOptions {
  /**
   * `service.name` of every span and metric. Default: `switchyard`. `OTEL_SERVICE_NAME` (or `service.name`
   * in `OTEL_RESOURCE_ATTRIBUTES`) wins, as operators expect.
   */
  readonly serviceName?: string;
  /**
   * `'otlp'`: what the standard variables say, like any OpenTelemetry SDK: OTLP to
   * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` / `OTEL_EXPORTER_OTLP_ENDPOINT` (default `http://localhost:4318`)
   * over `OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL` (`http/protobuf` by default, `http/json`, `grpc`), with
   * `OTEL_EXPORTER_OTLP_(TRACES_)HEADERS`, `OTEL_TRACES_SAMPLER(_ARG)`, `OTEL_TRACES_EXPORTER`, batched.
   * `'console'`: one compact line per span on stdout as each span ends, no metrics.
   * Default: `'otlp'`.
   */
  readonly exporter?: 'otlp' | 'console';
  /**
   * Export metrics too (`OTEL_METRICS_EXPORTER`, `OTEL_EXPORTER_OTLP_METRICS_*`,
   * `OTEL_METRIC_EXPORT_INTERVAL`). Default: `true` for `'otlp'`, `false` for `'console'`.
   */
  readonly metrics?: boolean;
  /**
   * OpenTelemetry instrumentations to register, e.g. `new HttpInstrumentation()` from
   * `@opentelemetry/instrumentation-http` (audit() then writes onto its server span). Default: none.
   */
  readonly instrumentations?: NodeSDKConfiguration['instrumentations'];
  /**
   * Also serve the metrics for Prometheus to scrape: adds a Prometheus reader to the SDK's meter provider,
   * beside the readers `OTEL_METRICS_EXPORTER` asks for (OTLP by default), so both see the same instruments;
   * mount {@link Tracing.metricsHandler} where the scraper should find it. Metrics are then recorded even
   * when `metrics` is `false` or `OTEL_METRICS_EXPORTER=none` (those turn off the pushing readers only).
   * Default: `false`.
   */
  readonly prometheus?: boolean;
}

/** What `setupTracing()` started. */
export interface Tracing {
  /** With `prometheus: true`: the scrape endpoint's handler, e.g. `app.get('/metrics', tracing.metricsHandler)`. */
  readonly metricsHandler: MetricsHandler | undefined;
  /**
   * Exports what is still buffered, stops the exporters and unregisters the global providers, so
   * `setupTracing()` may run again. Call it before the process exits (e.g. on SIGTERM). Never rejects.
   */
  shutdown(): Promise<void>;
}

/**
 * Answers a scrape: GET (or HEAD) gets the metrics in the Prometheus text format (version 0.0.4), any other
 * method 405. An Express handler and a plain `http` request listener alike. It asks for no credentials:
 * mount it where only the scraper can reach it.
 */
export type MetricsHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface PrometheusMetricsOptions {
  /**
   * `service.name` of the metrics (the `target_info` series). Default: `OTEL_SERVICE_NAME` when set, else
   * `switchyard`.
   */
  readonly serviceName?: string;
}

/** A meter provider of its own that a Prometheus scrape reads, for an app that runs no OpenTelemetry SDK. */
export interface PrometheusMetrics {
  /** The scrape endpoint: `app.get('/metrics', metrics.handler)`. */
  readonly handler: MetricsHandler;
  /** Where audit() must record: `switchyard(compiled, { audit: { meterProvider: metrics.meterProvider } })`. */
  readonly meterProvider: MeterProvider;
  /** Stops the meter provider; scrapes then answer 503. */
  shutdown(): Promise<void>;
}
