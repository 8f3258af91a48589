// Target: the baseline. Bare Express 5 + http-proxy-middleware 3 forwarding /v1/* to the mock upstream:
// raw pass-through (no express.json()), changeOrigin, keep-alive http.Agent to the upstream.
import http from 'node:http';
import express from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';
import { listen, runTarget } from '../lib/child.js';

const upstream = process.env.UPSTREAM_URL; // e.g. http://127.0.0.1:PORT/v1

await runTarget('bare', async () => {
  if (!upstream) throw new Error('UPSTREAM_URL is not set');
  // BARE_MAX_SOCKETS: the streams mode holds more upstream calls open at once than the 256 of the load phases.
  const maxSockets = Number(process.env.BARE_MAX_SOCKETS ?? 256);
  const agent = new http.Agent({ keepAlive: true, keepAliveMsecs: 1000, maxSockets, maxFreeSockets: 256 });
  const app = express();
  app.disable('x-powered-by');
  // Mounted under /v1: req.url is /chat/completions here, target carries the /v1 prefix.
  app.use('/v1', createProxyMiddleware({ target: upstream, changeOrigin: true, agent }));
  return listen(app);
});
