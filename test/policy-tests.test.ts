// `switchyard test --policy FILE TESTS.yaml` (the built CLI) in CI: every example's policy.test.yaml passes
// with no secret in the environment; a failing case makes the exit code 1 and is named with its difference;
// `--reporter junit` writes JUnit XML.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'packages/cli/dist/bin.js');

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The built CLI with nothing in its environment: what CI without secrets has. */
function cli(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: ROOT, env: {}, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchyard-e2e-policy-tests-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Plugins an example's policy needs (its own README says so). */
const PLUGINS: Readonly<Record<string, string[]>> = {
  'custom-signal': ['--plugin', './examples/custom-signal/task-signal.js'],
};

describe('every example policy ships its policy tests, and they pass', async () => {
  const examples = (await readdir(join(ROOT, 'examples'), { withFileTypes: true }))
    .filter((d) => d.isDirectory() && existsSync(join(ROOT, 'examples', d.name, 'policy.yaml')))
    .map((d) => d.name);

  it('should have a policy.test.yaml beside every policy.yaml', () => {
    expect(examples.length).toBeGreaterThanOrEqual(5);
    for (const name of examples) expect(existsSync(join(ROOT, 'examples', name, 'policy.test.yaml')), name).toBe(true);
  });

  it.each(examples)('examples/%s', async (name) => {
    const text = await readFile(join(ROOT, 'examples', name, 'policy.yaml'), 'utf8');
    // The jaeger policy carries `${NAME}` placeholders its start script fills in with a URL.
    const policy = /\$\{/.test(text)
      ? await write(`${name}-policy.yaml`, text.replace(/\$\{[A-Z_]+\}/g, 'http://127.0.0.1:9/v1'))
      : `examples/${name}/policy.yaml`;
    const run = await cli(['test', '--policy', policy, `examples/${name}/policy.test.yaml`, ...(PLUGINS[name] ?? [])]);
    expect(run.stderr).toBe('');
    expect(run.stdout).not.toMatch(/FAIL/);
    expect(run.stdout).toMatch(/\d+ cases: (\d+) passed, 0 failed\n$/);
    expect(run.code).toBe(0);
  });
});

const POLICY = `version: 1
providers:
  openai: { format: openai, base_url: http://127.0.0.1:9/v1, credentials: [{ env: T_OPENAI_KEY }] }
models:
  gpt-4o-2024-08-06: { provider: openai, capabilities: [tools, streaming] }
  gpt-4o-mini-2024-07-18: { provider: openai, capabilities: [streaming] }
routes:
  smart:
    default: gpt-4o-mini-2024-07-18
    rules: [{ name: tools, if: has_tools, use: gpt-4o-2024-08-06 }]
    fallbacks: [gpt-4o-2024-08-06]
`;

const TESTS = `cases:
  - name: plain goes to the default
    request: { model: smart, messages: [{ role: user, content: hi }] }
    expect: { rule: default, served: gpt-4o-mini-2024-07-18 }
  - name: a 503 falls back
    request: { model: smart, messages: [{ role: user, content: hi }] }
    upstream: { gpt-4o-mini-2024-07-18: [503] }
    expect: { served: gpt-4o-2024-08-06, fallback_reason: http_503, attempts: 2 }
  - name: tools go to the small model
    request: { model: smart, messages: [{ role: user, content: hi }], tools: [{ type: function, function: { name: f } }] }
    expect: { model: gpt-4o-mini-2024-07-18 }
`;

async function write(name: string, text: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

describe('switchyard test on a file with one failing case', () => {
  it('should exit 1, name the case where it is written, and show the difference', async () => {
    const policy = await write('policy.yaml', POLICY);
    const tests = await write('policy.test.yaml', TESTS);
    const run = await cli(['test', '--policy', policy, tests]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('  pass  plain goes to the default');
    expect(run.stdout).toContain('  pass  a 503 falls back');
    expect(run.stdout).toContain(`  FAIL  tools go to the small model (${tests}:9)`);
    expect(run.stdout).toContain('model: expected "gpt-4o-mini-2024-07-18", got "gpt-4o-2024-08-06"');
    expect(run.stdout).toMatch(/3 cases: 2 passed, 1 failed\n$/);
  });

  it('should write JUnit XML with --reporter junit', async () => {
    const policy = await write('policy.yaml', POLICY);
    const tests = await write('policy.test.yaml', TESTS);
    const run = await cli(['test', '--policy', policy, tests, '--reporter', 'junit']);
    expect(run.code).toBe(1);
    const xml = run.stdout;
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')).toBe(true);
    expect(xml).toContain(`<testsuite name="${tests}" tests="3" failures="1" errors="0" `);
    const cases = [...xml.matchAll(/<testcase name="([^"]*)"[^>]*?(\/>|>\s*<failure message="([^"]*)")/g)];
    expect(cases.map(([, name, , failure]) => [name, failure ?? null])).toEqual([
      ['plain goes to the default', null],
      ['a 503 falls back', null],
      ['tools go to the small model', 'model: expected &quot;gpt-4o-mini-2024-07-18&quot;, got &quot;gpt-4o-2024-08-06&quot;'],
    ]);
    expect(xml.trimEnd().endsWith('</testsuites>')).toBe(true);
  });

  it('should reject a malformed test file before running anything, and an unknown reporter', async () => {
    const policy = await write('policy.yaml', POLICY);
    const tests = await write(
      'bad.test.yaml',
      'cases:\n  - name: x\n    request: { model: smart }\n    expect: { rout: smart }\n',
    );
    const run = await cli(['test', '--policy', policy, tests]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`test file rejected:\n${tests}:4:15: expect: unknown field "rout"`);
    expect((await cli(['test', '--policy', policy, tests, '--reporter', 'tap'])).code).toBe(2);
    expect((await cli(['test', '--policy', policy])).stderr).toContain('name the test file');
  });
});
