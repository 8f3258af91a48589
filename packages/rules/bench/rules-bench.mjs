#!/usr/bin/env node
// Times compileRules on a realistic policy and per-request evaluation of a 4-rule route through
// evaluateRoute (the function rules() calls), against the built dist. A few seconds in all.
//   npx turbo run build --filter=@switchyard/rules && node packages/rules/bench/rules-bench.mjs
import { cpus } from 'node:os';
import { createRecord, parsePolicy } from '@switchyard/core';
import { compileRules, evaluateRoute } from '../dist/index.js';

const RUNS = 5;

const MODELS = ['claude-sonnet', 'gemini-pro', 'gpt-4o', 'llama', 'mini'];
const ROUTE_RULES = [
  ['long-context', 'input_tokens > 100000', 'gemini-pro'],
  ['schema', 'has_schema && !streaming', 'gpt-4o'],
  ['night-batch', 'hour_local in [22, 23, 0, 1, 2, 3, 4, 5] && priority != "high"', 'llama'],
  ['burn-rate', 'monthly_spend_pct > 0.8', 'llama'],
];
const routes = ['smart', 'cheap', 'auto', 'code', 'search', 'batch']
  .map(
    (route, r) => `  ${route}:
    default: claude-sonnet
    rules:
${ROUTE_RULES.map(([name, cond, use]) => `      - { name: ${name}, if: '${cond.replace('100000', String(100000 + r))}', use: ${use} }`).join('\n')}
`,
  )
  .join('');
const text = `version: 1
providers:
  p: { format: openai, base_url: "https://api.example.com/v1", credentials: [{ env: KEY }] }
models:
${MODELS.map((m) => `  ${m}: { provider: p }`).join('\n')}
signals:
  priority: { from: "$.metadata.priority", type: string }
  user_tier: { from: "header:x-user-tier", type: string }
routes:
${routes}`;

const policy = parsePolicy(text, 'bench-policy.yaml', { env: { KEY: 'k' } });
const signalTypes = new Map([
  ['input_tokens', 'int'],
  ['max_tokens', 'int'],
  ['has_schema', 'bool'],
  ['has_tools', 'bool'],
  ['has_images', 'bool'],
  ['streaming', 'bool'],
  ['messages_count', 'int'],
  ['model', 'string'],
  ['endpoint', 'string'],
  ['workflow', 'string'],
  ['owner', 'string'],
  ['monthly_spend_pct', 'double'],
  ['hour_local', 'int'],
  ['weekday', 'string'],
  ['priority', 'string'],
  ['user_tier', 'string'],
]);

/** A reader over fixed values; `input_tokens` has a 4 KB bound, so `> 100000` never tokenizes. */
class Reader {
  constructor(record, values) {
    this.record = record;
    this.values = values;
  }
  async read(names) {
    for (const name of names) {
      if (this.record.signals[name] === undefined) this.record.signals[name] = { kind: 'value', value: this.values[name] };
    }
  }
  upperBound(name) {
    return name === 'input_tokens' ? 4_000 : undefined;
  }
  has(name) {
    return name in this.values;
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const now = () => Number(process.hrtime.bigint()) / 1e6;

// compileRules: the whole policy (6 routes x 4 rules), including building the CEL environment.
const cold0 = now();
compileRules(policy, signalTypes);
const coldMs = now() - cold0;
const compileMs = [];
for (let run = 0; run < RUNS + 1; run++) {
  const n = 20;
  const t0 = now();
  for (let i = 0; i < n; i++) compileRules(policy, signalTypes);
  if (run > 0) compileMs.push((now() - t0) / n); // run 0 is warm-up
}

const compiled = compileRules(policy, signalTypes);
const route = compiled.routes.get('smart');
const scenarios = {
  // No rule matches: all four evaluated, five signals read, input_tokens settled by its bound.
  'default (4 rules evaluated)': {
    input_tokens: 900,
    has_schema: false,
    streaming: true,
    hour_local: 14,
    priority: 'high',
    monthly_spend_pct: 0.3,
  },
  // The second rule matches: two rules evaluated.
  'rule 2 matches': {
    input_tokens: 900,
    has_schema: true,
    streaming: false,
    hour_local: 14,
    priority: 'high',
    monthly_spend_pct: 0.3,
  },
};

async function perRequest(values, ms) {
  const results = [];
  for (let run = 0; run < RUNS + 1; run++) {
    let n = 0;
    const t0 = now();
    let t = t0;
    while (t - t0 < ms) {
      for (let i = 0; i < 1000; i++) {
        const record = createRecord();
        await evaluateRoute(compiled, route, record, new Reader(record, values));
      }
      n += 1000;
      t = now();
    }
    if (run > 0) results.push((n / (t - t0)) * 1000);
  }
  return results;
}

// The CEL calls alone (no reader, no record, no await): what evaluateRoute adds on top.
function celOnly(values, ms) {
  const activation = {
    input_tokens: BigInt(values.input_tokens),
    has_schema: values.has_schema,
    streaming: values.streaming,
    hour_local: BigInt(values.hour_local),
    priority: values.priority,
    monthly_spend_pct: values.monthly_spend_pct,
  };
  const results = [];
  for (let run = 0; run < RUNS + 1; run++) {
    let n = 0;
    const t0 = now();
    let t = t0;
    while (t - t0 < ms) {
      for (let i = 0; i < 1000; i++) for (const rule of route.rules) if (rule.matches(activation)) break;
      n += 1000;
      t = now();
    }
    if (run > 0) results.push((n / (t - t0)) * 1000);
  }
  return results;
}

const fmt = (opsPerSec) => `${Math.round(opsPerSec).toLocaleString('en-US')} ops/s = ${(1e6 / opsPerSec).toFixed(2)} µs/request`;
const range = (xs) => `[${Math.round(Math.min(...xs) / 1000)}k–${Math.round(Math.max(...xs) / 1000)}k]`;

console.log(`node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model.trim()}), median of ${RUNS} runs`);
console.log(
  `compileRules, 6 routes x 4 rules: first call ${coldMs.toFixed(1)} ms; warm ${median(compileMs).toFixed(2)} ms [${Math.min(...compileMs).toFixed(2)}–${Math.max(...compileMs).toFixed(2)}]`,
);
for (const [name, values] of Object.entries(scenarios)) {
  const r = await perRequest(values, 300);
  console.log(`evaluateRoute, ${name}: ${fmt(median(r))} ${range(r)}`);
}
const c = celOnly(scenarios['default (4 rules evaluated)'], 200);
console.log(`CEL calls only, same 4 rules: ${fmt(median(c))} ${range(c)}`);
