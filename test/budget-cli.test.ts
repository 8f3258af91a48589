// The built CLI and budgets: `switchyard check` never connects to the store; `switchyard budget` reads it.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startMockProvider, type MockProvider } from '@switchyard/mock-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat, startBudgetGateway } from './helpers/budget-gateway.js';
import { startRedis, type TestRedis } from '../packages/budget/test/redis.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'packages/cli/dist/bin.js');
const run = promisify(execFile);

let dir: string;
let mock: MockProvider;
let redis: TestRedis;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchyard-e2e-budget-'));
  [mock, redis] = await Promise.all([startMockProvider({ port: 0, apiKeys: ['sk-p'] }), startRedis()]);
});
afterAll(async () => {
  await Promise.all([mock?.close(), redis?.close()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

function policy(store: string, workflows = ''): string {
  return `version: 1
timezone: Asia/Tokyo
providers:
  alpha: { format: openai, base_url: ${mock.url}, credentials: [{ env: ALPHA_KEY }] }
models:
  m: { provider: alpha, max_output_tokens: 100, price: { input: 10, output: 10 } }
${workflows}budgets:
${store}  owners:
    search-team: { monthly_usd: 5, hard_stop: true }
    lab: {}
keys:
  - { name: search, secret: { env: KEY_SEARCH }, owner: search-team }
  - { name: lab, secret: { env: KEY_LAB }, owner: lab }
`;
}

async function file(text: string): Promise<string> {
  const path = join(dir, `policy-${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(path, text);
  return path;
}

const ENV = { PATH: process.env.PATH ?? '', ALPHA_KEY: 'sk-p', KEY_SEARCH: 'sk-search', KEY_LAB: 'sk-lab' };

describe('switchyard check with a Redis store', () => {
  it('should validate the policy without ever connecting to Redis', async () => {
    let connections = 0;
    const listener: Server = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const port = (listener.address() as { port: number }).port;
    try {
      const path = await file(policy('  store: { redis: { url: { env: REDIS_URL } } }\n'));
      const { stdout } = await run(process.execPath, [CLI, 'check', path], {
        env: { ...ENV, REDIS_URL: `redis://127.0.0.1:${port}` },
      });
      expect(stdout).toContain(`${path}: OK`);
      await new Promise((r) => setTimeout(r, 100));
      expect(connections).toBe(0);
    } finally {
      listener.close();
    }
  });
});

