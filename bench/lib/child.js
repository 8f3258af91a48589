// Child-process side of the harness: every server under test runs in its own process (child_process.fork)
// and talks to the orchestrator over IPC: 'ready' (with its URL), 'stats' (CPU, memory, GC), 'stop'.
import { PerformanceObserver } from 'node:perf_hooks';
import { GCProfiler, getHeapStatistics } from 'node:v8';

let gcCount = 0;
let gcMs = 0;
const gcObserver = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gcCount += 1;
    gcMs += entry.duration;
  }
});
gcObserver.observe({ entryTypes: ['gc'] });

// Bytes allocated on the V8 heap: what each GC found in use before it ran, less what the previous GC (or the
// previous snapshot) left, plus what has been allocated since the last GC. V8 keeps no running total itself.
let allocatedBytes = 0;
let usedAfterLast = getHeapStatistics().used_heap_size;
let gcProfiler = new GCProfiler();
gcProfiler.start();
function countAllocated() {
  const { statistics } = gcProfiler.stop();
  for (const gc of statistics) {
    allocatedBytes += Math.max(0, gc.beforeGC.heapStatistics.usedHeapSize - usedAfterLast);
    usedAfterLast = gc.afterGC.heapStatistics.usedHeapSize;
  }
  const used = getHeapStatistics().used_heap_size;
  allocatedBytes += Math.max(0, used - usedAfterLast);
  usedAfterLast = used;
  gcProfiler = new GCProfiler();
  gcProfiler.start();
  return allocatedBytes;
}

// Process warnings (e.g. MaxListenersExceededWarning: listeners piling up on pooled sockets) are reported.
const warnings = [];
process.on('warning', (w) => {
  if (warnings.length < 10) warnings.push(`${w.name}: ${w.message}`);
});

function snapshot() {
  const cpu = process.cpuUsage();
  const mem = process.memoryUsage();
  return {
    cpuUserUs: cpu.user,
    cpuSystemUs: cpu.system,
    rss: mem.rss,
    heapUsed: mem.heapUsed,
    allocatedBytes: countAllocated(),
    gcCount,
    gcMs,
    warnings,
  };
}

/**
 * Starts a target and wires it to the orchestrator.
 * @param {string} name
 * @param {() => Promise<{ url: string, close: () => Promise<void> }>} start
 */
export async function runTarget(name, start) {
  if (!process.send) throw new Error(`${name}: run me through bench/run.js (needs an IPC channel)`);
  let started;
  try {
    started = await start();
  } catch (error) {
    process.send({ type: 'failed', name, message: error?.stack ?? String(error) });
    // Give the message time to leave before exiting.
    setTimeout(() => process.exit(1), 50);
    return;
  }
  process.on('message', async (msg) => {
    if (msg?.type === 'stats') process.send({ type: 'stats', id: msg.id, stats: snapshot() });
    // A full GC first (the process runs with --expose-gc), for a settled memory figure.
    if (msg?.type === 'gc') {
      globalThis.gc?.();
      process.send({ type: 'stats', id: msg.id, stats: snapshot() });
    }
    if (msg?.type === 'stop') {
      gcObserver.disconnect();
      await Promise.race([started.close(), new Promise((r) => setTimeout(r, 1000))]);
      // process.exit (not a signal) so --cpu-prof gets to write its profile.
      process.exit(0);
    }
  });
  process.on('disconnect', () => process.exit(0));
  process.send({ type: 'ready', name, url: started.url, pid: process.pid });
}

/** Listens an Express app (or node handler) on 127.0.0.1:0 with a long keep-alive, like a real gateway. */
export async function listen(app) {
  const { createServer } = await import('node:http');
  const server = createServer({ keepAliveTimeout: 65_000 }, app);
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
