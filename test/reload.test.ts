// `switchyard serve` (the built CLI) under policy edits: the file rewritten in place, replaced by a rename, or
// swapped behind a symlink as a Kubernetes ConfigMap is; a broken edit that keeps the old policy serving;
// SIGHUP; a stream that spans a reload; budget spend that outlives it; the audit log from the CLI.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMockProvider, type MockProvider } from '@switchyard/mock-provider';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'packages/cli/dist/bin.js');
const ENV = { RL_PROVIDER_KEY: 'sk-reload-provider', RL_ADMIN_KEY: 'sk-reload-admin' };
const LISTENING = /switchyard listening on (http:\/\/127\.0\.0\.1:\d+\/v1)/;

let mock: MockProvider;
let dir: string;
let gateways: Served[] = [];

beforeAll(async () => {
  mock = await startMockProvider({ apiKeys: [ENV.RL_PROVIDER_KEY] });
});
afterAll(async () => {
  await mock?.close();
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchyard-e2e-reload-'));
  mock.reset();
});
afterEach(async () => {
  for (const g of gateways) await g.kill();
  gateways = [];
  await rm(dir, { recursive: true, force: true });
});

/** A policy whose route `smart` is served by `model` (by its rule `pick`). */
function policy(model: string, rule = '"true"'): string {
  return `version: 1
providers:
  local: { format: openai, base_url: ${mock.url}, credentials: [{ env: RL_PROVIDER_KEY }] }
models:
  model-a: { provider: local, max_output_tokens: 100, capabilities: [tools, json_schema, streaming, vision], price: { input: 1, output: 2 } }
  model-b: { provider: local, max_output_tokens: 100, capabilities: [tools, json_schema, streaming, vision], price: { input: 1, output: 2 } }
  model-c: { provider: local, max_output_tokens: 100, capabilities: [tools, json_schema, streaming, vision], price: { input: 1, output: 2 } }
routes:
  smart:
    default: model-a
    rules:
      - name: pick
        if: ${rule}
        use: ${model}
budgets:
  owners:
    default: { monthly_usd: 100, hard_stop: false }
  admin_key: { env: RL_ADMIN_KEY }
`;
}

interface Served {
  readonly url: string;
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  kill(): Promise<void>;
}

/** Starts the built CLI's `serve` on a free port and waits for its URL. */
async function serveCli(file: string, ...args: string[]): Promise<Served> {
  const child = spawn(process.execPath, [CLI, 'serve', '--policy', file, '--port', '0', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...ENV },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL after 15 s:\n${out}\n${err}`)), 15_000);
    const look = () => {
      const m = LISTENING.exec(out) ?? LISTENING.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', look);
    child.stderr!.on('data', look);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited early (${code}):\n${out}\n${err}`));
    });
  });
  const served: Served = {
    url,
    child,
    stdout: () => out,
    stderr: () => err,
    kill: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
  gateways.push(served);
  return served;
}

async function call(g: Served): Promise<{ model: string | null; policy: string | null }> {
  const res = await fetch(`${g.url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'smart', messages: [{ role: 'user', content: 'Hi' }] }),
  });
  await res.arrayBuffer();
  expect(res.status).toBe(200);
  return { model: res.headers.get('x-switchyard-served-model'), policy: res.headers.get('x-switchyard-policy') };
}

async function admin(g: Served, path: string): Promise<Record<string, any>> {
  const res = await fetch(`${g.url}${path}`, { headers: { authorization: `Bearer ${ENV.RL_ADMIN_KEY}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, any>;
}

/** Waits until the next request is served by `model`; every request meanwhile must succeed. */
async function servedBy(g: Served, model: string, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if ((await call(g)).model === model) return;
    if (Date.now() > end) throw new Error(`not served by ${model} after ${ms} ms\n${g.stdout()}\n${g.stderr()}`);
    await sleep(50);
  }
}

