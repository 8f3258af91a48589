// node examples/custom-signal/start.js: the gateway with the `task` plugin signal, on PORT (default 8081).
// The same works from the CLI: switchyard serve --policy policy.yaml --plugin ./task-signal.js
import { fileURLToPath } from 'node:url';
import { serve } from '@switchyard/cli';
import { startMockProvider } from '@switchyard/mock-provider';
import { loadPolicy } from 'switchyard';
import { taskSignal } from './task-signal.js';

process.env.CUSTOM_SIGNAL_OPENAI_KEY ??= 'sk-custom-signal';
const mock = await startMockProvider({ port: 4301, apiKeys: [process.env.CUSTOM_SIGNAL_OPENAI_KEY] });
const compiled = await loadPolicy(fileURLToPath(new URL('./policy.yaml', import.meta.url)), { plugins: [taskSignal] });
const gateway = await serve(compiled, { port: Number(process.env.PORT ?? 8081) });
console.log(`gateway with the task signal on ${gateway.url}`);
console.log(
  `  curl -s ${gateway.url}/chat/completions -d '{"model":"auto","messages":[{"role":"user","content":"Fix this bug: const x = ;"}]}' -D -`,
);
process.once('SIGINT', () =>
  gateway
    .close(1000)
    .then(() => mock.close())
    .then(() => process.exit(0)),
);
