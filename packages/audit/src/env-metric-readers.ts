// The metric readers the OTEL_METRICS_EXPORTER variable asks for, built the way @opentelemetry/sdk-node
// builds them. NodeSDK builds them itself only when it is given no readers at all; setupTracing() gives it
// the Prometheus reader when asked to, so it builds the others here, and every reader then reads the one
// MeterProvider that audit() records into.
import { diag } from '@opentelemetry/api';
import { getStringListFromEnv } from '@opentelemetry/core';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { ConsoleMetricExporter, PeriodicExportingMetricReader, type IMetricReader } from '@opentelemetry/sdk-metrics';
// The helpers NodeSDK uses (protocol, endpoint, headers, interval and timeout from the standard variables).
// They are not in sdk-node's index; package.json pins sdk-node to an exact version, and test/metrics-otlp
// checks the OTLP reader they build against a receiver.
import {
  getOtlpMetricExporterFromEnv,
  getPeriodicExportingMetricReaderFromEnv,
} from '@opentelemetry/sdk-node/build/src/utils.js';

/** `OTEL_METRICS_EXPORTER`: `otlp` (the default), `console`, `prometheus` (its own server, :9464), `none`. */
export function metricReadersFromEnv(): IMetricReader[] {
  const names = [...new Set(getStringListFromEnv('OTEL_METRICS_EXPORTER') ?? [])];
  if (names.length === 0) names.push('otlp');
  if (names.includes('none')) return [];
  const readers: IMetricReader[] = [];
  for (const name of names) {
    if (name === 'otlp') readers.push(getPeriodicExportingMetricReaderFromEnv(getOtlpMetricExporterFromEnv()));
    else if (name === 'console') readers.push(new PeriodicExportingMetricReader({ exporter: new ConsoleMetricExporter() }));
    else if (name === 'prometheus') readers.push(new PrometheusExporter());
    else diag.warn(`switchyard: unsupported OTEL_METRICS_EXPORTER value "${name}" (otlp, console, prometheus, none)`);
  }
  return readers;
}