/** The version the gateway gives a policy text: the first 12 hex digits of its SHA-256. */
function versionOf(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('switchyard serve reloads its policy', () => {
  it('when the file is rewritten in place, then when it is replaced by a rename', async () => {
    const file = join(dir, 'policy.yaml');
    await writeFile(file, policy('model-a'));
    const g = await serveCli(file);
    expect(await call(g)).toMatchObject({ model: 'model-a' });

    await writeFile(file, policy('model-b'));
    await servedBy(g, 'model-b');
    // An editor's save: a temporary file renamed over the policy.
    await writeFile(join(dir, '.policy.yaml.tmp'), policy('model-c'));
    await rename(join(dir, '.policy.yaml.tmp'), file);
    await servedBy(g, 'model-c');
    expect(g.stdout()).toMatch(/switchyard: policy reloaded \(watch\): .*policy\.yaml \w{12} -> \w{12}/);
    const status = await admin(g, '/switchyard/policy');
    expect(status).toMatchObject({ source: file, last_error: null, version: (await call(g)).policy });
  });

  it('under live traffic, without failing a request', async () => {
    const file = join(dir, 'policy.yaml');
    await writeFile(file, policy('model-a'));
    const g = await serveCli(file);
    let running = true;
    const statuses = new Map<number, number>();
    const seen = new Set<string>();
    const client = async () => {
      while (running) {
        const res = await fetch(`${g.url}/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'smart', stream: seen.size % 2 === 1, messages: [{ role: 'user', content: 'Hi' }] }),
        });
        await res.arrayBuffer();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        seen.add(res.headers.get('x-switchyard-served-model') ?? 'none');
      }
    };
    const clients = Array.from({ length: 4 }, client);
    for (const model of ['model-b', 'model-c', 'model-a', 'model-b']) {
      await writeFile(join(dir, 'next.yaml'), policy(model));
      await rename(join(dir, 'next.yaml'), file);
      const end = Date.now() + 8000;
      while (!g.stdout().includes(`-> ${await versionOf(policy(model))}`) && Date.now() < end) await sleep(20);
    }
    running = false;
    await Promise.all(clients);
    expect([...statuses.keys()]).toEqual([200]);
    expect(seen).toEqual(new Set(['model-a', 'model-b', 'model-c']));
  });

  it('when a Kubernetes ConfigMap swaps its ..data symlink', async () => {
    await mkdir(join(dir, '..2024_06_01_00_00_00.1'));
    await writeFile(join(dir, '..2024_06_01_00_00_00.1', 'policy.yaml'), policy('model-a'));
    await symlink('..2024_06_01_00_00_00.1', join(dir, '..data'));
    await symlink('..data/policy.yaml', join(dir, 'policy.yaml'));
    const g = await serveCli(join(dir, 'policy.yaml'));
    expect((await call(g)).model).toBe('model-a');

    // What the kubelet does: a new timestamped directory, a new ..data link renamed over the old one.
    await mkdir(join(dir, '..2024_06_02_00_00_00.2'));
    await writeFile(join(dir, '..2024_06_02_00_00_00.2', 'policy.yaml'), policy('model-b'));
    await symlink('..2024_06_02_00_00_00.2', join(dir, '..data_tmp'));
    await rename(join(dir, '..data_tmp'), join(dir, '..data'));
    await rm(join(dir, '..2024_06_01_00_00_00.1'), { recursive: true });
    await servedBy(g, 'model-b');
  });

  it('but keeps serving the last good policy when an edit is broken, and says why', async () => {
    const file = join(dir, 'policy.yaml');
    await writeFile(file, policy('model-a'));
    const g = await serveCli(file);
    const good = await call(g);

    await writeFile(file, policy('model-b', 'has_shema'));
    const end = Date.now() + 8000;
    while (!g.stderr().includes('policy reload rejected')) {
      if (Date.now() > end) throw new Error(`no rejection reported:\n${g.stderr()}`);
      await sleep(50);
    }
    expect(g.stderr()).toContain(`${file}:13:13: rule "pick": unknown signal "has_shema", did you mean "has_schema"?`);
    expect(await call(g)).toEqual(good);
    const status = await admin(g, '/switchyard/policy');
    expect(status.version).toBe(good.policy);
    expect(status.last_error).toMatchObject({ problems: [{ file, line: 13, column: 13 }] });
    expect(g.child.exitCode).toBeNull();

    await writeFile(file, policy('model-b'));
    await servedBy(g, 'model-b');
    expect((await admin(g, '/switchyard/policy')).last_error).toBeNull();
  });

  it('on SIGHUP, without watching the file', async () => {
    const file = join(dir, 'policy.yaml');
    await writeFile(file, policy('model-a'));
    const g = await serveCli(file, '--no-watch');
    await writeFile(file, policy('model-b'));
    await sleep(1500);
    expect((await call(g)).model).toBe('model-a');
    g.child.kill('SIGHUP');
    await servedBy(g, 'model-b', 5000);
    expect(g.stdout()).toMatch(/policy reloaded \(signal\)/);
    expect(g.child.exitCode).toBeNull();
  });

  it('while a stream started before the reload completes on the old policy', async () => {
    const file = join(dir, 'policy.yaml');
    await writeFile(file, policy('model-a'));
    const g = await serveCli(file);
    const before = await call(g);
    mock.script('model-a', { chunks: 10, chunkIntervalMs: 150 });
    const res = await fetch(`${g.url}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'smart', stream: true, messages: [{ role: 'user', content: 'Tell me a story' }] }),
    });
    expect(res.headers.get('x-switchyard-policy')).toBe(before.policy);
    const reader = res.body!.getReader();
    let text = new TextDecoder().decode((await reader.read()).value);

    await writeFile(file, policy('model-b'));
    await servedBy(g, 'model-b');
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) text += new TextDecoder().decode(chunk.value);
    expect(res.headers.get('x-switchyard-served-model')).toBe('model-a');
    expect(text).toContain('"model":"model-a"');
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });

  it('and the budget spend survives the reload', async () => {
    const file = join(dir, 'policy.yaml');
    await writeFile(file, policy('model-a'));
    const g = await serveCli(file);
    await call(g);
    const spend = async () =>
      (await admin(g, '/switchyard/budget')).owners.find((o: { owner: string }) => o.owner === 'default').spend_usd as number;
    const end = Date.now() + 5000;
    while ((await spend()) === 0 && Date.now() < end) await sleep(20);
    const before = await spend();
    expect(before).toBeGreaterThan(0);

    await writeFile(file, policy('model-b'));
    await servedBy(g, 'model-b');
    // One call on the new policy, and the spend of every call before it.
    const after = await spend();
    expect(after).toBeGreaterThan(before);
    expect((await admin(g, '/switchyard/budget')).store).toBe('memory');
  });
});

describe('switchyard serve --audit-log', () => {
  it('should append one JSON line per call to the file', async () => {
    const file = join(dir, 'policy.yaml');
    const log = join(dir, 'audit.jsonl');
    await writeFile(file, policy('model-a'));
    const g = await serveCli(file, '--audit-log', log);
    await call(g);
    await call(g);
    await g.kill();
    const lines = (await readFile(log, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ route: 'smart', rule: 'pick', served_model: 'model-a', status: 200 });
  });

  it('with -, should write the log alone on stdout, and its own lines on stderr', async () => {
    const file = join(dir, 'policy.yaml');
    await writeFile(file, policy('model-a'));
    const g = await serveCli(file, '--audit-log', '-');
    await call(g);
    await writeFile(file, policy('model-b'));
    await servedBy(g, 'model-b');
    await g.kill();
    const lines = g.stdout().trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) expect(JSON.parse(line)).toHaveProperty('served_model');
    expect(g.stderr()).toMatch(/switchyard listening on/);
    expect(g.stderr()).toMatch(/policy reloaded \(watch\)/);
  });
});
