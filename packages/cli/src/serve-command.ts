// `switchyard serve --policy FILE`: the standalone gateway, reloading its policy when the file changes or on
// SIGHUP, and stopping cleanly on SIGTERM / SIGINT.
import {
  otlpEndpointConfigured,
  prometheusMetrics,
  reloadLog,
  setupTracing,
  switchyardGateway,
  type AuditLogSink,
} from 'switchyard';
import { loadPlugins } from './plugins.js';
import { serve } from './server.js';

export interface ServeCommandOptions {
  /** `--port`, else `PORT`, else 8080. */
  readonly port?: string;
  readonly host?: string;
  readonly bodyLimit?: string;
  /** `--plugin` modules. */
  readonly plugins: readonly string[];
  /** `--audit-log FILE|-`: one JSON line per call, appended to FILE, or on stdout for `-`. */
  readonly auditLog?: string;
  /** `--no-watch`: reload on SIGHUP only. Default: watch the file too. */
  readonly watch: boolean;
  /** `--metrics`: serve `GET /metrics` for Prometheus. */
  readonly metrics: boolean;
}

/**
 * Starts the gateway; resolves with -1 (keep running) once it listens, or 2 for a bad `--port`. Throws
 * PolicyError when the policy does not load: a gateway never starts on a broken policy. With `--audit-log -`
 * stdout carries the audit log only, and what people read goes to stderr.
 */
export async function serveCommand(file: string, options: ServeCommandOptions): Promise<number> {
  const port = options.port === undefined ? Number(process.env.PORT ?? 8080) : Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`switchyard serve: --port must be 0-65535, got ${options.port}`);
    return 2;
  }
  const say = options.auditLog === '-' ? console.error : console.log;
  const plugins = await loadPlugins(options.plugins);
  const log: AuditLogSink | undefined =
    options.auditLog === undefined ? undefined : options.auditLog === '-' ? 'stdout' : { path: options.auditLog };
  // Spans and metrics go out over OTLP when the standard variables name an endpoint (docs/tracing.md).
  // --metrics serves them for Prometheus too: from the SDK's meter provider when there is one (both readers
  // then see the same instruments), else from a meter provider of its own.
  const tracing = otlpEndpointConfigured() ? await setupTracing({ prometheus: options.metrics }) : undefined;
  const own = options.metrics && !tracing ? await prometheusMetrics() : undefined;
  const gateway = await switchyardGateway(file, {
    plugins,
    watch: options.watch,
    bodyLimit: options.bodyLimit,
    audit: log || own ? { ...(log && { log }), ...(own && { meterProvider: own.meterProvider }) } : undefined,
    onReload: (result) => {
      const { stream, text } = reloadLog(file, result);
      (stream === 'stdout' ? say : console.error)(text);
    },
  });
  const running = await serve(gateway, { port, host: options.host, metrics: tracing?.metricsHandler ?? own?.handler });
  say(`switchyard listening on ${running.url} (policy ${file}, version ${gateway.current.version})`);
  if (tracing) say('switchyard: exporting traces and metrics over OTLP (OTEL_EXPORTER_OTLP_* variables)');
  if (options.metrics) say(`switchyard: metrics for Prometheus on ${new URL(running.url).origin}/metrics (keep it private)`);
  // A reload never stops the gateway: a rejected one is reported, and the policy being served stays.
  process.on('SIGHUP', () => void gateway.reload('signal'));
  // In-flight calls finish first, so their spans are in what shutdown() flushes.
  const stop = () =>
    void running
      .close()
      .then(() => gateway.close())
      .then(() => Promise.all([tracing?.shutdown(), own?.shutdown()]))
      .then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  return -1;
}