describe('switchyard budget', () => {
  it("should print each owner's spend, reservations and limit from the shared store, as a table or JSON", async () => {
    const yaml = policy('  store: { redis: { url: { env: REDIS_URL } } }\n');
    const env = { ...ENV, REDIS_URL: redis.url };
    const g = await startBudgetGateway({ yaml, env });
    try {
      expect((await chat(g.url, { model: 'm', max_tokens: 5 }, 'sk-search')).status).toBe(200);
      await g.settled();
    } finally {
      await g.close();
    }
    const spent = await startBudgetGateway({ yaml, env }).then(async (again) => {
      const s = await again.compiled.budget.spend('search-team');
      await again.close();
      return s.spendUsd;
    });
    expect(spent).toBeGreaterThan(0);

    const path = await file(yaml);
    const { stdout } = await run(process.execPath, [CLI, 'budget', '--policy', path], { env });
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^${path}: \\d{4}-\\d\\d \\(Asia/Tokyo\\), resets \\S+; store redis \\(REDIS_URL\\)$`));
    expect(lines[1]).toMatch(/^owner\s+spent\s+reserved\s+limit\s+used\s+hard stop$/);
    expect(lines[2]).toMatch(/^lab\s+\$0\.00\s+\$0\.00\s+-\s+-\s+-$/);
    expect(lines[3]).toMatch(
      new RegExp(`^search-team\\s+\\$${spent.toFixed(6).replace('.', '\\.')}\\s+\\$0\\.00\\s+\\$5\\.00\\s+0\\.0%\\s+yes$`),
    );

    const json = JSON.parse((await run(process.execPath, [CLI, 'budget', '--policy', path, '--json'], { env })).stdout);
    expect(json.owners).toContainEqual({
      owner: 'search-team',
      spend_usd: spent,
      reserved_usd: 0,
      limit_usd: 5,
      hard_stop: true,
      spend_pct: spent / 5,
    });
  });

  it("should print each workflow's month from the same store, in the workflows report's shape", async () => {
    const workflows = `workflows:
  summaries: { owner: lab, cost: { monthly_usd: 3, hard_stop: true, max_request_usd: 0.5 } }
  chat: { cost: { max_run_usd: 0.25 } }
`;
    const yaml = policy('  store: { redis: { url: { env: REDIS_URL } } }\n', workflows);
    const env = { ...ENV, REDIS_URL: redis.url };
    const g = await startBudgetGateway({ yaml, env });
    let spent: number;
    try {
      const call = await chat(g.url, { model: 'm', max_tokens: 5 }, 'sk-lab', { 'x-switchyard-workflow': 'summaries' });
      expect(call.status).toBe(200);
      await g.settled();
      spent = (await g.compiled.budget.workflowSpend('summaries')).spendUsd;
    } finally {
      await g.close();
    }
    expect(spent).toBeGreaterThan(0);

    const path = await file(yaml);
    const json = JSON.parse((await run(process.execPath, [CLI, 'budget', '--policy', path, '--json'], { env })).stdout);
    expect(json.workflows).toEqual([
      {
        workflow: 'chat',
        owner: null,
        cost: {
          max_request_usd: null,
          max_run_usd: 0.25,
          monthly_usd: null,
          hard_stop: false,
          spend_usd: null,
          reserved_usd: null,
          spend_pct: null,
        },
      },
      {
        workflow: 'summaries',
        owner: 'lab',
        cost: {
          max_request_usd: 0.5,
          max_run_usd: null,
          monthly_usd: 3,
          hard_stop: true,
          spend_usd: spent,
          reserved_usd: 0,
          spend_pct: spent / 3,
        },
      },
    ]);
    // The key's owner paid the same: one call, counted on both.
    expect(json.owners).toContainEqual(expect.objectContaining({ owner: 'lab', spend_usd: spent }));

    const { stdout } = await run(process.execPath, [CLI, 'budget', '--policy', path], { env });
    const lines = stdout.trim().split('\n');
    const at = lines.findIndex((l) => l.startsWith('workflow '));
    expect(lines[at]).toMatch(/^workflow\s+spent\s+reserved\s+limit\s+used\s+hard stop\s+per call\s+per run$/);
    expect(lines[at + 1]).toMatch(/^chat\s+-\s+-\s+-\s+-\s+-\s+-\s+\$0\.25$/);
    expect(lines[at + 2]).toMatch(
      new RegExp(
        `^summaries\\s+\\$${spent.toFixed(6).replace('.', '\\.')}\\s+\\$0\\.00\\s+\\$3\\.00\\s+\\d+\\.\\d%\\s+yes\\s+\\$0\\.50\\s+-$`,
      ),
    );
  });

  it('should say where to look when the policy keeps spend in memory', async () => {
    const path = await file(policy(''));
    const { stdout } = await run(process.execPath, [CLI, 'budget', '--policy', path], { env: ENV });
    expect(stdout).toContain('the policy keeps spend in memory');
    expect(stdout).toMatch(/search-team\s+\$5\.00\s+yes/);
    const withWorkflows = await file(policy('', 'workflows:\n  summaries: { cost: { monthly_usd: 3, hard_stop: true } }\n'));
    const text = await run(process.execPath, [CLI, 'budget', '--policy', withWorkflows], { env: ENV });
    expect(text.stdout).toMatch(/^summaries\s+\$3\.00\s+yes\s+-\s+-$/m);
    const json = JSON.parse(
      (await run(process.execPath, [CLI, 'budget', '--policy', withWorkflows, '--json'], { env: ENV })).stdout,
    );
    expect(json.workflows).toEqual([
      {
        workflow: 'summaries',
        owner: null,
        cost: {
          max_request_usd: null,
          max_run_usd: null,
          monthly_usd: 3,
          hard_stop: true,
          spend_usd: null,
          reserved_usd: null,
          spend_pct: null,
        },
      },
    ]);
  });

  it("should fail with the store's error when Redis cannot be reached", async () => {
    const path = await file(policy('  store: { redis: { url: { env: REDIS_URL } } }\n'));
    const failed = await run(process.execPath, [CLI, 'budget', '--policy', path], {
      env: { ...ENV, REDIS_URL: 'redis://127.0.0.1:1' },
    }).catch((e: unknown) => e);
    expect(failed).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^switchyard: redis \(REDIS_URL\) (is unreachable|did not answer)/),
    });
  });
});
