// `switchyard check` (the built CLI) in CI: no secret in the environment, the policy still checked, the env vars
// `serve` will need listed; `--json` for machines; `serve` itself still refuses to start without them.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'packages/cli/dist/bin.js');

/** A policy that reads a secret from the environment in every place one can. */
const POLICY = `version: 1
providers:
  openai:
    format: openai
    base_url: http://127.0.0.1:9/v1
    credentials: [{ env: CHECK_OPENAI_KEY }, { env: CHECK_OPENAI_BACKUP }]
  groq: { format: openai, base_url: http://127.0.0.1:9/v1, credentials: [{ env: CHECK_OPENAI_KEY }] }
models:
  gpt-4o-2024-08-06: { provider: openai, max_output_tokens: 1000, capabilities: [tools], price: { input: 2.5, output: 10 } }
  llama-3.3-70b-versatile: { provider: groq, max_output_tokens: 1000, capabilities: [tools], price: { input: 0.59, output: 0.79 } }
signals:
  priority: { from: "$.metadata.priority", type: string }
routes:
  smart:
    default: llama-3.3-70b-versatile
    rules:
      - { name: urgent, if: 'priority == "high"', use: gpt-4o-2024-08-06 }
    fallbacks: [gpt-4o-2024-08-06]
budgets:
  store: { redis: { url: { env: CHECK_REDIS_URL } } }
  owners: { team: { monthly_usd: 10, hard_stop: true } }
  admin_key: { env: CHECK_ADMIN_KEY }
keys:
  - { name: backend, secret: { env: CHECK_CLIENT_KEY }, owner: team }
`;

const VARS = ['CHECK_OPENAI_KEY', 'CHECK_OPENAI_BACKUP', 'CHECK_REDIS_URL', 'CHECK_ADMIN_KEY', 'CHECK_CLIENT_KEY'];

/** Values distinctive enough to search any output for. */
const VALUES: Readonly<Record<string, string>> = {
  CHECK_OPENAI_KEY: 'sk-check-openai-9f8e7d',
  CHECK_REDIS_URL: 'redis://:check-redis-pw-6c5b@127.0.0.1:1',
  CHECK_CLIENT_KEY: 'sk-check-client-4a3b2c',
};

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built CLI with exactly `env` as its environment (not even PATH). */
function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: ROOT, env, timeout: 15_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

