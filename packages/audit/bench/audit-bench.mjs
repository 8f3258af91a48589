#!/usr/bin/env node
// CPU per request of audit(), against the built dist: the middleware on a completed routing record (one
// answered attempt, four signals, usage, budget, two events) with (a) no SDK registered, (b) the trace and
// metric SDKs (batched spans to an exporter that drops them, metrics aggregated in memory) and (c) (b) plus
// the audit log to a function. Each variant is timed against the same loop without audit(). A few seconds.
//   npx turbo run build --filter=@switchyard/audit && node packages/audit/bench/audit-bench.mjs
import { EventEmitter } from 'node:events';
import { cpus } from 'node:os';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { parsePolicy, routing } from '@switchyard/core';
import { audit } from '../dist/index.js';

const N = Number(process.env.N ?? 20_000);
const RUNS = 5;
const policy = parsePolicy(
  `version: 1
providers:
  openai: { format: openai, base_url: "https://api.openai.com/v1", credentials: [{ env: KEY }] }
models:
  gpt-4o-mini-2024-07-18: { provider: openai }
routes:
  smart: { default: gpt-4o-mini-2024-07-18 }
`,
  'bench.yaml',
  { env: { KEY: 'k' } },
);
const BODY = Buffer.from(
  '{"id":"c","object":"chat.completion","model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"message":{"role":"assistant","content":"' +
    'x'.repeat(600) +
    '"},"finish_reason":"stop"}],"usage":{"prompt_tokens":120,"completion_tokens":150,"total_tokens":270}}',
);

class DropExporter {
  export(_spans, done) {
    done({ code: 0 });
  }
  shutdown() {
    return Promise.resolve();
  }
}
class Reader extends MetricReader {
  onForceFlush() {
    return Promise.resolve();
  }
  onShutdown() {
    return Promise.resolve();
  }
}

/** What the stack does to one request after audit(): the record filled, the answer written, the response closed. */
function request(handler) {
  const req = {
    method: 'POST',
    baseUrl: '/v1',
    path: '/chat/completions',
    url: '/chat/completions',
    headers: { 'content-type': 'application/json' },
  };
  const res = new EventEmitter();
  Object.assign(res, {
    statusCode: 200,
    headersSent: false,
    writableFinished: false,
    write() {
      return true;
    },
    end() {
      return this;
    },
  });
  const ctx = routing(req);
  ctx.request = { endpoint: 'chat', path: '/chat/completions', body: { model: 'smart', max_tokens: 200 }, raw: Buffer.alloc(0) };
  if (handler) handler(req, res, () => {});
  const { record } = ctx;
  Object.assign(record, { endpoint: 'chat', requestedModel: 'smart', streaming: false });
  Object.assign(record.signals, {
    input_tokens: { kind: 'at_most', value: 1100 },
    has_schema: { kind: 'value', value: false },
    has_tools: { kind: 'value', value: false },
    priority: { kind: 'absent', reason: 'not present in request' },
  });
  record.selection = { kind: 'route', route: 'smart', rule: 'default', model: 'gpt-4o-mini-2024-07-18' };
  record.target = { model: 'gpt-4o-mini-2024-07-18', provider: 'openai', format: 'openai' };
  const now = Date.now();
  record.attempts.push({
    provider: 'openai',
    model: 'gpt-4o-mini-2024-07-18',
    credentialIndex: 0,
    startedAt: now,
    endedAt: now + 5,
    status: 200,
    outcome: 'ok',
  });
  record.servedModel = 'gpt-4o-mini-2024-07-18';
  record.usage = { inputTokens: 120, outputTokens: 150 };
  record.budget = { owner: 'default', spendUsd: 1.2, reservedUsd: 0, estimateUsd: 0.0001 };
  record.costUsd = 0.000108;
  record.events.push({
    name: 'switchyard.budget.settled',
    at: now,
    attributes: { owner: 'default', cost_usd: 0.000108, basis: 'usage' },
  });
  res.statusCode = 200;
  res.headersSent = true;
  res.write(BODY);
  res.end();
  res.writableFinished = true;
  res.emit('finish');
  res.emit('close');
}

/** CPU µs per request for N requests; audit() completes two event-loop turns after close, so turns are waited for in batches. */
async function cpuPerRequest(handler) {
  const start = process.cpuUsage();
  for (let i = 0; i < N; i += 100) {
    for (let j = 0; j < 100; j++) request(handler);
    await new Promise((resolve) => setImmediate(() => setImmediate(() => setImmediate(resolve))));
  }
  const used = process.cpuUsage(start);
  return (used.user + used.system) / N;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const tracerProvider = new BasicTracerProvider({
  spanProcessors: [new BatchSpanProcessor(new DropExporter(), { maxQueueSize: 100_000, maxExportBatchSize: 4096 })],
});
const meterProvider = new MeterProvider({ readers: [new Reader()] });
const variants = [
  ['no SDK registered (the default)', audit({ policy })],
  ['spans + metrics (SDK, batched, dropped)', audit({ policy, tracerProvider, meterProvider })],
  ['spans + metrics + audit log', audit({ policy, tracerProvider, meterProvider, log: () => {} })],
];

console.log(
  `audit() CPU per request, median of ${RUNS} runs of ${N} requests, ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`,
);
await cpuPerRequest(undefined); // warm-up
for (const [, handler] of variants) await cpuPerRequest(handler);
for (const [name, handler] of variants) {
  const base = [];
  const withAudit = [];
  for (let r = 0; r < RUNS; r++) {
    base.push(await cpuPerRequest(undefined));
    withAudit.push(await cpuPerRequest(handler));
  }
  const added = median(withAudit.map((v, i) => v - base[i]));
  console.log(`  ${name.padEnd(42)} ${added.toFixed(1).padStart(6)} µs  (loop without audit: ${median(base).toFixed(1)} µs)`);
}
await tracerProvider.shutdown();
await meterProvider.shutdown();
