// `switchyard serve --metrics` (the built CLI): GET /metrics on the gateway's own port, outside /v1,
// without a client key; and no such endpoint without the flag.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMockProvider, type MockProvider } from '@switchyard/mock-provider';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parsePrometheusText, type Sample } from './metrics-text.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'packages/cli/dist/bin.js');
const KEY = 'sk-provider-metrics-cli';
const CLIENT_KEY = 'sk-client-metrics-cli';
const MINI = 'gpt-4o-mini-2024-07-18';

let dir: string;
let mock: MockProvider;
let child: ChildProcess | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchyard-metrics-cli-'));
  mock = await startMockProvider({ port: 0, apiKeys: [KEY] });
  await writeFile(
    join(dir, 'policy.yaml'),
    `version: 1
providers:
  alpha: { format: openai, base_url: ${mock.url}, credentials: [{ env: METRICS_CLI_KEY }] }
models:
  ${MINI}: { provider: alpha, price: { input: 1, output: 2 } }
routes:
  smart: { default: ${MINI} }
keys:
  - { name: app, secret: { env: METRICS_CLI_CLIENT_KEY }, owner: app-team }
`,
  );
});
afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
  child = undefined;
});
afterAll(async () => {
  await mock?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Starts `switchyard serve` with `flags`; the gateway's origin once it listens, and what it printed. */
async function start(flags: string[]): Promise<{ origin: string; output: () => string }> {
  let output = '';
  child = spawn(process.execPath, [CLI, 'serve', '--policy', join(dir, 'policy.yaml'), '--port', '0', ...flags], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', METRICS_CLI_KEY: KEY, METRICS_CLI_CLIENT_KEY: CLIENT_KEY },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const origin = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not listening after 10 s:\n${output}`)), 10_000);
    child!.stdout!.on('data', (d: Buffer) => {
      output += d.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)\/v1/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
  });
  return { origin, output: () => output };
}

async function chat(origin: string): Promise<number> {
  const res = await fetch(`${origin}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${CLIENT_KEY}` },
    body: JSON.stringify({ model: 'smart', messages: [{ role: 'user', content: 'Hi' }] }),
  });
  await res.arrayBuffer();
  return res.status;
}

describe('switchyard serve --metrics', () => {
  it('should serve the metrics at /metrics on its own port, with no client key, and say where', async () => {
    const { origin, output } = await start(['--metrics']);
    expect(await chat(origin)).toBe(200);
    // The call is recorded a moment after its response: scrape until it is there.
    const deadline = Date.now() + 5000;
    let samples: Sample[] = [];
    const calls = () => samples.filter((s) => s.name === 'gen_ai_server_request_duration_count').reduce((n, s) => n + s.value, 0);
    while (calls() < 1 && Date.now() < deadline) {
      const res = await fetch(`${origin}/metrics`);
      expect(res.status).toBe(200);
      samples = parsePrometheusText(await res.text());
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(calls()).toBe(1);
    expect(samples).toContainEqual(
      expect.objectContaining({
        name: 'switchyard_cost_total',
        labels: expect.objectContaining({ switchyard_owner: 'app-team' }),
      }),
    );
    expect(output()).toContain(`metrics for Prometheus on ${origin}/metrics (keep it private)`);
  });

  it('should have no /metrics without the flag', async () => {
    const { origin, output } = await start([]);
    expect(await chat(origin)).toBe(200);
    expect((await fetch(`${origin}/metrics`)).status).toBe(404);
    expect(output()).not.toContain('metrics for Prometheus');
  });
});
