// The budget tests start real redis-server processes of their own. On a fresh machine where it is
// missing, install Debian's package when we can (root with apt-get); otherwise say how, and fail.
import { execFileSync, spawnSync } from 'node:child_process';

const found = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
if (found.status === 0) process.exit(0);

const isRoot = process.getuid?.() === 0;
const hasApt = spawnSync('apt-get', ['--version']).status === 0;
if (!isRoot || !hasApt) {
  console.error(
    'redis-server is not installed; the budget tests need it. Install it (Debian: sudo apt-get install -y redis-server) and run again.',
  );
  process.exit(1);
}
console.log("redis-server is missing: installing Debian's redis-server for the budget tests");
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
execFileSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'], env });
execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'redis-server'], {
  stdio: ['ignore', 'ignore', 'inherit'],
  env,
});
