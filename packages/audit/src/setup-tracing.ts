// setupTracing(): the OpenTelemetry SDK for a gateway process, configured by the standard OTEL_* variables.
import type { Tracing, TracingOptions } from './types.js';

const KNOWN = new Set<string>(['serviceName', 'exporter', 'metrics', 'instrumentations', 'prometheus']);

let running = false;

/**
 * Starts the OpenTelemetry Node SDK (`@opentelemetry/sdk-node`) and registers its tracer, meter and context
 * providers globally, where `audit()` finds them. Exporters, endpoint, headers, protocol, sampler and service
 * name follow the standard `OTEL_*` variables (see {@link TracingOptions.exporter}). Call it before the first
 * request. Resolves once the SDK is started; call `shutdown()` before the process exits to send what is
 * still buffered.
 * @throws Error when tracing is already set up (shut it down first); TypeError for an unknown option.
 */
export async function setupTracing(options: TracingOptions = {}): Promise<Tracing> {
  if (typeof options !== 'object' || options === null) throw new TypeError('setupTracing(): options must be an object');
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new TypeError(`setupTracing(): unknown option "${key}" (options: ${[...KNOWN].join(', ')})`);
  }
  if (options.exporter !== undefined && options.exporter !== 'otlp' && options.exporter !== 'console') {
    throw new TypeError(`setupTracing(): exporter must be 'otlp' or 'console', got ${JSON.stringify(options.exporter)}`);
  }
  if (running) throw new Error('setupTracing(): tracing is already set up; call shutdown() on it first');
  running = true;
  try {
    const { startSdk } = await import('./sdk.js');
    return startSdk(options, process.env, () => (running = false));
  } catch (err) {
    running = false;
    throw err;
  }
}

/** Whether the environment names an OTLP endpoint for traces (`OTEL_EXPORTER_OTLP_ENDPOINT` or `…_TRACES_ENDPOINT`). */
export function otlpEndpointConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim());
}
