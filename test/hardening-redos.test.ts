// Regression: a client must not be able to stall the gateway's event loop through a policy's regex.
// Found by an attacker test: `text.matches("^(a+)+$")` over a JSONPath signal of the message text let a
// 90-byte body block every request for 7 s (V8's backtracking RegExp; each extra "a" doubled it).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type MockProvider, startMockProvider } from '@switchyard/mock-provider';
import express from 'express';
import { loadPolicy, switchyard } from 'switchyard';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PROVIDER_KEY = 'sk-provider-redos-secret';
const DEFAULT_MODEL = 'gpt-4o-mini-2024-07-18';
const RULE_MODEL = 'gpt-4o-2024-08-06';

let mock: MockProvider;
let server: Server;
let base: string;
let dir: string;

beforeAll(async () => {
  mock = await startMockProvider({ port: 0, apiKeys: [PROVIDER_KEY] });
  dir = await mkdtemp(join(tmpdir(), 'switchyard-redos-'));
  const file = join(dir, 'policy.yaml');
  await writeFile(
    file,
    `version: 1
providers:
  mock: { format: openai, base_url: "${mock.url}", credentials: [{ env: REDOS_PROVIDER_KEY }] }
models:
  ${DEFAULT_MODEL}: { provider: mock }
  ${RULE_MODEL}: { provider: mock }
signals:
  text: { from: "$.messages[0].content", type: string }
routes:
  smart:
    default: ${DEFAULT_MODEL}
    rules:
      - name: all-a
        if: 'text.matches("^(a+)+$")'
        use: ${RULE_MODEL}
`,
  );
  const app = express();
  app.use('/v1', switchyard(await loadPolicy(file, { env: { REDOS_PROVIDER_KEY: PROVIDER_KEY } })));
  server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  // A gateway's first request compiles much of the stack's code; the attacker's is not the first one.
  await (await chat(JSON.stringify({ model: 'smart', messages: [{ role: 'user', content: 'warm up' }] }))).arrayBuffer();
  await (await fetch(`${base}/models`)).arrayBuffer();
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await mock?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The attacker's body: 90 bytes, 30 "a" and a "!" that makes a backtracking engine try every split. */
const EVIL = JSON.stringify({ model: 'smart', messages: [{ role: 'user', content: `${'a'.repeat(30)}!` }] });

function chat(body: string): Promise<Response> {
  return fetch(`${base}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
}

describe('a ReDoS-shaped rule over a client-controlled signal', () => {
  it('should keep answering cheap requests within 50 ms while the malicious one is evaluated', async () => {
    expect(Buffer.byteLength(EVIL)).toBe(90);
    let settled = false;
    const evil = chat(EVIL).finally(() => {
      settled = true;
    });
    // One GET /v1/models is always in flight until the malicious request is answered, so that a stalled
    // event loop shows up as the latency of the GET that was waiting during the stall.
    const latencies: number[] = [];
    for (let i = 0; (!settled || latencies.length < 3) && i < 200; i++) {
      const sentAt = performance.now();
      const res = await fetch(`${base}/models`);
      await res.arrayBuffer();
      latencies.push(performance.now() - sentAt);
      expect(res.status).toBe(200);
    }
    const answer = await evil;
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-switchyard-route')).toBe('smart/default');
    expect(Math.max(...latencies)).toBeLessThan(50);
  });

  it('should still route by the rule when the text matches', async () => {
    const res = await chat(JSON.stringify({ model: 'smart', messages: [{ role: 'user', content: 'a'.repeat(100_000) }] }));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-switchyard-route')).toBe('smart/all-a');
    expect(res.headers.get('x-switchyard-served-model')).toBe(RULE_MODEL);
  });
});
