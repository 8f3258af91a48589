#!/usr/bin/env node
// Switchyard bench: the mock upstream directly, a bare Express + http-proxy-middleware forward (the baseline)
// and the Switchyard stack (routed and pinned), measured in one run. See bench/README.md.
//
//   npm run bench                 full run (~2 min)
//   npm run bench -- --quick      smoke run (~25 s)
//   npm run bench -- --cpu-prof   also CPU-profile the stack target (its figures are then not comparable)
//
// Env: BENCH_DURATION (s), BENCH_CONNECTIONS, BENCH_RATE (req/s), BENCH_RATE_DURATION (s), BENCH_TTFB_N,
//      BENCH_WARMUP (s), BENCH_TARGETS (comma list of mock,bare,stack-routed,stack-pinned), BENCH_PIN=0.
import { execFileSync, fork } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import http from 'node:http';
import { chatBody, largeChatBody, PINNED_MODEL, ROUTED_EXPECTS, ROUTED_MODEL } from './lib/bodies.js';
import { fixedRate, request, streamTtfb, throughput, verify } from './lib/load.js';
import { performance } from 'node:perf_hooks';
import { round, Samples } from './lib/stats.js';
import { printSummary, summarise } from './profile-summary.js';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const args = new Set(process.argv.slice(2));
// --streams N: the memory figure under N open streams instead of the table (bench/streams.js).
const streamsAt = process.argv.indexOf('--streams');
if (streamsAt > 0) {
  process.argv.splice(2, process.argv.length, process.argv[streamsAt + 1] ?? '1000');
  await import('./streams.js');
  process.exit(process.exitCode ?? 0);
}
const quick = args.has('--quick');
// --cpu-prof profiles the stack process; --cpu-prof=bare profiles the baseline instead (to compare profiles).
const cpuProfArg = process.argv.slice(2).find((a) => a === '--cpu-prof' || a.startsWith('--cpu-prof='));
const cpuProf = cpuProfArg ? (cpuProfArg.split('=')[1] ?? 'stack') : process.env.BENCH_CPU_PROF === '1' ? 'stack' : null;
const num = (name, fallback) => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const v = Number(raw);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return v;
};

const config = {
  quick,
  cpuProf,
  durationS: num('BENCH_DURATION', quick ? 2 : 12),
  rounds: Math.round(num('BENCH_ROUNDS', quick ? 1 : 3)),
  connections: num('BENCH_CONNECTIONS', 50),
  warmupS: num('BENCH_WARMUP', quick ? 1 : 3),
  rate: num('BENCH_RATE', 150),
  rateDurationS: num('BENCH_RATE_DURATION', quick ? 2 : 9),
  ttfbN: num('BENCH_TTFB_N', quick ? 30 : 300),
  streamChunks: 8,
  streamIntervalMs: 2,
  largePromptN: num('BENCH_LARGE_N', quick ? 5 : 30),
  targets: (process.env.BENCH_TARGETS ?? 'mock,bare,stack-routed,stack-pinned,stack-traced').split(',').map((s) => s.trim()),
};

const resultsDir = here('./results/');
const profileDir = here('./results/profiles/');
mkdirSync(resultsDir, { recursive: true });

// ---- CPU layout: the load generator (this process) on one core, servers + mock upstream on the other. ----
const cores = os.cpus().length;
let pinning = null;
function taskset(cpu, pid) {
  execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
}
if (process.env.BENCH_PIN !== '0' && cores >= 2) {
  try {
    taskset(cores - 1, process.pid);
    pinning = { loadGenerator: `cpu ${cores - 1}`, servers: 'cpu 0' };
  } catch {
    pinning = null; // no taskset: let the scheduler place the processes
  }
}

// ---- child processes ----
const children = new Set();
let statsSeq = 0;

