// `switchyard serve --policy FILE --port 0 --plugin MODULE` (the built CLI) as a standalone gateway:
// it prints its URL, loads the plugin signal, routes the openai client through it, and stops on SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMockProvider, type MockProvider } from '@switchyard/mock-provider';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat, onlyCall } from './helpers/gateway.js';
import { servedUrl } from './helpers/served-url.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'packages/cli/dist/bin.js');
const KEY = 'sk-cli-serve-provider';

let dir: string;
let mock: MockProvider;
let child: ChildProcess | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchyard-e2e-serve-'));
  mock = await startMockProvider({ port: 0, apiKeys: [KEY] });
});
afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await once(child, 'exit');
  }
  await mock?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('switchyard serve (built CLI)', () => {
  it('serves a policy with a --plugin signal and stops on SIGTERM', async () => {
    // The custom-signal example's policy, pointed at this test's mock instead of its fixed port.
    const example = await readFile(join(ROOT, 'examples/custom-signal/policy.yaml'), 'utf8');
    const policy = example.replace(/base_url: .*/, `base_url: ${mock.url}`);
    expect(policy).toContain(mock.url);
    const file = join(dir, 'policy.yaml');
    await writeFile(file, policy);

    child = spawn(
      process.execPath,
      [CLI, 'serve', '--policy', file, '--port', '0', '--plugin', './examples/custom-signal/task-signal.js'],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? '', CUSTOM_SIGNAL_OPENAI_KEY: KEY }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const url = await servedUrl(child);

    const client = new OpenAI({ baseURL: url, apiKey: 'sk-cli-client', maxRetries: 0, timeout: 5_000 });
    const r = await chat(client, {
      model: 'auto',
      messages: [{ role: 'user', content: 'Refactor this function, it throws an exception' }],
    });
    expect(r.route).toBe('auto/code');
    expect(r.servedModel).toBe('o3-mini-2025-01-31');
    expect(onlyCall(mock).headers.authorization).toBe(`Bearer ${KEY}`);

    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    child.kill('SIGTERM');
    const [code, signal] = await exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
  });
});
