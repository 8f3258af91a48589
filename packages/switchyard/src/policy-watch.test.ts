// The watcher sees a policy file change the ways files really change, and reports each new content once.
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PolicyWatcher, type WatchOptions } from './policy-watch.js';
import { policyVersion } from './version.js';

let dir: string;
let watcher: PolicyWatcher | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchyard-watch-'));
});
afterEach(async () => {
  watcher?.close();
  watcher = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** Starts watching `file` (whose content is `initial`); collects what it reports. */
function watching(file: string, initial: string, options: WatchOptions = { debounceMs: 20, pollMs: 0 }) {
  const changes: string[] = [];
  const errors: string[] = [];
  watcher = new PolicyWatcher(
    file,
    policyVersion(initial),
    { onChange: (bytes) => changes.push(bytes.toString()), onError: (err) => errors.push(err.message) },
    options,
  );
  return { changes, errors };
}

async function until(check: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(10);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('PolicyWatcher', () => {
  it('should report a file rewritten in place', async () => {
    const file = join(dir, 'policy.yaml');
    await writeFile(file, 'one');
    const { changes } = watching(file, 'one');
    await sleep(50);
    await writeFile(file, 'two');
    await until(() => changes.length > 0);
    expect(changes).toEqual(['two']);
  });

  it('should report a file replaced by a rename, as editors save', async () => {
    const file = join(dir, 'policy.yaml');
    await writeFile(file, 'one');
    const { changes } = watching(file, 'one');
    await sleep(50);
    await writeFile(join(dir, '.policy.yaml.swp'), 'two');
    await rename(join(dir, '.policy.yaml.swp'), file);
    await until(() => changes.length > 0);
    expect(changes).toEqual(['two']);
  });

  it("should report a Kubernetes ConfigMap's symlink swap", async () => {
    // A ConfigMap volume: policy.yaml -> ..data/policy.yaml, ..data -> ..<timestamp>; an update writes a new
    // timestamped directory and renames a new ..data link over the old one.
    await mkdir(join(dir, '..2024_01_01'));
    await writeFile(join(dir, '..2024_01_01', 'policy.yaml'), 'one');
    await symlink('..2024_01_01', join(dir, '..data'));
    await symlink(join('..data', 'policy.yaml'), join(dir, 'policy.yaml'));
    const { changes } = watching(join(dir, 'policy.yaml'), 'one');
    await sleep(50);
    await mkdir(join(dir, '..2024_01_02'));
    await writeFile(join(dir, '..2024_01_02', 'policy.yaml'), 'two');
    await symlink('..2024_01_02', join(dir, '..data_tmp'));
    await rename(join(dir, '..data_tmp'), join(dir, '..data'));
    await rm(join(dir, '..2024_01_01'), { recursive: true });
    await until(() => changes.length > 0);
    expect(changes).toEqual(['two']);
  });

  it('should see a change by polling alone', async () => {
    const file = join(dir, 'policy.yaml');
    await writeFile(file, 'one');
    const { changes } = watching(file, 'one', { debounceMs: 10, pollMs: 50 });
    // Events on the directory would do it too; polling is what catches a change on a mount without them.
    await sleep(60);
    await writeFile(file, 'two, longer');
    await until(() => changes.length > 0);
    expect(changes).toEqual(['two, longer']);
  });

  it('should report a burst of writes once, with the last content', async () => {
    const file = join(dir, 'policy.yaml');
    await writeFile(file, 'one');
    const { changes } = watching(file, 'one', { debounceMs: 100, pollMs: 0 });
    await sleep(50);
    for (const text of ['t', 'tw', 'two']) await writeFile(file, text);
    await until(() => changes.length > 0);
    await sleep(250);
    expect(changes).toEqual(['two']);
  });

  it('should not report content it has seen, nor a rewrite of the same bytes', async () => {
    const file = join(dir, 'policy.yaml');
    await writeFile(file, 'one');
    const { changes } = watching(file, 'one');
    await sleep(50);
    await writeFile(file, 'one');
    await sleep(200);
    expect(changes).toEqual([]);
    watcher!.saw(policyVersion('two'));
    await writeFile(file, 'two');
    await sleep(200);
    expect(changes).toEqual([]);
  });

  it('should report a file that cannot be read once, and its return', async () => {
    const file = join(dir, 'policy.yaml');
    await writeFile(file, 'one');
    const { changes, errors } = watching(file, 'one');
    await sleep(50);
    await rm(file);
    await until(() => errors.length > 0);
    await writeFile(join(dir, 'other.yaml'), 'unrelated');
    await sleep(150);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/cannot read policy file .*policy\.yaml: ENOENT/);
    await writeFile(file, 'back');
    await until(() => changes.length > 0);
    expect(changes).toEqual(['back']);
  });

  it('should report nothing once closed', async () => {
    const file = join(dir, 'policy.yaml');
    await writeFile(file, 'one');
    const { changes } = watching(file, 'one');
    watcher!.close();
    await writeFile(file, 'two');
    await sleep(200);
    expect(changes).toEqual([]);
  });
});
