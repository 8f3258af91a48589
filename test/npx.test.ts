// `npx switchyard …` from the repository root, as the README writes it. npm links a package's bin into
// node_modules/.bin only if the bin's file exists when it installs, and a fresh clone has no dist/: so the
// CLI's bin is a committed file (packages/cli/bin/switchyard.js) that builds the checkout when needed and
// then runs dist/bin.js. Cloning and installing the repository here would take minutes; this checks the
// pieces that make the fresh clone work instead: the bin file is tracked and executable, `npm ci` linked
// it, and npx runs it from the root.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI_PACKAGE = join(ROOT, 'packages/cli/package.json');

function bin(): string {
  const { bin } = JSON.parse(readFileSync(CLI_PACKAGE, 'utf8')) as { bin: Record<string, string> };
  return join('packages/cli', bin.switchyard!);
}

function npx(args: string[]) {
  return spawnSync('npx', ['--no-install', 'switchyard', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 110_000 });
}

describe('npx switchyard in a checkout', () => {
  it('should point the bin at a file git tracks, executable, outside the build output', () => {
    const path = bin();
    expect(path).not.toMatch(/(^|\/)dist\//);
    const [mode, , , file] = execFileSync('git', ['ls-files', '--stage', '--', path], { cwd: ROOT, encoding: 'utf8' })
      .trim()
      .split(/\s+/);
    expect(file).toBe(path);
    expect(mode).toBe('100755');
  });

  it('should have node_modules/.bin/switchyard linked to it by npm ci', () => {
    const link = join(ROOT, 'node_modules/.bin/switchyard');
    expect(resolve(join(ROOT, 'node_modules/.bin'), readlinkSync(link))).toBe(
      resolve(ROOT, 'node_modules/@switchyard/cli', bin().slice('packages/cli/'.length)),
    );
  });

  it('should run `npx --no-install switchyard --help` from the root', { timeout: 120_000 }, () => {
    const run = npx(['--help']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^usage:\n {2}switchyard serve --policy FILE/);
  });

  it(
    'should run `npx --no-install switchyard check FILE` from the root, errors and exit code included',
    { timeout: 120_000 },
    () => {
      const good = npx(['check', 'examples/smart-routing/policy.yaml']);
      expect(good.status, good.stderr).toBe(0);
      const bad = npx(['check', 'test/no-such-policy.yaml']);
      expect(bad.status).toBe(1);
      expect(bad.stderr).toContain('no-such-policy.yaml');
    },
  );
});
