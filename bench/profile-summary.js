#!/usr/bin/env node
// Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time per function, and the top functions
// of Switchyard's own code (packages/*). Usage: node bench/profile-summary.js FILE.cpuprofile [topN]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Where a profile node's code comes from: a Switchyard package, an npm dependency, node itself, or V8. */
export function origin(url) {
  if (!url) return 'native (V8, C++ bindings, GC)';
  if (url.startsWith('node:')) return 'node';
  const path = url.startsWith('file://') ? decodeURIComponent(new URL(url).pathname) : url;
  const nm = path.lastIndexOf('/node_modules/');
  if (nm !== -1) {
    const rest = path.slice(nm + '/node_modules/'.length).split('/');
    return `npm:${rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  const pkg = path.match(/\/packages\/([^/]+)\//);
  if (pkg) return `switchyard:${pkg[1]}`;
  if (path.includes('/bench/')) return 'bench';
  return 'other';
}

export function summarise(profile, topN = 15) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const fns = new Map();
  const origins = new Map();
  let totalUs = 0;
  let idleUs = 0;
  for (const [id, us] of selfUs) {
    const { callFrame: cf } = byId.get(id);
    totalUs += us;
    if (cf.functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    const from = origin(cf.url);
    const file = cf.url ? cf.url.replace(/^file:\/\/\/work\/main\//, '').replace(/^file:\/\//, '') : '';
    const key = `${cf.functionName || '(anonymous)'}\t${file}:${cf.lineNumber + 1}`;
    const entry = fns.get(key) ?? {
      fn: cf.functionName || '(anonymous)',
      where: `${file}:${cf.lineNumber + 1}`,
      origin: from,
      us: 0,
    };
    entry.us += us;
    fns.set(key, entry);
    origins.set(from, (origins.get(from) ?? 0) + us);
  }
  // Inclusive time: every function on a sample's stack gets the sample's time once (recursion counted once).
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inclusive = new Map();
  const keyOf = (cf) => `${cf.functionName || '(anonymous)'}\t${cf.url}:${cf.lineNumber}`;
  for (let i = 0; i < profile.samples.length; i++) {
    const us = profile.timeDeltas[i] ?? 0;
    const seen = new Set();
    for (let id = profile.samples[i]; id !== undefined; id = parent.get(id)) {
      const cf = byId.get(id).callFrame;
      if (cf.functionName === '(idle)' || cf.functionName === '(root)') continue;
      if (!cf.url || seen.has(keyOf(cf))) continue;
      seen.add(keyOf(cf));
      const e = inclusive.get(keyOf(cf)) ?? {
        fn: cf.functionName || '(anonymous)',
        where: `${cf.url.replace(/^file:\/\/\/work\/main\//, '')}:${cf.lineNumber + 1}`,
        origin: origin(cf.url),
        us: 0,
      };
      e.us += us;
      inclusive.set(keyOf(cf), e);
    }
  }
  const busyUs = totalUs - idleUs;
  const pct = (us) => Number(((100 * us) / busyUs).toFixed(2));
  const all = [...fns.values()].sort((a, b) => b.us - a.us);
  const row = (e) => ({
    fn: e.fn,
    where: e.where,
    origin: e.origin,
    selfMs: Number((e.us / 1000).toFixed(1)),
    pctOfBusy: pct(e.us),
  });
  return {
    busyMs: Number((busyUs / 1000).toFixed(0)),
    idleMs: Number((idleUs / 1000).toFixed(0)),
    byOrigin: [...origins.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([o, us]) => ({ origin: o, selfMs: Number((us / 1000).toFixed(1)), pctOfBusy: pct(us) })),
    top: all.slice(0, topN).map(row),
    topSwitchyard: all
      .filter((e) => e.origin.startsWith('switchyard:'))
      .slice(0, topN)
      .map(row),
    topSwitchyardInclusive: [...inclusive.values()]
      .filter((e) => e.origin.startsWith('switchyard:'))
      .sort((a, b) => b.us - a.us)
      .slice(0, topN)
      .map(row),
  };
}

export function printSummary(s, log = console.log) {
  log(`  busy ${s.busyMs} ms (idle ${s.idleMs} ms). Self time by origin:`);
  for (const o of s.byOrigin.slice(0, 12)) log(`    ${o.pctOfBusy.toFixed(1).padStart(5)}%  ${o.origin}`);
  log('  Top self-time functions, all code:');
  for (const e of s.top) log(`    ${e.pctOfBusy.toFixed(1).padStart(5)}%  ${e.fn}  (${e.origin}, ${e.where})`);
  log("  Top self-time functions, Switchyard's own code:");
  if (s.topSwitchyard.length === 0) log('    (none sampled)');
  for (const e of s.topSwitchyard) log(`    ${e.pctOfBusy.toFixed(2).padStart(5)}%  ${e.fn}  (${e.where})`);
  log("  Switchyard's own functions by inclusive time (self + callees, any code):");
  for (const e of s.topSwitchyardInclusive ?? []) log(`    ${e.pctOfBusy.toFixed(2).padStart(5)}%  ${e.fn}  (${e.where})`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node bench/profile-summary.js FILE.cpuprofile [topN]');
    process.exit(2);
  }
  printSummary(summarise(JSON.parse(readFileSync(file, 'utf8')), Number(process.argv[3] ?? 15)));
}
