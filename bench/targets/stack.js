// Target: the Switchyard stack (signals + rules + pinning + dispatch) from one policy, forwarding to the mock.
// The same process serves both stack variants: `model: "smart"` (routed by rules) and an exact ID (pinned).
import { readFile } from 'node:fs/promises';
import express from 'express';
import { compilePolicy, parsePolicy, switchyard } from 'switchyard';
import { listen, runTarget } from '../lib/child.js';

const upstream = process.env.UPSTREAM_URL; // e.g. http://127.0.0.1:PORT/v1

await runTarget('stack', async () => {
  if (!upstream) throw new Error('UPSTREAM_URL is not set');
  const template = await readFile(new URL('../bench-policy.yaml', import.meta.url), 'utf8');
  const yamlText = template.replaceAll('${MOCK_URL}', upstream);
  const compiled = compilePolicy(parsePolicy(yamlText, 'bench-policy.yaml', { env: { BENCH_KEY: 'sk-bench' } }));
  const app = express();
  app.disable('x-powered-by');
  app.use('/v1', switchyard(compiled));
  return listen(app);
});
