// Completes package-lock.json for `npm ci`. The registry these machines reach serves only the
// linux builds of platform-specific optional packages (rollup's and turbo's native binaries), so
// `npm install` leaves the other platforms out of the lock, and `npm ci` then refuses the lock as
// out of sync. This adds those entries with their os/cpu/libc, which npm never installs here.
// Run after any dependency change: `npm run lock`.
import { readFileSync, writeFileSync } from 'node:fs';
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
const pk = lock.packages;
const OS = {
  darwin: 'darwin',
  linux: 'linux',
  windows: 'win32',
  win32: 'win32',
  freebsd: 'freebsd',
  openbsd: 'openbsd',
  netbsd: 'netbsd',
  android: 'android',
  sunos: 'sunos',
  aix: 'aix',
  openharmony: 'openharmony',
};
let added = 0;
for (const [path, entry] of Object.entries(pk)) {
  for (const [name, range] of Object.entries(entry.optionalDependencies ?? {})) {
    const base = path === '' ? '' : `${path}/`;
    const candidates = [`${base}node_modules/${name}`, `node_modules/${name}`];
    if (candidates.some((c) => pk[c])) continue;
    const m = name.match(/(darwin|linux|windows|win32|freebsd|openbsd|netbsd|android|sunos|aix|openharmony)-([a-z0-9]+)/);
    if (!m) throw new Error(`${name}: not a platform package, yet missing from the lock; run npm install`);
    const cpu =
      {
        64: 'x64',
        x64: 'x64',
        arm64: 'arm64',
        arm: 'arm',
        ia32: 'ia32',
        loong64: 'loong64',
        ppc64: 'ppc64',
        riscv64: 'riscv64',
        s390x: 's390x',
      }[m[2]] ?? m[2];
    const libc = /-musl/.test(name) ? ['musl'] : /-gnu/.test(name) ? ['glibc'] : undefined;
    pk[`node_modules/${name}`] = {
      version: String(range).replace(/^[~^]/, ''),
      cpu: [cpu],
      dev: entry.dev || undefined,
      libc,
      optional: true,
      os: [OS[m[1]]],
    };
    added++;
  }
}
lock.packages = Object.fromEntries(Object.entries(pk).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
writeFileSync('package-lock.json', `${JSON.stringify(lock, null, 2)}\n`);
console.log(`lock-platforms: added ${added} platform entries`);
