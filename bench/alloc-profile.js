// Where the stack allocates: runs the bench's stack target in this process against a mock upstream in a
// child process, drives N requests from another child, and samples every allocation (including objects
// GC'd young) with V8's sampling heap profiler. Prints bytes per request by allocating function.
//   node bench/alloc-profile.js [routed|pinned|bare] [N]      allocation by function
//   CPU=time node bench/alloc-profile.js [routed|pinned|bare] [N]   server CPU µs per request
//   CPU=1 node bench/alloc-profile.js ...                     CPU profile to /tmp/prof/stack.cpuprofile
//   TRACING=1 ...                                            with spans and metrics exported over OTLP
import { fork } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { Session } from 'node:inspector/promises';
import express from 'express';
import { compilePolicy, parsePolicy, switchyard } from 'switchyard';
import { chatBody, PINNED_MODEL, ROUTED_EXPECTS, ROUTED_MODEL } from './lib/bodies.js';

const variant = process.argv[2] ?? 'routed';
const n = Number(process.argv[3] ?? 4000);

if (process.env.ALLOC_ROLE === 'mock') {
  const { startMockProvider } = await import('@switchyard/mock-provider');
  const mock = await startMockProvider({ port: 0, apiKeys: ['sk-bench'], recordCalls: false });
  process.send(mock.url);
} else if (process.env.ALLOC_ROLE === 'load') {
  const { Agent, request } = await import('node:http');
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const [url, body, count] = [process.env.URL, process.env.BODY, Number(process.env.N)];
  const one = () =>
    new Promise((resolve, reject) => {
      const req = request(`${url}/v1/chat/completions`, {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${process.env.KEY}` },
      });
      req.on('response', (res) => res.resume().on('end', () => resolve(res.statusCode)));
      req.on('error', reject);
      req.end(body);
    });
  let sent = 0;
  const worker = async () => {
    while (sent < count) {
      sent += 1;
      const status = await one();
      if (status !== 200) throw new Error(`status ${status}`);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  process.send('done');
} else {
  const self = new URL(import.meta.url).pathname;
  const mockProc = fork(self, [], { env: { ...process.env, ALLOC_ROLE: 'mock' } });
  const mockUrl = await new Promise((r) => mockProc.once('message', r));
  if (process.env.TRACING === '1') {
    // As the bench's traced target: every span and metric exported over OTLP/HTTP to a sink that drops them.
    const sink = createServer((req, res) => req.resume().on('end', () => res.writeHead(200).end()));
    await new Promise((r) => sink.listen(0, '127.0.0.1', r));
    sink.unref();
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${sink.address().port}`;
    const { setupTracing } = await import('switchyard');
    await setupTracing();
  }
  const template = await readFile(new URL('./bench-policy.yaml', import.meta.url), 'utf8');
  const compiled = compilePolicy(
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the policy's placeholder, not a template
    parsePolicy(template.replaceAll('${MOCK_URL}', mockUrl), 'bench-policy.yaml', { env: { BENCH_KEY: 'sk-bench' } }),
  );
  const app = express();
  app.disable('x-powered-by');
  if (variant === 'bare') {
    const { Agent } = await import('node:http');
    const { createProxyMiddleware } = await import('http-proxy-middleware');
    const agent = new Agent({ keepAlive: true });
    app.use('/v1', createProxyMiddleware({ target: mockUrl, changeOrigin: true, agent }));
  } else app.use('/v1', switchyard(compiled));
  const server = createServer({ keepAliveTimeout: 65_000 }, app);
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${server.address().port}`;
  const body = chatBody(variant === 'pinned' ? PINNED_MODEL : variant === 'bare' ? ROUTED_EXPECTS : ROUTED_MODEL);
  const load = (count) =>
    new Promise((resolve, reject) => {
      const p = fork(self, [], {
        env: {
          ...process.env,
          ALLOC_ROLE: 'load',
          URL: url,
          BODY: body,
          N: String(count),
          KEY: variant === 'bare' ? 'sk-bench' : 'sk-client',
        },
      });
      p.once('message', resolve);
      p.once('exit', (code) => (code ? reject(new Error(`load exited ${code}`)) : undefined));
    });
  await load(1000); // warm-up: compiled code, pools
  const session = new Session();
  session.connect();
  if (process.env.CPU === 'time') {
    // CPU time of this (the server's) process per request, in rounds: steadier than wall time on a shared machine.
    const perRound = [];
    for (let round = 0; round < 5; round++) {
      const before = process.cpuUsage();
      await load(n);
      const used = process.cpuUsage(before);
      perRound.push((used.user + used.system) / n);
    }
    perRound.sort((a, b) => a - b);
    console.log(`${variant}: CPU µs/request, 5 rounds of ${n}: median ${perRound[2].toFixed(0)}, min ${perRound[0].toFixed(0)}`);
    mockProc.kill();
    server.closeAllConnections();
    server.close();
    process.exit(0);
  }
  if (process.env.CPU === '1') {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 50 });
    await session.post('Profiler.start');
    await load(n);
    const { profile } = await session.post('Profiler.stop');
    const { writeFile } = await import('node:fs/promises');
    await writeFile('/tmp/prof/stack.cpuprofile', JSON.stringify(profile));
    console.log('wrote /tmp/prof/stack.cpuprofile');
    mockProc.kill();
    server.closeAllConnections();
    server.close();
    process.exit(0);
  }
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 256,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  await load(n);
  const { profile } = await session.post('HeapProfiler.stopSampling');
  const bySite = new Map();
  let total = 0;
  const walk = (node, stack) => {
    const f = node.callFrame;
    const here = `${f.functionName || '(anon)'} ${f.url.replace(/.*node_modules\//, '').replace(/.*packages\//, '')}:${f.lineNumber + 1}`;
    const self = node.selfSize;
    total += self;
    if (self > 0) bySite.set(here, (bySite.get(here) ?? 0) + self);
    for (const c of node.children) walk(c, [...stack, here]);
  };
  walk(profile.head, []);
  console.log(`${variant}: ${(total / n / 1024).toFixed(1)} KB sampled per request over ${n} requests`);
  for (const [site, bytes] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.TOP ?? 40))) {
    console.log(`${(bytes / n / 1024).toFixed(2).padStart(7)} KB  ${site}`);
  }
  mockProc.kill();
  server.closeAllConnections();
  server.close();
}
