// The OpenTelemetry Node SDK, set up for Switchyard. Loaded only by setupTracing(): importing
// @opentelemetry/sdk-node takes a noticeable fraction of a second, which `import 'switchyard'` must not pay.
import { context, diag, metrics, propagation, trace } from '@opentelemetry/api';
import { NodeSDK, type NodeSDKConfiguration } from '@opentelemetry/sdk-node';
import { SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { LineSpanExporter } from './console-exporter.js';
import { metricReadersFromEnv } from './env-metric-readers.js';
import { recordsWritten } from './middleware.js';
import { prometheusReader, scrapeHandler } from './prometheus.js';
import type { Tracing, TracingOptions } from './types.js';

export const DEFAULT_SERVICE_NAME = 'switchyard';

export function startSdk(options: TracingOptions, env: NodeJS.ProcessEnv, onShutdown: () => void): Tracing {
  const exporter = options.exporter ?? 'otlp';
  const config: Partial<NodeSDKConfiguration> = {
    serviceName: serviceNameSetBy(env) ? undefined : (options.serviceName ?? DEFAULT_SERVICE_NAME),
    // Switchyard emits no OpenTelemetry logs; without this the SDK would build an OTLP log exporter anyway.
    logRecordProcessors: [],
    instrumentations: options.instrumentations ?? [],
  };
  // Otherwise the SDK builds the exporter the OTEL_* variables describe (protocol, endpoint, headers).
  if (exporter === 'console') config.spanProcessors = [new SimpleSpanProcessor(new LineSpanExporter())];
  const pushing = options.metrics ?? exporter === 'otlp';
  // Given any readers, NodeSDK builds none from OTEL_METRICS_EXPORTER: with Prometheus, those are built here.
  const prometheus = options.prometheus ? prometheusReader() : undefined;
  if (prometheus) config.metricReaders = [prometheus, ...(pushing ? metricReadersFromEnv() : [])];
  else if (!pushing) config.metricReaders = [];

  const sdk = new NodeSDK(config);
  sdk.start();
  let stopped: Promise<void> | undefined;
  return {
    metricsHandler: prometheus && scrapeHandler(prometheus),
    shutdown() {
      stopped ??= recordsWritten()
        .then(() => sdk.shutdown())
        .catch((err: unknown) => diag.error('switchyard: telemetry shutdown failed', err))
        .finally(() => {
          for (const instrumentation of config.instrumentations?.flat() ?? []) instrumentation.disable();
          // NodeSDK leaves its providers registered; unregistering lets setupTracing() run again.
          trace.disable();
          metrics.disable();
          propagation.disable();
          context.disable();
          onShutdown();
        });
      return stopped;
    },
  };
}

/** Whether the operator named the service: `OTEL_SERVICE_NAME`, or `service.name` in `OTEL_RESOURCE_ATTRIBUTES`. */
function serviceNameSetBy(env: NodeJS.ProcessEnv): boolean {
  if (env.OTEL_SERVICE_NAME?.trim()) return true;
  return /(^|,)\s*service\.name\s*=/.test(env.OTEL_RESOURCE_ATTRIBUTES ?? '');
}