function startChild(script, { env = {}, execArgv = [] } = {}) {
  const child = fork(here(script), [], {
    env: { ...process.env, ...env },
    execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start within 30 s`)), 30_000);
    child.on('message', function onMessage(msg) {
      if (msg?.type === 'ready') {
        clearTimeout(timer);
        child.off('message', onMessage);
        if (pinning) {
          try {
            taskset(0, child.pid);
          } catch {}
        }
        resolve({ child, url: msg.url, pid: child.pid, stats: () => childStats(child), stop: () => stopChild(child) });
      } else if (msg?.type === 'failed') {
        clearTimeout(timer);
        reject(new Error(`${script} failed to start:\n${indent(msg.message)}`));
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (${signal ?? code}) before it was ready`));
    });
  });
}

function childStats(child) {
  const id = ++statsSeq;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('stats timeout')), 5000);
    child.on('message', function onMessage(msg) {
      if (msg?.type === 'stats' && msg.id === id) {
        clearTimeout(timer);
        child.off('message', onMessage);
        resolve(msg.stats);
      }
    });
    child.send({ type: 'stats', id });
  });
}

function stopChild(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
    }, 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.send({ type: 'stop' });
  });
}

function cleanup() {
  for (const child of children) child.kill('SIGKILL');
}
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});

const indent = (s, pad = '    ') =>
  String(s)
    .split('\n')
    .map((l) => pad + l)
    .join('\n');
const _sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (...a) => console.log(...a);

// ---- the targets ----
const upstreamAuth = { authorization: 'Bearer sk-bench' };
// A client of the gateway sends its own key; the stack must swap in the provider credential (BENCH_KEY).
const clientAuth = { authorization: 'Bearer sk-client-of-the-gateway' };

const TARGETS = [
  {
    key: 'mock',
    label: 'upstream (mock, direct)',
    process: 'upstream',
    path: '/chat/completions', // the mock URL already ends in /v1
    model: ROUTED_EXPECTS,
    headers: upstreamAuth,
  },
  {
    key: 'bare',
    label: 'bare express+hpm forward',
    process: 'targets/bare.js',
    path: '/v1/chat/completions',
    model: ROUTED_EXPECTS,
    headers: upstreamAuth,
  },
  {
    key: 'stack-routed',
    label: 'switchyard, "smart" (rules)',
    process: 'targets/stack.js',
    path: '/v1/chat/completions',
    model: ROUTED_MODEL,
    headers: clientAuth,
    expect: { servedModel: ROUTED_EXPECTS },
  },
  {
    key: 'stack-traced',
    label: 'switchyard, "smart", OTLP spans',
    process: 'targets/stack.js',
    env: { BENCH_TRACING: '1' },
    path: '/v1/chat/completions',
    model: ROUTED_MODEL,
    headers: clientAuth,
    expect: { servedModel: ROUTED_EXPECTS },
  },
  {
    key: 'stack-pinned',
    label: 'switchyard, exact ID (pinned)',
    process: 'targets/stack.js',
    path: '/v1/chat/completions',
    model: PINNED_MODEL,
    headers: clientAuth,
    expect: { servedModel: PINNED_MODEL },
  },
].filter((t) => config.targets.includes(t.key));

/** CPU time of every core (ms busy), to see how much other processes on the machine used during a phase. */
function machineBusyMs() {
  let busy = 0;
  for (const c of os.cpus()) busy += c.times.user + c.times.nice + c.times.sys + c.times.irq;
  return busy;
}

