#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { startMockProvider } from './server.js';

const USAGE = `Usage: switchyard-mock-provider [--port N] [--host H] [--api-key K]... [--models a,b] [--strict-models]

Serves fake OpenAI (chat completions, responses, completions, embeddings, images, audio, videos, models),
Anthropic (POST /v1/messages, /v1/messages/count_tokens), Gemini (POST /v1beta/models/{model}:generateContent |
:streamGenerateContent | :countTokens) and vendor task (POST /v1/music/generate, GET /v1/music/tasks/{id}) APIs,
scriptable with x-mock-* headers.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', short: 'p', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      'api-key': { type: 'string', multiple: true },
      models: { type: 'string' },
      'strict-models': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`invalid --port: ${values.port}`);

  const provider = await startMockProvider({
    port,
    host: values.host,
    apiKeys: values['api-key'],
    models: values.models
      ?.split(',')
      .map((model) => model.trim())
      .filter(Boolean),
    strictModels: values['strict-models'],
    // Nobody can read the calls of a standalone process; recording would only grow memory.
    recordCalls: false,
  });
  console.log(`mock provider listening on ${provider.url}`);

  const stop = (): void => {
    provider.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`switchyard-mock-provider: ${error instanceof Error ? error.message : String(error)}`);
  console.error(USAGE);
  process.exit(2);
});
