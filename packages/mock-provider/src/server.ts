import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMockHandler } from './handler.js';
import type { MockProvider, MockProviderOptions } from './types.js';

// Longer than common client agents' idle timeouts, so a reused connection is never closed under a request.
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/** Starts a mock upstream (OpenAI, Anthropic and Gemini APIs) and resolves once it listens. */
export async function startMockProvider(options: MockProviderOptions = {}): Promise<MockProvider> {
  const handler = createMockHandler(options);
  const server = createServer({ keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS }, handler);
  const host = options.host ?? '127.0.0.1';

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  const origin = `http://${urlHost(host)}:${port}`;
  return {
    url: `${origin}/v1`,
    origin,
    port,
    calls: handler.calls,
    callsFor: handler.callsFor,
    reset: handler.reset,
    script: handler.script,
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Hanging and streaming requests would keep close() waiting forever; cut them.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
