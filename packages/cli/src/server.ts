// The standalone gateway: an Express app with the stack on /v1, a health check, and a clean shutdown.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express, { type Express } from 'express';
import { switchyard, type CompiledPolicy, type Gateway, type SwitchyardOptions } from 'switchyard';

/** The app: `/healthz`, and on `/v1` the stack of `policy` (a compiled policy, or a reloading gateway). */
export function createGatewayApp(policy: CompiledPolicy | Gateway, options: SwitchyardOptions = {}): Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.use('/v1', typeof policy === 'function' ? policy : switchyard(policy, options));
  return app;
}

export interface ServeOptions extends SwitchyardOptions {
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

/** Serves `policy` (see `createGatewayApp`); a gateway's own options were given to `switchyardGateway()`. */
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
