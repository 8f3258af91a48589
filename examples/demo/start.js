// `npm start`: mock providers + the gateway on PORT (default 8080), ready for curl or the openai client.
import { fileURLToPath } from 'node:url';
import { serve } from '@switchyard/cli';
import { startMockProvider } from '@switchyard/mock-provider';
import { loadPolicy, otlpEndpointConfigured, PolicyError, setupTracing } from 'switchyard';

const policyFile = fileURLToPath(new URL('./policy.yaml', import.meta.url));
// The mocks accept only these provider keys; the gateway sends them, clients never see them.
process.env.DEMO_OPENAI_KEY ??= 'sk-demo-openai';
process.env.DEMO_GROQ_KEY ??= 'sk-demo-groq';

const mocks = await Promise.all([
  startMockProvider({ port: 4101, apiKeys: [process.env.DEMO_OPENAI_KEY] }),
  startMockProvider({ port: 4102, apiKeys: [process.env.DEMO_GROQ_KEY] }),
]);

// Spans go over OTLP when the standard variables name an endpoint (see examples/jaeger); otherwise each
// request's spans print here as a few compact lines, unless SWITCHYARD_CONSOLE_SPANS=0.
const consoleSpans = !otlpEndpointConfigured() && process.env.SWITCHYARD_CONSOLE_SPANS !== '0';
const tracing =
  otlpEndpointConfigured() || consoleSpans ? await setupTracing({ exporter: consoleSpans ? 'console' : 'otlp' }) : undefined;

let gateway;
try {
  gateway = await serve(await loadPolicy(policyFile), { port: Number(process.env.PORT ?? 8080), host: process.env.HOST });
} catch (err) {
  console.error(err instanceof PolicyError ? `policy rejected:\n${err.message}` : err);
  await Promise.all(mocks.map((m) => m.close()));
  await tracing?.shutdown();
  process.exit(1);
}

console.log(`mock providers: ${mocks.map((m) => m.url).join(', ')}`);
console.log(`switchyard gateway on ${gateway.url} (policy: examples/demo/policy.yaml)

Try it:
  curl -s ${gateway.url}/chat/completions -H 'content-type: application/json' \\
    -d '{"model":"smart","messages":[{"role":"user","content":"Hello!"}]}' -D - 

  curl -s ${gateway.url}/models
${consoleSpans ? '\nEach request prints its spans below (SWITCHYARD_CONSOLE_SPANS=0 hides them; OTEL_EXPORTER_OTLP_ENDPOINT sends them to Jaeger).\n' : tracing ? '\nSpans and metrics go over OTLP (OTEL_EXPORTER_OTLP_* variables).\n' : ''}`);

const stop = async () => {
  await gateway.close(2000);
  await Promise.all(mocks.map((m) => m.close()));
  await tracing?.shutdown();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
