// node examples/existing-app/start.js: the app on PORT (default 3000), with a mock provider behind it.
import { fileURLToPath } from 'node:url';
import { startMockProvider } from '@switchyard/mock-provider';
import { createApp } from './app.js';

process.env.EXISTING_APP_OPENAI_KEY ??= 'sk-existing-app';
const mock = await startMockProvider({ port: 4201, apiKeys: [process.env.EXISTING_APP_OPENAI_KEY] });
const app = await createApp(fileURLToPath(new URL('./policy.yaml', import.meta.url)));
const port = Number(process.env.PORT ?? 3000);
const server = app.listen(port, '127.0.0.1', () => {
  console.log(`existing app on http://127.0.0.1:${port} (its own /api/notes, and the gateway on /v1)`);
  console.log(
    `  curl -s http://127.0.0.1:${port}/v1/chat/completions -d '{"model":"assistant","messages":[{"role":"user","content":"hi"}]}'`,
  );
});
process.once('SIGINT', () => server.close(() => mock.close().then(() => process.exit(0))));
