// The gateway side of the soak (bench/soak.js forks it): the umbrella stack from a policy around the two mock
// providers, on a free port; answers 'stats' over IPC with its memory and its open sockets.
import http from 'node:http';
import net from 'node:net';
import express from 'express';
import { compilePolicy, parsePolicy, switchyard } from 'switchyard';
import { KEYS, UPSTREAM_KEY } from './soak-traffic.js';

/** At most this many full GCs, half a second apart, before a settled sample. */
const MAX_SETTLING_GCS = 60;
/** Settled: V8's reserved but free heap is below this. */
const SETTLED_FREE_HEAP = 8 * 1024 * 1024;

/** The umbrella stack on a free port; answers 'stats' over IPC with its memory and its open sockets. */
async function gateway() {
  const { HEALTHY_URL, FLAKY_URL } = process.env;
  const healthy = new URL(HEALTHY_URL);
  const flaky = new URL(FLAKY_URL);
  const price = 'max_output_tokens: 1024, price: { input: 0.15, output: 0.6 }';
  const yaml = `version: 1
providers:
  healthy: { format: openai, base_url: ${healthy.origin}/v1, credentials: [{ env: UPSTREAM_KEY }] }
  flaky: { format: openai, base_url: ${flaky.origin}/v1, credentials: [{ env: UPSTREAM_KEY }] }
  anthropic: { format: anthropic, base_url: ${healthy.origin}, credentials: [{ env: UPSTREAM_KEY }] }
models:
  gpt-4o-mini: { provider: healthy, ${price} }
  gpt-4o-2024-08-06: { provider: flaky, ${price} }
  claude-sonnet-4-5: { provider: anthropic, ${price} }
routes:
  smart: { default: gpt-4o-mini }
  failing: { default: gpt-4o-2024-08-06, fallbacks: [gpt-4o-mini] }
failover:
  retry: { attempts: 2, backoff_ms: 5, max_delay_ms: 20 }
  timeouts: { first_byte_ms: 300, total_ms: 5000 }
  cooldown: { failures: 0 }
budgets:
  owners:
    soak: { monthly_usd: 1000000, hard_stop: true }
    broke: { monthly_usd: 0.0000001, hard_stop: true }
keys:
  - { name: soak, secret: { env: KEY_SOAK }, owner: soak }
  - { name: broke, secret: { env: KEY_BROKE }, owner: broke }
`;
  const env = { UPSTREAM_KEY, KEY_SOAK: KEYS.soak, KEY_BROKE: KEYS.broke };
  const compiled = compilePolicy(parsePolicy(yaml, 'soak-policy.yaml', { env }));
  const app = express();
  app.disable('x-powered-by');
  app.use('/v1', switchyard(compiled, { onInternalError: (err) => console.error('soak: internal error', err) }));
  const server = http.createServer({ keepAliveTimeout: 65_000 }, app);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  const upstreamPorts = new Set([Number(healthy.port), Number(flaky.port)]);

  process.on('message', async (msg) => {
    if (msg?.type !== 'stats') return;
    const gcs = msg.gc ? await settle() : 0;
    const sockets = activeSockets();
    const mem = process.memoryUsage();
    process.send({
      type: 'stats',
      id: msg.id,
      stats: {
        rss: mem.rss,
        heapUsed: mem.heapUsed,
        heapTotal: mem.heapTotal,
        external: mem.external,
        serverSockets: sockets.filter((s) => s.localPort === port).length,
        upstreamSockets: sockets.filter((s) => upstreamPorts.has(s.remotePort)).length,
        handles: process.getActiveResourcesInfo().length,
        gcs,
      },
    });
  });
  process.on('disconnect', () => process.exit(0));
  process.send({ type: 'ready', url: `http://127.0.0.1:${port}/v1` });
}

/**
 * Full GCs half a second apart until V8 has handed back its free heap (it shrinks the heap a step per GC, more
 * or fewer steps depending on what the busiest moment reserved): RSS then holds what is alive. The GCs it took.
 */
async function settle() {
  if (!globalThis.gc) throw new Error('the soak gateway needs --expose-gc');
  let i = 0;
  for (; i < MAX_SETTLING_GCS; i++) {
    globalThis.gc();
    await new Promise((r) => setTimeout(r, 500));
    const { heapTotal, heapUsed } = process.memoryUsage();
    if (heapTotal - heapUsed < SETTLED_FREE_HEAP) return i + 1;
  }
  return i;
}

/** Open TCP sockets of this process. `_getActiveHandles` is Node's own (undocumented) list; nothing public lists sockets. */
function activeSockets() {
  return process._getActiveHandles().filter((h) => h instanceof net.Socket && !h.destroyed && h.remotePort !== undefined);
}

await gateway();
