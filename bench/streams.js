#!/usr/bin/env node
// Memory under many open streams: `npm run bench -- --streams 1000` (or `node bench/streams.js 1000`).
// The mock upstream streams slowly (a chunk a second for BENCH_STREAM_S seconds); N clients hold a stream
// each at once, first through the bare forward, then through the routed stack, each in its own process.
// Reports each process's RSS at idle, with every stream open, and settled after they end, and checks that
// no stream is buffered: each client must see its first chunk long before its stream ends.
import { fork } from 'node:child_process';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { chatBody, ROUTED_MODEL } from './lib/bodies.js';

const n = Number(process.argv[2] ?? 1000);
const seconds = Number(process.env.BENCH_STREAM_S ?? 30);
const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const log = (...a) => console.log(...a);

function start(script, env, execArgv = []) {
  const child = fork(here(script), [], {
    env: { ...process.env, ...env },
    execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.on('message', function ready(msg) {
      if (msg?.type !== 'ready') return;
      child.off('message', ready);
      resolve({ child, url: msg.url });
    });
    child.once('exit', (code) => reject(new Error(`${script} exited (${code}) before it was ready`)));
  });
}

let seq = 0;
function stats(child, type = 'stats') {
  const id = ++seq;
  return new Promise((resolve) => {
    child.on('message', function onMessage(msg) {
      if (msg?.type === 'stats' && msg.id === id) {
        child.off('message', onMessage);
        resolve(msg.stats);
      }
    });
    child.send({ type, id });
  });
}

/** RSS after full GCs, once the heap has settled (V8 hands pages back lazily). */
async function settled(child) {
  for (let i = 0; i < 4; i++) {
    await stats(child, 'gc');
    await new Promise((r) => setTimeout(r, 500));
  }
  return stats(child);
}

const mb = (bytes) => (bytes / 2 ** 20).toFixed(1);

const mock = await start('targets/mock.js', { MOCK_STREAM_CHUNKS: String(seconds), MOCK_STREAM_INTERVAL_MS: '1000' });
const body = chatBody(ROUTED_MODEL, { stream: true });
/** The bare forward passes the client's key on, so its client holds the upstream's; the stack holds its own. */
const keys = { bare: 'Bearer sk-bench', stack: 'Bearer sk-client-of-the-gateway' };

/** One streamed call through `url`, read to its end: its status, first-chunk and total times. */
function openStream(url, agent, authorization) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const headers = { 'content-type': 'application/json', authorization };
    const req = http.request(url, { method: 'POST', agent, headers }, (res) => {
      let first = null;
      let bytes = 0;
      res.on('data', (chunk) => {
        first ??= performance.now() - t0;
        bytes += chunk.length;
      });
      res.on('end', () => resolve({ status: res.statusCode, firstMs: first, totalMs: performance.now() - t0, bytes }));
      res.on('error', () => resolve({ status: 0 }));
    });
    req.on('error', () => resolve({ status: 0 }));
    req.end(body);
  });
}

/** The memory figures of one target process holding `n` streams open. */
async function measure(name, script, authorization, env) {
  const target = await start(script, { UPSTREAM_URL: mock.url, ...env }, ['--expose-gc']);
  const url = `${target.url}/v1/chat/completions`;
  const agent = new http.Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });
  try {
    // Warm-up: a tenth of the streams first, so that idle means after the code, pools and tokenizer loaded.
    await Promise.all(Array.from({ length: Math.max(1, Math.round(n / 10)) }, () => openStream(url, agent, authorization)));
    const idle = await settled(target.child);
    let peak = idle;
    const started = performance.now();
    const streams = Array.from({ length: n }, () => openStream(url, agent, authorization));
    log(`${name}: ${n} streams open, sampling RSS while they are (${seconds} s)`);
    const sampler = setInterval(async () => {
      const s = await stats(target.child);
      if (s.rss > peak.rss) peak = s;
    }, 2000);
    const results = await Promise.all(streams);
    clearInterval(sampler);
    const wallS = (performance.now() - started) / 1000;
    const ok = results.filter((r) => r.status === 200);
    // Not buffered: the first chunk arrives within a few seconds, not at the end of a 30 s stream.
    const buffered = ok.filter((r) => r.firstMs === null || r.firstMs > r.totalMs / 2);
    const firsts = ok.map((r) => r.firstMs).sort((a, b) => a - b);
    return { name, idle, peak, end: await settled(target.child), ok: ok.length, buffered: buffered.length, firsts, wallS };
  } finally {
    target.child.send({ type: 'stop' });
  }
}

function report(m) {
  log(`${m.name} — ${n} concurrent streamed calls, ${seconds} chunks 1 s apart, in ${m.wallS.toFixed(1)} s`);
  log(`  completed 200:   ${m.ok}/${n}`);
  log(`  buffered:        ${m.buffered} (first chunk after half the stream)`);
  if (m.firsts.length > 0)
    log(
      `  first chunk:     p50 ${m.firsts[Math.floor(m.firsts.length / 2)].toFixed(0)} ms, max ${m.firsts.at(-1).toFixed(0)} ms`,
    );
  log(`  RSS idle:        ${mb(m.idle.rss)} MB  (heap in use ${mb(m.idle.heapUsed)} MB)`);
  log(
    `  RSS peak (open): ${mb(m.peak.rss)} MB  (+${mb(m.peak.rss - m.idle.rss)} MB over idle; heap in use ${mb(m.peak.heapUsed)} MB)`,
  );
  const sign = m.end.rss >= m.idle.rss ? '+' : '';
  log(
    `  RSS settled:     ${mb(m.end.rss)} MB  (${sign}${mb(m.end.rss - m.idle.rss)} MB over idle; heap in use ${mb(m.end.heapUsed)} MB)`,
  );
}

try {
  // The bare forward first, in its own process, for what holding n streams costs any Node forward.
  const bare = await measure('bare express+hpm', 'targets/bare.js', keys.bare, { BARE_MAX_SOCKETS: String(n + 16) });
  const stack = await measure('routed stack', 'targets/stack.js', keys.stack, {});
  log('');
  report(bare);
  report(stack);
  const growth = (m) => m.peak.rss - m.idle.rss;
  log(
    `  the stack over the bare forward: peak growth ${growth(stack) >= growth(bare) ? '+' : ''}${mb(growth(stack) - growth(bare))} MB`,
  );
  const fine = [bare, stack].every((m) => m.ok === n && m.buffered === 0);
  if (!fine) log('INVALID: not every stream completed unbuffered');
  process.exitCode = fine ? 0 : 1;
} finally {
  mock.child.send({ type: 'stop' });
}
