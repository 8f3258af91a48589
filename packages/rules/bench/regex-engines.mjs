#!/usr/bin/env node
// Compares the RE2 engines we could put behind CEL's matches(): re2js (pure JS, our dependency) and the
// native `re2` binding (not a dependency: install it by hand to compare), with V8's RegExp as the
// baseline. Rule shapes: a pattern compiled once and tested (unanchored, as CEL's matches() does)
// against a short and a 4 KB string; and the pathological ^(a+)+$ on "a"×n + "!". A few seconds in all.
//   node packages/rules/bench/regex-engines.mjs
//   (native too: cd /tmp/x && npm i re2@1.23.3 && NODE_PATH=/tmp/x/node_modules node …/regex-engines.mjs)
import { createRequire } from 'node:module';
import { RE2JS } from 're2js';

const require = createRequire(import.meta.url);
const RUNS = 5;

const engines = { re2js: (p) => RE2JS.compile(p), regexp: (p) => new RegExp(p) };
try {
  const RE2 = require('re2');
  engines.re2 = (p) => new RE2(p);
} catch {
  console.log('native re2 not installed: comparing re2js with RegExp only');
}

const PATTERNS = {
  keyword: '\\b(urgent|asap|critical)\\b',
  id: '^[a-z][a-z0-9-]{2,40}$',
  prefix: '^(translate|summari[sz]e):',
};
const short = 'please summarize: the meeting notes of tuesday';
const long = `${'lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(72)}ok`.slice(0, 4096);

/** Median over RUNS of the mean time of one call (µs), after a warm-up. */
function perCall(fn, iterations) {
  for (let i = 0; i < iterations; i++) fn();
  const runs = [];
  for (let r = 0; r < RUNS; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) fn();
    runs.push(Number(process.hrtime.bigint() - start) / 1000 / iterations);
  }
  return runs.sort((a, b) => a - b)[RUNS >> 1];
}

const fmt = (us) => (us < 10 ? us.toFixed(2) : us.toFixed(0));
for (const [name, make] of Object.entries(engines)) {
  const compile = perCall(() => make(PATTERNS.keyword), 2000);
  const cells = [`compile ${fmt(compile)} µs`];
  for (const [shape, pattern] of Object.entries(PATTERNS)) {
    const re = make(pattern);
    cells.push(
      `${shape}: short ${fmt(perCall(() => re.test(short), 20000))} µs, 4KB ${fmt(perCall(() => re.test(long), 2000))} µs`,
    );
  }
  console.log(`${name.padEnd(7)} ${cells.join(' | ')}`);
}

for (const [name, make] of Object.entries(engines)) {
  const re = make('^(a+)+$');
  // RegExp backtracks exponentially: only small n, or it would run for hours.
  const sizes = name === 'regexp' ? [16, 20, 22] : [30, 1000, 100000];
  const cells = sizes.map((n) => {
    const input = `${'a'.repeat(n)}!`;
    const start = process.hrtime.bigint();
    const matched = re.test(input);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    return `n=${n}: ${ms.toFixed(2)} ms${matched ? ' (matched?!)' : ''}`;
  });
  console.log(`${name.padEnd(7)} ^(a+)+$ first call: ${cells.join(', ')}`);
}
