// Load generation, all in the orchestrator process: autocannon for throughput, a paced open-loop
// generator for fixed-rate latency, and a sequential loop for streaming time-to-first-byte.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { Samples } from './stats.js';

/** One request, fully read. Resolves { status, headers, body, ttfbMs, totalMs, dataEvents }. */
export function request(url, { body, headers = {}, agent, timeoutMs = 10_000 } = {}) {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
      },
      (res) => {
        const headersMs = performance.now() - start;
        let ttfbMs = null;
        let dataEvents = 0;
        const parts = [];
        res.on('data', (chunk) => {
          if (ttfbMs === null) ttfbMs = performance.now() - start;
          dataEvents += 1;
          parts.push(chunk);
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode,
            headers: res.headers,
            body: Buffer.concat(parts).toString('utf8'),
            headersMs,
            ttfbMs,
            totalMs: performance.now() - start,
            dataEvents,
          }),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Checks the target answers for real before it is measured. Throws with the response when it does not.
 * expect: { servedModel?: string } — the stack must send x-switchyard-served-model and the same body `model`.
 */
export async function verify(url, { body, streamBody, headers, expect = {} }) {
  const res = await request(url, { body, headers });
  const fail = (what, r = res) =>
    new Error(`${what}\n    status ${r.status}, headers ${JSON.stringify(pick(r.headers))}\n    body ${r.body.slice(0, 400)}`);
  if (res.status !== 200) throw fail('expected 200');
  let json;
  try {
    json = JSON.parse(res.body);
  } catch {
    throw fail('response body is not JSON');
  }
  if (typeof json?.choices?.[0]?.message?.content !== 'string') throw fail('no choices[0].message.content');
  if (expect.servedModel) {
    const served = res.headers['x-switchyard-served-model'];
    if (served !== expect.servedModel) throw fail(`x-switchyard-served-model is ${served}, expected ${expect.servedModel}`);
    if (json.model !== expect.servedModel) throw fail(`body.model is ${json.model}, expected ${expect.servedModel}`);
  }
  const sample = { status: res.status, headers: pick(res.headers), model: json.model, bytes: Buffer.byteLength(res.body) };

  let stream;
  if (streamBody) {
    const s = await request(url, { body: streamBody, headers });
    if (s.status !== 200) throw fail('stream: expected 200', s);
    if (!String(s.headers['content-type']).startsWith('text/event-stream')) throw fail('stream: not text/event-stream', s);
    if (!s.body.trimEnd().endsWith('data: [DONE]')) throw fail('stream: does not end with data: [DONE]', s);
    if (expect.servedModel && s.headers['x-switchyard-served-model'] !== expect.servedModel) {
      throw fail(`stream: x-switchyard-served-model is ${s.headers['x-switchyard-served-model']}`, s);
    }
    stream = { status: s.status, events: (s.body.match(/^data: /gm) ?? []).length, dataEvents: s.dataEvents };
  }
  return { ...sample, stream };
}

function pick(headers) {
  const out = {};
  for (const [k, v] of Object.entries(headers)) {
    if (k.startsWith('x-switchyard') || k === 'content-type' || k === 'content-length') out[k] = v;
  }
  return out;
}

/** autocannon, closed loop: `connections` keep-alive connections as fast as the target answers. */
export function throughput(url, { body, headers, connections, durationS, latencies = new Samples(1 << 18) }) {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
        connections,
        duration: durationS,
        timeout: 10,
      },
      (error, result) => {
        if (error) return reject(error);
        const ok = result['2xx'];
        resolve({
          connections,
          durationS: result.duration,
          requests: result.requests.total,
          ok,
          rps: ok / result.duration,
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          statusCodes: result.statusCodeStats,
          latency: latencies.summary(),
        });
      },
    );
    // Float milliseconds per response (autocannon's histogram keeps whole milliseconds only).
    instance.on('response', (_client, status, _bytes, ms) => {
      if (status >= 200 && status < 300) latencies.push(ms);
    });
  });
}

/**
 * Open loop at a fixed rate: requests are sent evenly spaced (every 1000/rate ms) whatever the answers do,
 * on a keep-alive pool. autocannon's `overallRate` sends each second's quota in a burst, which measures
 * queueing, not added latency, so this one is hand-rolled.
 */
export async function fixedRate(url, { body, headers, rate, durationS, latencies = new Samples() }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const total = Math.max(1, Math.round(rate * durationS));
  const interval = 1000 / rate;
  let non2xx = 0;
  let errors = 0;
  const pending = [];
  const t0 = performance.now();
  await new Promise((resolve) => {
    let sent = 0;
    const tick = () => {
      const now = performance.now();
      while (sent < total && t0 + sent * interval <= now) {
        sent += 1;
        pending.push(
          request(url, { body, headers, agent }).then(
            (r) => (r.status >= 200 && r.status < 300 ? latencies.push(r.totalMs) : (non2xx += 1)),
            () => (errors += 1),
          ),
        );
      }
      if (sent < total) setTimeout(tick, Math.max(0, t0 + sent * interval - performance.now()));
      else resolve();
    };
    tick();
  });
  await Promise.all(pending);
  const elapsed = (performance.now() - t0) / 1000;
  agent.destroy();
  return { rate, durationS, requests: total, achievedRps: total / elapsed, non2xx, errors, latency: latencies.summary() };
}

/** N sequential streamed requests: time to first body byte, and to the end of the stream. */
export async function streamTtfb(url, { body, headers, n, warmup = 20, ttfb = new Samples(), total = new Samples() }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const before = ttfb.length;
  let non2xx = 0;
  let errors = 0;
  let dataEvents = 0;
  for (let i = 0; i < warmup + n; i++) {
    try {
      const r = await request(url, { body, headers, agent });
      if (i < warmup) continue;
      if (r.status !== 200) non2xx += 1;
      else {
        ttfb.push(r.ttfbMs);
        total.push(r.totalMs);
        dataEvents += r.dataEvents;
      }
    } catch {
      if (i >= warmup) errors += 1;
    }
  }
  agent.destroy();
  const got = ttfb.length - before;
  return {
    n,
    non2xx,
    errors,
    ttfb: ttfb.summary(),
    total: total.summary(),
    dataEvents,
    dataEventsPerStream: got ? dataEvents / got : null,
  };
}
