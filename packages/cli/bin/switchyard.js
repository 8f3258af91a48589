#!/usr/bin/env node
// The `switchyard` command. A committed file, unlike dist/: npm links a package's bin only if its file
// exists at install time, so `npm ci` in a fresh clone links node_modules/.bin/switchyard to this, and
// `npx switchyard …` works from the repository root as the README writes it. In a checkout it first
// brings the CLI's build up to date (turbo; a no-op when nothing changed); installed from the registry,
// dist/ is already there.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const cli = new URL('../', import.meta.url);
const root = new URL('../../', cli);
const entry = new URL('dist/bin.js', cli);
const checkout = existsSync(new URL('src/bin.ts', cli)) && existsSync(new URL('turbo.json', root));

if (checkout) {
  let turbo;
  try {
    turbo = createRequire(new URL('package.json', root)).resolve('turbo/bin/turbo');
  } catch {
    turbo = undefined; // dev dependencies not installed: run what was built
  }
  if (turbo) {
    if (!existsSync(entry)) console.error('switchyard: building the packages of this checkout first (npm run build)…');
    const build = spawnSync(
      process.execPath,
      [turbo, 'run', 'build', '--filter=@switchyard/cli...', '--output-logs=errors-only'],
      {
        cwd: fileURLToPath(root),
        encoding: 'utf8',
      },
    );
    if (build.status !== 0) {
      process.stderr.write(`${build.stdout ?? ''}${build.stderr ?? ''}`);
      console.error(`switchyard: the build failed (${build.error?.message ?? `exit ${build.status}`}); see above`);
      process.exit(1);
    }
  }
}
if (!existsSync(entry)) {
  console.error(`switchyard: ${fileURLToPath(entry)} is missing; run \`npm run build\` first`);
  process.exit(1);
}
await import(entry.href);
