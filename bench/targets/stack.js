// Target: the Switchyard stack (signals + rules + pinning + dispatch) from one policy, forwarding to the mock.
// The same process serves both stack variants: `model: "smart"` (routed by rules) and an exact ID (pinned).
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import express from 'express';
import { compilePolicy, parsePolicy, setupTracing, switchyard } from 'switchyard';
import { listen, runTarget } from '../lib/child.js';

const upstream = process.env.UPSTREAM_URL; // e.g. http://127.0.0.1:PORT/v1

await runTarget('stack', async () => {
  if (!upstream) throw new Error('UPSTREAM_URL is not set');
  // BENCH_TRACING=1: audit()'s spans and metrics exported over OTLP/HTTP (protobuf, batched) to a sink in this
  // process that drops them, so the stack's figures include recording and exporting them.
  if (process.env.BENCH_TRACING === '1') {
    const sink = createServer((req, res) =>
      req.resume().on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end()),
    );
    await new Promise((resolve) => sink.listen(0, '127.0.0.1', resolve));
    sink.unref();
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${sink.address().port}`;
    await setupTracing();
  }
  const template = await readFile(new URL('../bench-policy.yaml', import.meta.url), 'utf8');
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the policy's placeholder, not a template
  const yamlText = template.replaceAll('${MOCK_URL}', upstream);
  const compiled = compilePolicy(parsePolicy(yamlText, 'bench-policy.yaml', { env: { BENCH_KEY: 'sk-bench' } }));
  const app = express();
  app.disable('x-powered-by');
  app.use('/v1', switchyard(compiled));
  return listen(app);
});
