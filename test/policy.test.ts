// A policy that does not validate never loads: `switchyard check` (the built CLI) and loadPolicy() both
// name the file, the line and the cause. A good policy passes.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPolicy, PolicyError } from 'switchyard';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'packages/cli/dist/bin.js');
const ENV = { E2E_POLICY_KEY: 'sk-policy-test' };

/** A valid policy; `rule` replaces the `if:` of the rule on the marked line. */
function policy(options: { condition?: string; use?: string; credentialEnv?: string } = {}): string {
  return `version: 1
timezone: UTC
providers:
  openai:
    format: openai
    base_url: http://127.0.0.1:9/v1
    credentials:
      - env: ${options.credentialEnv ?? 'E2E_POLICY_KEY'}
models:
  gpt-4o-mini-2024-07-18: { provider: openai, capabilities: [tools, json_schema, streaming, vision] }
  gpt-4o-2024-08-06: { provider: openai, capabilities: [tools, json_schema, streaming, vision] }
signals:
  priority: { from: "$.metadata.priority", type: string }
routes:
  smart:
    default: gpt-4o-mini-2024-07-18
    rules:
      - name: first
        if: priority == "high"
        use: gpt-4o-2024-08-06
      - name: checked
        if: ${options.condition ?? 'has_tools'}
        use: ${options.use ?? 'gpt-4o-2024-08-06'}
`;
}

/** 1-based line of the first line of `text` containing `needle`. */
function lineOf(text: string, needle: string): number {
  const index = text.split('\n').findIndex((l) => l.includes(needle));
  if (index < 0) throw new Error(`"${needle}" not in the policy`);
  return index + 1;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchyard-e2e-policy-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function writePolicy(name: string, text: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

interface BadCase {
  readonly name: string;
  readonly text: string;
  /** Text on the line the error must point at. */
  readonly marker: string;
  /** Something the message must say about the cause. */
  readonly cause: RegExp;
  /** Further `switchyard check` flags this case needs. */
  readonly checkFlags?: readonly string[];
}

const BAD: BadCase[] = [
  {
    name: 'a rule reading an unknown signal',
    text: policy({ condition: 'tier_level == "gold"' }),
    marker: 'tier_level == "gold"',
    cause: /tier_level/,
  },
  {
    name: 'a bool signal compared with a number (has_schema > 3)',
    text: policy({ condition: 'has_schema > 3' }),
    marker: 'has_schema > 3',
    cause: /has_schema|bool|int|overload|type/i,
  },
  {
    name: 'a string signal compared with a number',
    text: policy({ condition: 'priority > 3' }),
    marker: 'priority > 3',
    cause: /priority|string|int|overload|type/i,
  },
  {
    name: 'a rule using a model not in models',
    text: policy({ use: 'gpt-5-2099-01-01' }),
    marker: 'use: gpt-5-2099-01-01',
    cause: /gpt-5-2099-01-01/,
  },
  {
    name: 'a credential env var that is unset',
    text: policy({ credentialEnv: 'E2E_UNSET_PROVIDER_KEY' }),
    marker: 'env: E2E_UNSET_PROVIDER_KEY',
    cause: /E2E_UNSET_PROVIDER_KEY/,
    // check only lists unset variables (CI has no secrets); --require-env fails on them as serve does.
    checkFlags: ['--require-env'],
  },
];

describe('switchyard check (built CLI)', () => {
  // Every CLI run starts in parallel up front; each test then reads its own result.
  const CUSTOM = 'examples/custom-signal/policy.yaml';
  let runs: Promise<{ good: Run; bad: Run[]; withPlugin: Run; withoutPlugin: Run; files: string[]; goodFile: string }>;
  beforeAll(() => {
    runs = (async () => {
      const goodFile = await writePolicy('good.yaml', policy());
      const files = await Promise.all(BAD.map((bad, i) => writePolicy(`bad-${i}.yaml`, bad.text)));
      const customEnv = { CUSTOM_SIGNAL_OPENAI_KEY: 'sk-x' };
      const [good, withPlugin, withoutPlugin, ...bad] = await Promise.all([
        runCli(['check', goodFile], ENV),
        runCli(['check', CUSTOM, '--plugin', './examples/custom-signal/task-signal.js'], customEnv),
        runCli(['check', CUSTOM], customEnv),
        ...files.map((file, i) => runCli(['check', file, ...(BAD[i]!.checkFlags ?? [])], ENV)),
      ]);
      return { good: good!, bad, withPlugin: withPlugin!, withoutPlugin: withoutPlugin!, files, goodFile };
    })();
    runs.catch(() => undefined); // reported by the tests that await it
  });

  it('the CLI is built', () => {
    expect(existsSync(CLI), `${CLI} is missing: run npx turbo run build`).toBe(true);
  });

  it('a good policy exits 0', async () => {
    const { good, goodFile } = await runs;
    expect(good.stderr).toBe('');
    expect(good.code).toBe(0);
    expect(good.stdout).toContain(goodFile);
  });

  it.each(BAD)('rejects $name: exit 1, file:line on stderr', async (bad) => {
    const r = await runs;
    const i = BAD.indexOf(bad);
    const run = r.bad[i]!;
    const line = lineOf(bad.text, bad.marker);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${r.files[i]}:${line}:`);
    expect(run.stderr).toMatch(bad.cause);
  });

  it('the custom-signal example: passes with its --plugin, fails on the unknown `task` without it', async () => {
    const { withPlugin, withoutPlugin } = await runs;
    expect(withPlugin.stderr).toBe('');
    expect(withPlugin.code).toBe(0);
    const line = lineOf(await readFile(join(ROOT, CUSTOM), 'utf8'), 'task == "code"');
    expect(withoutPlugin.code).toBe(1);
    expect(withoutPlugin.stderr).toContain(`${CUSTOM}:${line}:`);
    expect(withoutPlugin.stderr).toMatch(/task/);
  });
});

describe('loadPolicy in-process', () => {
  it('loads a good policy', async () => {
    const file = await writePolicy('good-inproc.yaml', policy());
    const compiled = await loadPolicy(file, { env: ENV });
    expect([...compiled.policy.routes.keys()]).toEqual(['smart']);
  });

  it.each(BAD)('rejects $name with a PolicyError naming file:line', async (bad) => {
    const file = await writePolicy(`bad-inproc-${BAD.indexOf(bad)}.yaml`, bad.text);
    const line = lineOf(bad.text, bad.marker);
    const err = await loadPolicy(file, { env: ENV }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PolicyError);
    const policyError = err as PolicyError;
    expect(policyError.problems.length).toBeGreaterThanOrEqual(1);
    expect(policyError.problems[0]).toMatchObject({ file, line, column: expect.any(Number) });
    expect(policyError.problems[0]!.message).toMatch(bad.cause);
    expect(policyError.message).toMatch(new RegExp(`^${escapeRegExp(file)}:${line}:\\d+: `, 'm'));
  });

  it('a YAML syntax error names its line too', async () => {
    const text = policy().replace('    default: gpt-4o-mini-2024-07-18', '    default: [unclosed');
    const file = await writePolicy('yaml-error.yaml', text);
    const err = await loadPolicy(file, { env: ENV }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PolicyError);
    expect((err as PolicyError).problems[0]!.file).toBe(file);
    expect((err as PolicyError).problems[0]!.line).toBeGreaterThanOrEqual(lineOf(text, '[unclosed'));
  });
});

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
