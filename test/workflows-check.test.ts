// `switchyard check` on a policy with workflows: it loads, its workflows are summarised, and the contradictions
// it holds (a fallback a workflow blocks, a route model lacking what the workflow requires) are warnings, on
// stderr and in --json, without failing the check.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'packages/cli/dist/bin.js');

const POLICY = `version: 1
providers:
  openai: { format: openai, base_url: http://127.0.0.1:9/v1 }
models:
  big: { provider: openai, capabilities: [tools, json_schema, streaming, vision] }
  lite: { provider: openai, capabilities: [streaming] }
routes:
  support: { default: lite, fallbacks: [big] }
workflows:
  support_chat:
    route: support
    requires: [tools]
    fallback: { blocked: [big] }
    on: { http_5xx: { retry_same_route: 1, then: fallback }, refusal: stop_and_escalate }
`;

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: ROOT, env: {}, timeout: 15_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

let dir: string;
let file: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchyard-workflows-check-'));
  file = join(dir, 'policy.yaml');
  await writeFile(file, POLICY);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('switchyard check with workflows', () => {
  it('should pass, summarise the workflow, and list the warnings on stderr', async () => {
    const run = await cli(['check', file]);

    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toContain(
      '  workflow support_chat: route support; requires tools; blocked big; on http_5xx: retry 1, then fallback, refusal: stop_and_escalate',
    );
    expect(lines).toContain('  workflows: optional (else default)');
    expect(lines.at(-1)).toBe('  env:       serve needs none');
    expect(run.stderr.trimEnd().split('\n')).toEqual([
      `${file}:8:41: warning: route "support" lists fallback "big", which workflow "support_chat" blocks: its calls never fall back to it`,
      `${file}:11:12: warning: route "support" defaults to "lite", which lacks tools that workflow "support_chat" requires: its calls move to an allowed fallback or are refused (capability_missing)`,
      `${file}:14:21: warning: workflow "support_chat" falls back on http_5xx but has no model to fall back to`,
    ]);
  });

  it('should list the same warnings in --json', async () => {
    const run = await cli(['check', file, '--json']);

    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as {
      ok: boolean;
      warnings: { file: string; line: number; column: number; message: string }[];
    };
    expect(report.ok).toBe(true);
    expect(report.warnings.map((w) => [w.line, w.column])).toEqual([
      [8, 41],
      [11, 12],
      [14, 21],
    ]);
    expect(report.warnings[0]).toEqual({
      file,
      line: 8,
      column: 41,
      message: 'route "support" lists fallback "big", which workflow "support_chat" blocks: its calls never fall back to it',
    });
  });

  it('should report no warnings, as an empty list, for a consistent policy', async () => {
    const clean = join(dir, 'clean.yaml');
    // The route defaults to a model with what the workflow requires, and falls back to another such model.
    const consistent = POLICY.replace('    fallback: { blocked: [big] }\n', '')
      .replace(
        '  lite: {',
        '  big-backup: { provider: openai, capabilities: [tools, json_schema, streaming, vision] }\n  lite: {',
      )
      .replace('support: { default: lite, fallbacks: [big] }', 'support: { default: big, fallbacks: [big-backup] }');
    await writeFile(clean, consistent);
    const run = await cli(['check', clean, '--json']);
    expect(JSON.parse(run.stdout).warnings).toEqual([]);
    const text = await cli(['check', clean]);
    expect(text.stderr).toBe('');
    expect(text.stdout).not.toContain('warning');
  });
});