/** Runs fn with CPU accounting: the server's own CPU and GC, and the CPU of processes outside the bench. */
async function accounted(server, upstream, fn) {
  const s0 = await server.stats();
  const u0 = server === upstream ? s0 : await upstream.stats();
  const p0 = process.cpuUsage();
  const m0 = machineBusyMs();
  const t0 = performance.now();
  const result = await fn();
  const wallS = (performance.now() - t0) / 1000;
  const m1 = machineBusyMs();
  const p1 = process.cpuUsage(p0);
  const s1 = await server.stats();
  const u1 = server === upstream ? s1 : await upstream.stats();
  const cpuMs = (a, b) => (b.cpuUserUs + b.cpuSystemUs - a.cpuUserUs - a.cpuSystemUs) / 1000;
  const serverMs = cpuMs(s0, s1);
  const upstreamMs = server === upstream ? 0 : cpuMs(u0, u1);
  const benchMs = serverMs + upstreamMs + (p1.user + p1.system) / 1000;
  return {
    result,
    cpu: {
      wallS,
      serverMs,
      upstreamMs,
      gcMs: s1.gcMs - s0.gcMs,
      gcCount: s1.gcCount - s0.gcCount,
      allocatedBytes: s1.allocatedBytes - s0.allocatedBytes,
      rss: s1.rss,
      heapUsed: s1.heapUsed,
      // os.cpus() ticks are 10 ms coarse; this is an indicator of a noisy machine, not an exact figure.
      otherProcessesCores: Math.max(0, (m1 - m0 - benchMs) / 1000 / wallS),
    },
  };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? null : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const sum = (xs) => xs.reduce((a, b) => a + b, 0);
/** Round r visits the targets in a rotated order, so no target always runs right after the same one. */
const rotated = (list, r) => list.map((_, i) => list[(i + r) % list.length]);

async function measureAll(live, upstream) {
  const R = config.rounds;

  log(`\n▶ warm-up: ${config.warmupS} s at ${config.connections} connections + 10 streamed requests per target`);
  for (const t of live) {
    const warm = await throughput(t.url, {
      body: t.body,
      headers: t.headers,
      connections: config.connections,
      durationS: config.warmupS,
    });
    t.out.warmup = { ok: warm.ok, rps: warm.rps, non2xx: warm.non2xx, errors: warm.errors + warm.timeouts };
    await streamTtfb(t.url, { body: t.streamBody, headers: t.headers, n: 0, warmup: 10 });
    log(`  ${t.label}: ${fmt(warm.rps, 0)} req/s`);
  }

  const perRound = config.durationS / R;
  log(
    `\n▶ throughput: autocannon, ${config.connections} connections, ${R} rounds × ${fmt(perRound, 1)} s per target, interleaved`,
  );
  for (const t of live) t.acc = { lat: new Samples(1 << 18), rounds: [] };
  for (let r = 0; r < R; r++) {
    for (const t of rotated(live, r)) {
      const { result, cpu } = await accounted(t.server, upstream, () =>
        throughput(t.url, {
          body: t.body,
          headers: t.headers,
          connections: config.connections,
          durationS: perRound,
          latencies: t.acc.lat,
        }),
      );
      t.acc.rounds.push({ ...result, latency: undefined, cpu });
      log(
        `  round ${r + 1} ${t.label.padEnd(30)} ${fmt(result.rps, 0).padStart(7)} req/s  non-2xx ${result.non2xx}  errors ${result.errors + result.timeouts}  other procs ${fmt(cpu.otherProcessesCores * 100, 0)}% of a core`,
      );
    }
  }
  for (const t of live) {
    const rounds = t.acc.rounds;
    const ok = sum(rounds.map((x) => x.ok));
    const rpsRounds = rounds.map((x) => x.rps);
    const cpu = rounds.map((x) => x.cpu);
    t.out.throughput = {
      connections: config.connections,
      durationS: sum(rounds.map((x) => x.durationS)),
      rounds: rounds.length,
      rps: median(rpsRounds),
      rpsRounds,
      ok,
      requests: sum(rounds.map((x) => x.requests)),
      non2xx: sum(rounds.map((x) => x.non2xx)),
      errors: sum(rounds.map((x) => x.errors)),
      timeouts: sum(rounds.map((x) => x.timeouts)),
      statusCodes: rounds.map((x) => x.statusCodes),
      latency: t.acc.lat.summary(),
    };
    const okSafe = Math.max(1, ok);
    const wallS = sum(cpu.map((c) => c.wallS));
    t.out.process = {
      cpuMsPerReq: sum(cpu.map((c) => c.serverMs)) / okSafe,
      cpuUtilisation: sum(cpu.map((c) => c.serverMs)) / 1000 / wallS,
      upstreamCpuMsPerReq: t.key === 'mock' ? null : sum(cpu.map((c) => c.upstreamMs)) / okSafe,
      gcMsPer1kReq: (sum(cpu.map((c) => c.gcMs)) / okSafe) * 1000,
      gcCount: sum(cpu.map((c) => c.gcCount)),
      kbAllocatedPerReq: sum(cpu.map((c) => c.allocatedBytes)) / okSafe / 1024,
      rssMB: Math.max(...cpu.map((c) => c.rss)) / 2 ** 20,
      heapUsedMB: cpu.at(-1).heapUsed / 2 ** 20,
      otherProcessesCores: sum(cpu.map((c) => c.otherProcessesCores * c.wallS)) / wallS,
    };
  }

  const rateSlice = config.rateDurationS / R;
  log(`\n▶ fixed rate: ${config.rate} req/s open loop, ${R} rounds × ${fmt(rateSlice, 1)} s per target, interleaved`);
  for (const t of live) t.acc.rate = { lat: new Samples(), runs: [] };
  for (let r = 0; r < R; r++) {
    for (const t of rotated(live, r)) {
      t.acc.rate.runs.push(
        await fixedRate(t.url, {
          body: t.body,
          headers: t.headers,
          rate: config.rate,
          durationS: rateSlice,
          latencies: t.acc.rate.lat,
        }),
      );
    }
  }
  for (const t of live) {
    const runs = t.acc.rate.runs;
    t.out.fixedRate = {
      rate: config.rate,
      durationS: sum(runs.map((x) => x.durationS)),
      requests: sum(runs.map((x) => x.requests)),
      achievedRps: median(runs.map((x) => x.achievedRps)),
      non2xx: sum(runs.map((x) => x.non2xx)),
      errors: sum(runs.map((x) => x.errors)),
      latency: t.acc.rate.lat.summary(),
    };
    log(`  ${t.label.padEnd(30)} p50 ${fmt(t.out.fixedRate.latency.p50)} ms  p99 ${fmt(t.out.fixedRate.latency.p99)} ms`);
  }

  const nSlice = Math.max(1, Math.round(config.ttfbN / R));
  log(`\n▶ streaming TTFB: ${R} rounds × ${nSlice} sequential streamed requests per target, interleaved`);
  for (const t of live) t.acc.stream = { ttfb: new Samples(), total: new Samples(), runs: [] };
  for (let r = 0; r < R; r++) {
    for (const t of rotated(live, r)) {
      const a = t.acc.stream;
      a.runs.push(
        await streamTtfb(t.url, { body: t.streamBody, headers: t.headers, n: nSlice, warmup: 2, ttfb: a.ttfb, total: a.total }),
      );
    }
  }
  for (const t of live) {
    const a = t.acc.stream;
    const events = sum(a.runs.map((x) => x.dataEvents));
    t.out.stream = {
      n: sum(a.runs.map((x) => x.n)),
      non2xx: sum(a.runs.map((x) => x.non2xx)),
      errors: sum(a.runs.map((x) => x.errors)),
      ttfb: a.ttfb.summary(),
      total: a.total.summary(),
      dataEventsPerStream: a.ttfb.length ? events / a.ttfb.length : null,
    };
    log(
      `  ${t.label.padEnd(30)} TTFB p50 ${fmt(t.out.stream.ttfb.p50)} ms  p99 ${fmt(t.out.stream.ttfb.p99)} ms  whole stream p50 ${fmt(t.out.stream.total.p50)} ms`,
    );
  }
}

/**
 * A ~400 KB prompt, sent one at a time: what the stack adds when a rule (`input_tokens > 100000`) needs
 * the prompt's exact token count, against the bare forward of the same bytes.
 */
async function measureLargePrompt(live) {
  const targets = live.filter((t) => t.key === 'bare' || t.key === 'stack-routed' || t.key === 'mock');
  if (targets.length === 0) return;
  log(`\n▶ large prompt: ${config.largePromptN} sequential ~400 KB requests per target, interleaved`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  for (const t of targets) t.acc.large = { lat: new Samples(), non2xx: 0, errors: 0 };
  const body = (t) => largeChatBody(t.model);
  for (let i = 0; i < config.largePromptN + 2; i++) {
    for (const t of rotated(targets, i)) {
      try {
        const res = await request(t.url, { body: body(t), headers: t.headers, agent, timeoutMs: 30_000 });
        if (res.status < 200 || res.status > 299) t.acc.large.non2xx += 1;
        else if (i >= 2) t.acc.large.lat.push(res.totalMs); // the first two warm the tokenizer and its worker
      } catch (error) {
        t.acc.large.errors += 1;
        if (t.acc.large.errors === 1) log(`  ${t.label}: ${error?.message ?? error}`);
      }
    }
  }
  agent.destroy();
  for (const t of targets) {
    t.out.largePrompt = {
      bytes: Buffer.byteLength(body(t)),
      n: t.acc.large.lat.length,
      non2xx: t.acc.large.non2xx,
      errors: t.acc.large.errors,
      latency: t.acc.large.lat.summary(),
    };
    log(`  ${t.label.padEnd(30)} p50 ${fmt(t.out.largePrompt.latency.p50)} ms  p99 ${fmt(t.out.largePrompt.latency.p99)} ms`);
  }
}

// ---- formatting ----
function fmt(v, digits = 2) {
  if (v == null || Number.isNaN(v)) return '—';
  return digits === 0 ? Math.round(v).toLocaleString('en-US') : v.toFixed(digits);
}
const signed = (v, digits = 2) => (v == null || Number.isNaN(v) ? '—' : `${v >= 0 ? '+' : ''}${v.toFixed(digits)}`);

function table(headers, rows, align) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) =>
    cells.map((c, i) => (align[i] === 'l' ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function report(results, machine) {
  const r = results.targets;
  const mock = r.mock;
  const bare = r.bare;
  const lines = [];
  lines.push('');
  lines.push('='.repeat(100));
  lines.push(`Switchyard bench — ${machine.date}${config.quick ? '  (QUICK smoke run: figures are indicative only)' : ''}`);
  lines.push(
    `machine: ${machine.cpu}, ${machine.cores} cores, node ${machine.node}, ${machine.platform}, load avg ${machine.loadavg.join(' / ')}`,
  );
  lines.push(
    `layout: load generator (autocannon) in the parent process${pinning ? ` on ${pinning.loadGenerator}` : ''}; ` +
      `mock upstream and server under test each in their own process${pinning ? ` on ${pinning.servers}` : ' (unpinned)'}`,
  );
  lines.push(
    `request: POST …/chat/completions, ${r[Object.keys(r)[0]]?.bodyBytes ?? '?'}-byte JSON body; stream: ${config.streamChunks} deltas ${config.streamIntervalMs} ms apart`,
  );
  if (config.cpuProf)
    lines.push(`NOTE: targets/${config.cpuProf}.js ran under --cpu-prof: its figures are slowed by the profiler.`);
  lines.push('');

  const keys = Object.keys(r);
  lines.push(
    `Throughput — autocannon, ${config.connections} connections, ${config.rounds} interleaved round(s), ${config.durationS} s per target in all; ` +
      'req/s is the median of the rounds, latency is under saturation',
  );
  lines.push(
    table(
      [
        'target',
        'req/s',
        'rounds min–max',
        'p50 ms',
        'p99 ms',
        'errors',
        'non-2xx',
        'x bare',
        'CPU ms/req',
        'KB alloc/req',
        'GC ms/1k req',
        'RSS MB',
        'other procs',
      ],
      keys.map((k) => {
        const t = r[k];
        if (t.error) return [t.label, 'FAILED', '', '', '', '', '', '', '', '', '', '', ''];
        const rounds = t.throughput.rpsRounds;
        return [
          t.label,
          fmt(t.throughput.rps, 0),
          `${fmt(Math.min(...rounds), 0)}–${fmt(Math.max(...rounds), 0)}`,
          fmt(t.throughput.latency.p50),
          fmt(t.throughput.latency.p99),
          t.throughput.errors + t.throughput.timeouts,
          t.throughput.non2xx,
          bare && !bare.error ? fmt(t.throughput.rps / bare.throughput.rps) : '—',
          fmt(t.process.cpuMsPerReq, 3),
          fmt(t.process.kbAllocatedPerReq, 1),
          fmt(t.process.gcMsPer1kReq, 1),
          fmt(t.process.rssMB, 0),
          `${fmt(t.process.otherProcessesCores * 100, 0)}%`,
        ];
      }),
      ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
  );
  lines.push('  CPU ms/req: CPU time of the server process only (not the upstream) per 2xx response. KB alloc/req: V8 heap');
  lines.push("  bytes the server allocated per 2xx response (from its GCs' before/after figures). other procs: CPU used by");
  lines.push('  processes outside the bench during the runs, in % of one core (a shared machine makes every figure noisier).');
  lines.push('');
  lines.push(
    `Latency at a fixed ${config.rate} req/s — open loop, evenly spaced, ${config.rateDurationS} s per target; added = this target minus the reference`,
  );
  const d = (t, ref, f) => (ref && !ref.error && t && !t.error ? signed(f(t) - f(ref)) : '—');
  lines.push(
    table(
      ['target', 'p50 ms', 'p99 ms', 'added p50 / p99 vs upstream', 'vs bare p50 / p99', 'errors/non-2xx'],
      keys.map((k) => {
        const t = r[k];
        if (t.error) return [t.label, 'FAILED', '', '', '', ''];
        const p50 = (x) => x.fixedRate.latency.p50;
        const p99 = (x) => x.fixedRate.latency.p99;
        return [
          t.label,
          fmt(p50(t)),
          fmt(p99(t)),
          k === 'mock' ? '—' : `${d(t, mock, p50)} / ${d(t, mock, p99)}`,
          k === 'mock' || k === 'bare' ? '—' : `${d(t, bare, p50)} / ${d(t, bare, p99)}`,
          `${t.fixedRate.errors}/${t.fixedRate.non2xx}`,
        ];
      }),
      ['l', 'r', 'r', 'r', 'r', 'r'],
    ),
  );
  lines.push('');
  lines.push(`Streaming — ${config.ttfbN} sequential streamed requests per target (stream: true), time to first body byte`);
  lines.push(
    table(
      [
        'target',
        'TTFB p50',
        'TTFB p99',
        'added TTFB p50 / p99 vs upstream',
        'vs bare p50',
        'stream total p50',
        'reads/stream',
        'errors/non-2xx',
      ],
      keys.map((k) => {
        const t = r[k];
        if (t.error) return [t.label, 'FAILED', '', '', '', '', '', ''];
        const p50 = (x) => x.stream.ttfb.p50;
        const p99 = (x) => x.stream.ttfb.p99;
        return [
          t.label,
          fmt(p50(t)),
          fmt(p99(t)),
          k === 'mock' ? '—' : `${d(t, mock, p50)} / ${d(t, mock, p99)}`,
          k === 'mock' || k === 'bare' ? '—' : d(t, bare, p50),
          fmt(t.stream.total.p50),
          fmt(t.stream.dataEventsPerStream, 1),
          `${t.stream.errors}/${t.stream.non2xx}`,
        ];
      }),
      ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
  );
  lines.push('');
  const large = keys.filter((k) => r[k].largePrompt);
  if (large.length > 0) {
    const bytes = r[large[0]].largePrompt.bytes;
    lines.push(
      `Large prompt — ${config.largePromptN} sequential requests per target with a ${fmt(bytes / 1024, 0)} KB prompt; the stack counts its tokens exactly (input_tokens > 100000), off the event loop`,
    );
    lines.push(
      table(
        ['target', 'p50 ms', 'p99 ms', 'added p50 vs bare', 'errors/non-2xx'],
        large.map((k) => {
          const t = r[k];
          const p50 = (x) => x.largePrompt.latency.p50;
          return [
            t.label,
            fmt(p50(t)),
            fmt(t.largePrompt.latency.p99),
            k === 'bare' || k === 'mock' || !r.bare?.largePrompt ? '—' : d(t, bare, p50),
            `${t.largePrompt.errors}/${t.largePrompt.non2xx}`,
          ];
        }),
        ['l', 'r', 'r', 'r', 'r'],
      ),
    );
    const traced = r['stack-traced'];
    const untraced = r['stack-routed'];
    if (traced && !traced.error && untraced && !untraced.error) {
      lines.push('');
      lines.push(
        `Tracing — the routed stack exporting every span over OTLP/HTTP (batch processor, 100 % sampled): ${fmt(traced.throughput.rps / untraced.throughput.rps)}× the untraced req/s, ${fmt(traced.process.cpuMsPerReq / untraced.process.cpuMsPerReq)}× its CPU per request`,
      );
    }
    lines.push('');
  }
  for (const w of results.warnings ?? []) lines.push(`WARNING: ${w}`);
  if (results.problems.length > 0) {
    lines.push('!'.repeat(100));
    lines.push('!!! INVALID RUN — the figures above do not count:');
    for (const p of results.problems) lines.push(`!!!   ${p}`);
    lines.push('!'.repeat(100));
  } else {
    lines.push('valid run: every measured response was 2xx, no socket errors or timeouts.');
  }
  lines.push('='.repeat(100));
  return lines.join('\n');
}

// ---- main ----
async function main() {
  const machine = {
    cpu: os.cpus()[0]?.model?.trim() ?? 'unknown',
    cores,
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    date: new Date().toISOString(),
    loadavg: os.loadavg().map((v) => Number(v.toFixed(2))),
    totalMemGB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    pinning,
  };
  log(
    `Switchyard bench${quick ? ' (quick)' : ''}: ${machine.cpu}, ${cores} cores, node ${machine.node}, load avg ${machine.loadavg.join(' ')}`,
  );
  log(`config: ${JSON.stringify({ ...config, targets: config.targets.join(',') })}`);
  if (machine.loadavg[0] > cores * 0.5)
    log(`WARNING: load average ${machine.loadavg[0]} on ${cores} cores: other work is running, figures will be noisy.`);

  const results = { machine, config, targets: {}, problems: [] };
  const upstream = await startChild('targets/mock.js', {
    env: { MOCK_STREAM_CHUNKS: String(config.streamChunks), MOCK_STREAM_INTERVAL_MS: String(config.streamIntervalMs) },
  });
  log(`mock upstream: ${upstream.url} (pid ${upstream.pid})`);
  results.upstreamUrl = upstream.url;

  const profileStart = Date.now();
  const servers = new Map([['upstream', upstream]]);
  try {
    // Start every server under test once (each its own process; idle ones cost nothing), verify every target.
    const live = [];
    for (const target of TARGETS) {
      try {
        // One process per script and environment: the traced stack is a process of its own.
        const serverKey = `${target.process}${target.env ? ` ${JSON.stringify(target.env)}` : ''}`;
        let server = servers.get(serverKey);
        if (!server) {
          const execArgv =
            cpuProf && target.process === `targets/${cpuProf}.js` && !target.env
              ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]
              : [];
          server = await startChild(target.process, { env: { UPSTREAM_URL: upstream.url, ...target.env }, execArgv });
          servers.set(serverKey, server);
          log(`${serverKey}: ${server.url} (pid ${server.pid})`);
        }
        const url = server.url + target.path;
        const body = chatBody(target.model);
        const streamBody = chatBody(target.model, { stream: true });
        const out = { label: target.label, url, model: target.model, bodyBytes: Buffer.byteLength(body) };
        out.verified = await verify(url, { body, streamBody, headers: target.headers, expect: target.expect });
        log(`verified ${target.key}: ${JSON.stringify(out.verified)}`);
        results.targets[target.key] = out;
        live.push({ ...target, server, url, body, streamBody, out });
      } catch (error) {
        const message = error?.message ?? String(error);
        results.targets[target.key] = { label: target.label, error: message };
        results.problems.push(`${target.key}: ${message.split('\n')[0]}`);
        log(`\n!!! ${target.label}: ${message}\n`);
      }
    }
    if (live.length > 0) {
      await measureAll(live, upstream);
      await measureLargePrompt(live);
    }
    for (const [script, server] of servers) {
      const { warnings } = await server.stats();
      for (const w of new Set(warnings))
        (results.warnings ??= []).push(`${script === 'upstream' ? 'targets/mock.js' : script} emitted ${w}`);
    }
  } finally {
    for (const server of servers.values()) await server.stop();
  }

  for (const [key, t] of Object.entries(results.targets)) {
    if (t.error) continue;
    const bad = [
      ['throughput', t.throughput.non2xx, t.throughput.errors + t.throughput.timeouts],
      ['fixed rate', t.fixedRate.non2xx, t.fixedRate.errors],
      ['stream', t.stream.non2xx, t.stream.errors],
    ];
    for (const [phase, non2xx, errors] of bad) {
      if (non2xx > 0 || errors > 0) {
        const codes = phase === 'throughput' ? ` (status codes ${JSON.stringify(t.throughput.statusCodes)})` : '';
        results.problems.push(`${key} ${phase}: ${non2xx} non-2xx, ${errors} errors/timeouts${codes}`);
      }
    }
    if (t.largePrompt && (t.largePrompt.non2xx > 0 || t.largePrompt.errors > 0))
      results.problems.push(`${key} large prompt: ${t.largePrompt.non2xx} non-2xx, ${t.largePrompt.errors} errors`);
    if (t.warmup.non2xx > 0 || t.warmup.errors > 0)
      results.problems.push(`${key} warm-up: ${t.warmup.non2xx} non-2xx, ${t.warmup.errors} errors`);
  }

  // Ratios vs the bare forward, for the JSON (the table shows the same).
  const { mock, bare } = results.targets;
  results.comparisons = {};
  for (const [key, t] of Object.entries(results.targets)) {
    if (t.error || key === 'mock') continue;
    const c = {};
    if (bare && !bare.error) {
      c.throughputVsBare = round(t.throughput.rps / bare.throughput.rps, 3);
      c.cpuPerReqVsBare = round(t.process.cpuMsPerReq / bare.process.cpuMsPerReq, 3);
      c.addedP50VsBareMs = round(t.fixedRate.latency.p50 - bare.fixedRate.latency.p50, 3);
      c.addedP99VsBareMs = round(t.fixedRate.latency.p99 - bare.fixedRate.latency.p99, 3);
      c.addedTtfbP50VsBareMs = round(t.stream.ttfb.p50 - bare.stream.ttfb.p50, 3);
    }
    if (mock && !mock.error) {
      c.addedP50VsUpstreamMs = round(t.fixedRate.latency.p50 - mock.fixedRate.latency.p50, 3);
      c.addedP99VsUpstreamMs = round(t.fixedRate.latency.p99 - mock.fixedRate.latency.p99, 3);
      c.addedTtfbP50VsUpstreamMs = round(t.stream.ttfb.p50 - mock.stream.ttfb.p50, 3);
      c.addedTtfbP99VsUpstreamMs = round(t.stream.ttfb.p99 - mock.stream.ttfb.p99, 3);
    }
    results.comparisons[key] = c;
  }
  results.valid = results.problems.length === 0;
  const noisy = Object.values(results.targets).some((t) => !t.error && t.process.otherProcessesCores > 0.15);
  if (noisy)
    (results.warnings ??= []).push('other processes used more than 15% of a core during the throughput runs: figures are noisy');

  const text = report(results, machine);
  log(text);

  if (cpuProf) {
    const files = readdirSync(profileDir)
      .filter((f) => f.endsWith('.cpuprofile'))
      .map((f) => profileDir + f)
      .filter((f) => statSync(f).mtimeMs >= profileStart);
    const latest = files.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
    if (latest) {
      log(`\nCPU profile of targets/${cpuProf}.js: ${latest}`);
      const summary = summarise(JSON.parse(readFileSync(latest, 'utf8')), 15);
      printSummary(summary, log);
      results.cpuProfile = { file: latest, ...summary };
    } else log(`\n(no CPU profile was written for targets/${cpuProf}.js)`);
  }

  results.table = text;
  const json = `${JSON.stringify(results, null, 2)}\n`;
  const stamp = machine.date.replace(/[:.]/g, '-');
  const kind = quick ? '-quick' : '';
  writeFileSync(here('./results/latest.json'), json);
  writeFileSync(here(`./results/${stamp}${kind}${cpuProf ? '-cpuprof' : ''}.json`), json); // kept: a later run overwrites latest.json
  log(`\nresults: bench/results/latest.json (and bench/results/${stamp}${kind}${cpuProf ? '-cpuprof' : ''}.json)`);
  process.exitCode = results.valid ? 0 : 1;
}

main().catch((error) => {
  console.error(error);
  cleanup();
  process.exit(1);
});
