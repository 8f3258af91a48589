#!/usr/bin/env node
// Switchyard soak: minutes of mixed traffic through the whole stack (in its own process) against mock providers
// with faults, then a check that memory and sockets came back to where they were. See bench/README.md.
//
//   npm run soak                      3 minutes after a 20 s warm-up (builds the packages first)
//   SOAK_DURATION_S=30 node bench/soak.js   a shorter run, without rebuilding
//
// Env: SOAK_DURATION_S (180), SOAK_WARMUP_S (20), SOAK_CONCURRENCY (16), SOAK_RSS_SLACK_MB (10), SOAK_QUIET_MS (7000),
//      SOAK_SERIES=1 (also print every sample taken under load).
// Exit code 1 when RSS or sockets are not flat at the end, or when some call did not end as its scenario must.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startMockProvider } from '@switchyard/mock-provider';
import { Outcomes, traffic, UPSTREAM_KEY } from './lib/soak-traffic.js';

const num = (name, fallback) => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const v = Number(raw);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return v;
};

async function orchestrate() {
  const config = {
    durationS: num('SOAK_DURATION_S', 180),
    warmupS: num('SOAK_WARMUP_S', 20),
    concurrency: Math.round(num('SOAK_CONCURRENCY', 16)),
    rssSlackMb: num('SOAK_RSS_SLACK_MB', 10),
    quietMs: num('SOAK_QUIET_MS', 7000),
  };
  const common = { port: 0, apiKeys: [UPSTREAM_KEY], recordCalls: false };
  const [healthy, flaky] = await Promise.all([
    startMockProvider({ ...common, script: { '*': { chunks: 6, chunkIntervalMs: 5 } } }),
    startMockProvider({ ...common, script: { '*': { status: 503 } } }),
  ]);
  const child = fork(fileURLToPath(new URL('./lib/soak-gateway.js', import.meta.url)), [], {
    env: { ...process.env, HEALTHY_URL: healthy.url, FLAKY_URL: flaky.url },
    execArgv: ['--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`the gateway exited with ${code} before it was ready`)));
  });
  const url = ready.url;
  let seq = 0;
  const stats = (gc = false) =>
    new Promise((resolve) => {
      const id = ++seq;
      const onMessage = (msg) => {
        if (msg?.type === 'stats' && msg.id === id) {
          child.off('message', onMessage);
          resolve(msg.stats);
        }
      };
      child.on('message', onMessage);
      child.send({ type: 'stats', id, gc });
    });

  console.log(`soak: ${config.warmupS} s warm-up, then ${config.durationS} s of mixed traffic, ${config.concurrency} clients`);
  const samples = { start: await stats(true) };
  const outcomes = new Outcomes();

  await traffic(url, config.warmupS * 1000, config.concurrency, outcomes, () => {});
  await sleep(config.quietMs);
  samples.warm = await stats(true);

  const peak = { ...samples.warm, live: liveOf(samples.warm), gcs: 0 };
  const during = [];
  await traffic(url, config.durationS * 1000, config.concurrency, outcomes, async () => {
    const s = await stats();
    during.push(s);
    for (const k of Object.keys(s)) peak[k] = Math.max(peak[k], s[k]);
    peak.live = Math.max(peak.live, liveOf(s));
  });
  samples.peak = peak;
  await sleep(config.quietMs);
  samples.end = await stats(true);

  child.disconnect();
  await Promise.all([healthy.close(), flaky.close()]);

  report(samples, outcomes, during.length);
  if (process.env.SOAK_SERIES === '1') {
    for (const [i, s] of during.entries()) {
      console.log(
        `  t=${2 * (i + 1)}s rss=${(s.rss / MB).toFixed(1)} heapTotal=${(s.heapTotal / MB).toFixed(1)} heapUsed=${(s.heapUsed / MB).toFixed(1)} external=${(s.external / MB).toFixed(1)}`,
      );
    }
  }
  const verdict = judge(samples, outcomes, config);
  for (const line of verdict.lines) console.log(line);
  process.exit(verdict.ok ? 0 : 1);
}

const MB = 1024 * 1024;

function report(samples, outcomes, sampleCount) {
  console.log('\ncalls (by how they ended)');
  for (const [name, row] of outcomes.counts) {
    const statuses = [...row.statuses].map(([s, n]) => `${s}×${n}`).join(' ');
    console.log(`  ${name.padEnd(16)} ${String(row.calls).padStart(7)}  ${statuses}`);
  }
  const total = [...outcomes.counts.values()].reduce((sum, r) => sum + r.calls, 0);
  console.log(`  ${'total'.padEnd(16)} ${String(total).padStart(7)}`);
  console.log(
    `\ngateway process (peak: the highest of ${sampleCount} samples under load; start, warm and end: settled, after GC)`,
  );
  console.log('                   RSS MB  heap used  heap total  RSS − free heap  server sockets  upstream sockets  handles');
  const mb = (bytes, width) => (bytes / MB).toFixed(1).padStart(width);
  for (const [label, s] of Object.entries(samples)) {
    console.log(
      `  ${(s.gcs ? `${label} (${s.gcs} GC)` : label).padEnd(14)} ${mb(s.rss, 8)} ${mb(s.heapUsed, 10)} ${mb(s.heapTotal, 11)} ${mb(s.live ?? liveOf(s), 16)} ${String(s.serverSockets).padStart(15)} ${String(s.upstreamSockets).padStart(17)} ${String(s.handles).padStart(8)}`,
    );
  }
}

/**
 * RSS less the part of V8's heap that is reserved but free: what the process holds alive, native memory
 * included. Raw RSS after a busy minute stays high for a while (V8 hands heap pages back a few per GC, over
 * tens of seconds) without anything leaking; this figure does not wait for that.
 */
function liveOf(s) {
  return s.rss - (s.heapTotal - s.heapUsed);
}

/**
 * Flat: at the end (after the same quiet period and full GCs as the post-warm-up sample), RSS, RSS less V8's
 * free heap, and the heap in use each within SOAK_RSS_SLACK_MB of the post-warm-up figure, no server socket left
 * once the clients are gone, no more upstream sockets than after the warm-up (the agents' idle pool), no more
 * active handles, and every call ended as its scenario must.
 */
function judge({ warm, end }, outcomes, config) {
  const lines = ['\nverdict'];
  let ok = true;
  const check = (pass, text) => {
    lines.push(`  ${pass ? 'ok  ' : 'FAIL'} ${text}`);
    ok &&= pass;
  };
  const sign = (n) => `${n >= 0 ? '+' : ''}${n.toFixed(1)}`;
  const rssGrew = (end.rss - warm.rss) / MB;
  check(rssGrew <= config.rssSlackMb, `RSS ${sign(rssGrew)} MB since the warm-up (allowed: ${config.rssSlackMb} MB)`);
  const grew = (liveOf(end) - liveOf(warm)) / MB;
  check(
    grew <= config.rssSlackMb,
    `RSS less V8's free heap ${sign(grew)} MB since the warm-up (allowed: ${config.rssSlackMb} MB)`,
  );
  const heapGrew = (end.heapUsed - warm.heapUsed) / MB;
  check(heapGrew <= config.rssSlackMb, `heap in use ${sign(heapGrew)} MB since the warm-up (allowed: ${config.rssSlackMb} MB)`);
  check(end.serverSockets === 0, `server sockets at the end: ${end.serverSockets} (allowed: 0, every client is gone)`);
  check(
    end.upstreamSockets <= warm.upstreamSockets,
    `upstream sockets at the end: ${end.upstreamSockets} (allowed: ${warm.upstreamSockets}, the idle pool after the warm-up)`,
  );
  check(end.handles <= warm.handles, `active handles at the end: ${end.handles} (after the warm-up: ${warm.handles})`);
  const bad = outcomes.unexpectedCount;
  check(bad === 0, `calls that did not end as their scenario must: ${bad}`);
  for (const u of outcomes.unexpected) lines.push(`       ${u}`);
  return { ok, lines };
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

await orchestrate();
