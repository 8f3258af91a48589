// prometheusMetrics(): the metrics audit() records, served for Prometheus to scrape, without an SDK set-up.
import type { PrometheusMetrics, PrometheusMetricsOptions } from './types.js';

const KNOWN = new Set<string>(['serviceName']);

/**
 * A meter provider with a Prometheus reader, and the handler a scraper calls. Off unless you call it: give
 * `meterProvider` to audit() and mount `handler` where you like. With `setupTracing()` use its
 * `prometheus: true` instead, so that the SDK's one meter provider feeds OTLP and Prometheus alike.
 * @throws TypeError for an unknown option or a `serviceName` that is not a non-empty string.
 */
export async function prometheusMetrics(options: PrometheusMetricsOptions = {}): Promise<PrometheusMetrics> {
  if (typeof options !== 'object' || options === null) throw new TypeError('prometheusMetrics(): options must be an object');
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new TypeError(`prometheusMetrics(): unknown option "${key}" (options: ${[...KNOWN].join(', ')})`);
  }
  const { serviceName } = options;
  if (serviceName !== undefined && (typeof serviceName !== 'string' || serviceName.trim() === '')) {
    throw new TypeError('prometheusMetrics(): serviceName must be a non-empty string');
  }
  const { ownPrometheusMetrics } = await import('./prometheus.js');
  return ownPrometheusMetrics(process.env.OTEL_SERVICE_NAME?.trim() || serviceName || 'switchyard');
}
