// The standalone gateway: an Express app with the stack on /v1, a health check, the metrics when asked
// for, and a clean shutdown.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express, { type Express } from 'express';
import {
  errorHandler,
  switchyard,
  unknownEndpoint,
  type CompiledPolicy,
  type Gateway,
  type MetricsHandler,
  type SwitchyardOptions,
} from 'switchyard';

/** Where the gateway serves its metrics: beside `/healthz`, outside `/v1`, so no client key is asked for. */
export const METRICS_PATH = '/metrics';

export interface GatewayOptions extends SwitchyardOptions {
  /**
   * Serve `GET /metrics` with this handler (from `prometheusMetrics()` or `setupTracing({ prometheus: true })`).
   * Default: no metrics endpoint.
   */
  readonly metrics?: MetricsHandler;
}

/**
 * The app: `/healthz`, `/metrics` when asked for, and on `/v1` (and `/v1beta`, for Google's clients) the
 * stack of `policy`: a compiled policy, or a reloading gateway (whose own options went to `switchyardGateway()`).
 */
export function createGatewayApp(policy: CompiledPolicy | Gateway, options: GatewayOptions = {}): Express {
  const { metrics, ...stack } = options;
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  if (metrics) app.get(METRICS_PATH, metrics);
  // Google's clients call {base}/v1beta/models/…: the Gemini front door answers there too.
  app.use(['/v1', '/v1beta'], typeof policy === 'function' ? policy : switchyard(policy, stack));
  // Outside the API: JSON errors too, never Express's HTML page or a stack trace.
  app.use(function notAnEndpoint(req, _res, next) {
    next(unknownEndpoint(req.method, req.path));
  });
  app.use(errorHandler(stack));
  return app;
}

export interface ServeOptions extends GatewayOptions {
  /** Default: 8080. 0 picks a free port. */
  readonly port?: number;
  /** Default: `127.0.0.1`. */
  readonly host?: string;
}

export interface RunningGateway {
  /** Base URL clients use, e.g. `http://127.0.0.1:8080/v1`. */
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  /** Stops accepting, lets in-flight calls finish for up to `graceMs`, then closes the rest. */
  close(graceMs?: number): Promise<void>;
}

/** Serves `policy` (see `createGatewayApp`). */
export async function serve(policy: CompiledPolicy | Gateway, options: ServeOptions = {}): Promise<RunningGateway> {
  const host = options.host ?? '127.0.0.1';
  const app = createGatewayApp(policy, options);
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(options.port ?? 8080, host, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}/v1`,
    port,
    server,
    close: (graceMs = 10_000) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => server.closeAllConnections(), graceMs).unref();
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