let dir: string;
let good: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchyard-e2e-check-'));
  good = await write('good.yaml', POLICY);
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function write(name: string, text: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

function lineOf(text: string, needle: string): number {
  const index = text.split('\n').findIndex((l) => l.includes(needle));
  if (index < 0) throw new Error(`"${needle}" not in the policy`);
  return index + 1;
}

/** `line:column` of the first occurrence of `needle` in POLICY. */
function at(needle: string): string {
  const line = lineOf(POLICY, needle);
  return `${line}:${POLICY.split('\n')[line - 1]!.indexOf(needle) + 1}`;
}

describe('switchyard check with an empty environment', () => {
  it('should pass a good policy, print the summary, and list every variable serve needs as unset', async () => {
    const run = await cli(['check', good]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`${good}: OK`);
    expect(lines).toContain(
      '  route smart: urgent -> gpt-4o-2024-08-06, default -> llama-3.3-70b-versatile; fallbacks gpt-4o-2024-08-06',
    );
    expect(lines.at(-1)).toBe(`  env:       serve needs ${VARS.join(', ')}; unset here: ${VARS.join(', ')}`);
  });

  it('should say which variables are unset when some are set, and never print a value', async () => {
    const run = await cli(['check', good], VALUES);
    expect(run.code).toBe(0);
    const unset = VARS.filter((v) => !(v in VALUES));
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe(
      `  env:       serve needs ${VARS.join(', ')}; unset here: ${unset.join(', ')}`,
    );
    for (const value of Object.values(VALUES)) expect(run.stdout + run.stderr).not.toContain(value);
    const all = await cli(['check', good], Object.fromEntries(VARS.map((v) => [v, `value-of-${v}`])));
    expect(all.stdout.trimEnd().split('\n').at(-1)).toBe(`  env:       serve needs ${VARS.join(', ')}; all set here`);
    expect(all.stdout).not.toContain('value-of-');
  });

  it('should still reject a wrong policy: exit 1, file:line on stderr, as before', async () => {
    const text = POLICY.replace('priority == "high"', 'priority > 3');
    const file = await write('bad-cel.yaml', text);
    const run = await cli(['check', file]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(new RegExp(`^policy rejected:\\n${escapeRegExp(file)}:${lineOf(text, 'priority > 3')}:\\d+: `));
    expect(run.stderr).not.toMatch(/env var/);
  });

  it('should fail like serve with --require-env, naming each unset variable at its line', async () => {
    const run = await cli(['check', good, '--require-env'], VALUES);
    expect(run.code).toBe(1);
    expect(run.stderr.split('\n').slice(1).filter(Boolean)).toEqual([
      `${good}:${at('CHECK_OPENAI_BACKUP')}: credential env var CHECK_OPENAI_BACKUP is not set`,
      `${good}:${at('CHECK_ADMIN_KEY')}: admin key env var CHECK_ADMIN_KEY is not set`,
    ]);
    const all = await cli(['check', good, '--require-env'], { ...VALUES, CHECK_OPENAI_BACKUP: 'b', CHECK_ADMIN_KEY: 'a' });
    expect(all.code).toBe(0);
    expect(all.stdout).toContain('all set here');
  });

  it('serve should still refuse to start without them', async () => {
    const run = await cli(['serve', '--policy', good, '--port', '0'], VALUES);
    expect(run.code).toBe(1);
    expect(run.stdout).not.toContain('listening');
    expect(run.stderr).toContain(`${good}:${at('CHECK_OPENAI_BACKUP')}: credential env var CHECK_OPENAI_BACKUP is not set`);
    expect(run.stderr).toContain(`${good}:${at('CHECK_ADMIN_KEY')}: admin key env var CHECK_ADMIN_KEY is not set`);
  });
});

describe('every example policy in an empty environment', () => {
  const EXAMPLES: { file: string; args?: string[] }[] = [
    { file: 'examples/custom-signal/policy.yaml', args: ['--plugin', './examples/custom-signal/task-signal.js'] },
    { file: 'examples/demo/policy.yaml' },
    { file: 'examples/existing-app/policy.yaml' },
    { file: 'examples/jaeger/policy.yaml' },
    { file: 'examples/smart-routing/policy.yaml' },
    { file: 'examples/workflows/policy.yaml' },
    { file: 'bench/bench-policy.yaml' },
  ];

  it.each(EXAMPLES)('$file passes check and names the env vars serve needs', async ({ file, args = [] }) => {
    const text = await readFile(join(ROOT, file), 'utf8');
    // The jaeger and bench policies carry `${NAME}` placeholders their start scripts fill in with a URL.
    const path = /\$\{/.test(text)
      ? await write(file.replaceAll('/', '-'), text.replace(/\$\{[A-Z_]+\}/g, 'http://127.0.0.1:9/v1'))
      : file;
    const run = await cli(['check', path, '--json', ...args]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.ok).toBe(true);
    expect(report.env.length).toBeGreaterThan(0);
    for (const v of report.env)
      expect(v).toEqual({ name: expect.stringMatching(/^[A-Z_][A-Z0-9_]*$/), used_by: expect.any(Array), set: false });
  });
});

describe('switchyard check --json', () => {
  it('should print one JSON object describing the policy and the env vars serve needs', async () => {
    const run = await cli(['check', good, '--json'], VALUES);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(Object.keys(report)).toEqual(['ok', 'file', 'providers', 'models', 'routes', 'signals', 'env', 'warnings']);
    expect(report).toMatchObject({
      ok: true,
      file: good,
      providers: [
        { name: 'openai', format: 'openai' },
        { name: 'groq', format: 'openai' },
      ],
      models: [
        { id: 'gpt-4o-2024-08-06', provider: 'openai' },
        { id: 'llama-3.3-70b-versatile', provider: 'groq' },
      ],
      routes: [
        {
          name: 'smart',
          rules: [{ name: 'urgent', use: 'gpt-4o-2024-08-06' }],
          default: 'llama-3.3-70b-versatile',
          fallbacks: ['gpt-4o-2024-08-06'],
        },
      ],
    });
    expect(report.signals).toContainEqual({ name: 'priority', type: 'string', declared: true });
    expect(report.signals).toContainEqual({ name: 'has_tools', type: 'bool', declared: false });
    expect(report.env).toEqual([
      { name: 'CHECK_OPENAI_KEY', used_by: ['providers.openai.credentials[0]', 'providers.groq.credentials[0]'], set: true },
      { name: 'CHECK_OPENAI_BACKUP', used_by: ['providers.openai.credentials[1]'], set: false },
      { name: 'CHECK_REDIS_URL', used_by: ['budgets.store.redis.url'], set: true },
      { name: 'CHECK_ADMIN_KEY', used_by: ['budgets.admin_key'], set: false },
      { name: 'CHECK_CLIENT_KEY', used_by: ['keys[0].secret'], set: true },
    ]);
    for (const value of Object.values(VALUES)) expect(run.stdout).not.toContain(value);
  });

  it('should print the problems of a rejected policy as JSON on stdout, and exit 1', async () => {
    const text = POLICY.replace('priority == "high"', 'tier == "gold"').replace('default: llama', 'defualt: llama');
    const file = await write('bad.yaml', text);
    const run = await cli(['check', file, '--json']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('');
    const report = JSON.parse(run.stdout);
    expect(Object.keys(report)).toEqual(['ok', 'file', 'problems']);
    expect(report.ok).toBe(false);
    expect(report.file).toBe(file);
    expect(report.problems.length).toBeGreaterThanOrEqual(1);
    for (const p of report.problems) {
      expect(Object.keys(p)).toEqual(['file', 'line', 'column', 'message']);
      expect(p).toMatchObject({ file, line: expect.any(Number), column: expect.any(Number), message: expect.any(String) });
    }
    // Schema problems stop the loader before it compiles rules: the misspelt key is reported, not the rule.
    expect(report.problems).toContainEqual({
      file,
      line: lineOf(text, 'defualt:'),
      column: 5,
      message: 'routes.smart: unknown key "defualt"',
    });

    const cel = await write('bad-cel-json.yaml', POLICY.replace('priority == "high"', 'tier == "gold"'));
    const celRun = await cli(['check', cel, '--json']);
    expect(celRun.code).toBe(1);
    expect(JSON.parse(celRun.stdout).problems).toEqual([
      {
        file: cel,
        line: lineOf(POLICY, 'priority == "high"'),
        column: expect.any(Number),
        message: expect.stringMatching(/tier/),
      },
    ]);
  });

  it('should report a file it cannot read as JSON with an error, and exit 1', async () => {
    const missing = join(dir, 'missing.yaml');
    const run = await cli(['check', missing, '--json']);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toEqual({
      ok: false,
      file: missing,
      error: expect.stringContaining('cannot read policy file'),
    });
  });
});

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('examples/workflows', () => {
  it('should warn of the one contradiction it shows on purpose: a route listing a fallback a workflow blocks', async () => {
    const run = await cli(['check', 'examples/workflows/policy.yaml', '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).warnings).toEqual([
      expect.objectContaining({
        message:
          'route "support" lists fallback "labs-preview", which workflow "support_chat" blocks: its calls never fall back to it',
      }),
    ]);
  });
});
