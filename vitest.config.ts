// One vitest run over every package (each its own project) and the end-to-end suite in test/.
// Workspace packages resolve to their TypeScript sources, so tests never run stale builds.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));
const alias = readdirSync(`${root}packages`).map((dir) => {
  const { name } = JSON.parse(readFileSync(`${root}packages/${dir}/package.json`, 'utf8')) as { name: string };
  return { find: new RegExp(`^${name.replace('/', '\\/')}$`), replacement: `${root}packages/${dir}/src/index.ts` };
});

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      { extends: true, test: { name: 'packages', include: ['packages/*/src/**/*.test.ts'] } },
      { extends: true, test: { name: 'e2e', include: ['test/**/*.test.ts'], testTimeout: 20_000 } },
    ],
    testTimeout: 10_000,
    hookTimeout: 20_000,
  },
});
