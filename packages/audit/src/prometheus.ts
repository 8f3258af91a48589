// The Prometheus side of the metrics: a pull reader, the handler that serves what it reads, and a meter
// provider of its own for apps that run no OpenTelemetry SDK. Loaded only when asked for: the exporter
// brings in the metrics SDK, which `import 'switchyard'` must not pay for.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { diag } from '@opentelemetry/api';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { MetricsHandler, PrometheusMetrics } from './types.js';

/** The Prometheus text exposition format, version 0.0.4, which every Prometheus-compatible scraper reads. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** A pull reader whose own HTTP server never starts: the app serves it through {@link scrapeHandler}. */
export function prometheusReader(): PrometheusExporter {
  return new PrometheusExporter({ preventServerStart: true });
}

/**
 * Answers GET (and HEAD) with everything `reader` collects, in the Prometheus text format. Usable as an
 * Express handler and as a plain `http` request listener.
 */
export function scrapeHandler(reader: PrometheusExporter): MetricsHandler {
  const serializer = new PrometheusSerializer();
  return function switchyardMetrics(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
      res.end(`${req.method} is not allowed here: scrape with GET\n`);
      return;
    }
    reader.collect().then(
      ({ resourceMetrics, errors }) => {
        if (errors.length > 0) diag.error('switchyard: some metrics could not be collected', ...errors);
        res.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE });
        res.end(req.method === 'HEAD' ? undefined : serializer.serialize(resourceMetrics));
      },
      (err: unknown) => {
        // Not bound to a meter provider (OTEL_SDK_DISABLED), or already shut down.
        diag.error('switchyard: metrics collection failed', err);
        res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`metrics unavailable: ${err instanceof Error ? err.message : String(err)}\n`);
      },
    );
  };
}

/** A meter provider with only the Prometheus reader, and its handler. */
export function ownPrometheusMetrics(serviceName: string): PrometheusMetrics {
  const reader = prometheusReader();
  const meterProvider = new MeterProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName }),
    readers: [reader],
  });
  return { handler: scrapeHandler(reader), meterProvider, shutdown: () => meterProvider.shutdown() };
}
