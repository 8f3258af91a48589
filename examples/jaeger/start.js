// examples/jaeger: mock providers and the gateway, exporting a trace per call over OTLP. In docker compose
// the gateway sends to Jaeger (OTEL_EXPORTER_OTLP_ENDPOINT=http://jaeger:4318); without an endpoint it
// prints each call's spans (SWITCHYARD_CONSOLE_SPANS=0 hides them). SWITCHYARD_METRICS=1 serves the
// metrics on GET /metrics for Prometheus (compose scrapes them for the dashboard of examples/grafana).
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { serve } from '@switchyard/cli';
import { startMockProvider } from '@switchyard/mock-provider';
import { compilePolicy, otlpEndpointConfigured, parsePolicy, PolicyError, prometheusMetrics, setupTracing } from 'switchyard';
import './keys.js';

const policyFile = fileURLToPath(new URL('./policy.yaml', import.meta.url));
const env = process.env;

const consoleSpans = !otlpEndpointConfigured() && env.SWITCHYARD_CONSOLE_SPANS !== '0';
const scrape = env.SWITCHYARD_METRICS === '1';
const tracing =
  otlpEndpointConfigured() || consoleSpans
    ? await setupTracing({ exporter: consoleSpans ? 'console' : 'otlp', prometheus: scrape })
    : undefined;
// Without an SDK the metrics need a meter provider of their own.
const ownMetrics = scrape && !tracing ? await prometheusMetrics() : undefined;

// Mocks on free loopback ports; the groq one accepts both of its keys and fails mixtral with 503.
const [openai, groq] = await Promise.all([
  startMockProvider({ port: 0, apiKeys: [env.JAEGER_OPENAI_KEY] }),
  startMockProvider({
    port: 0,
    apiKeys: [env.JAEGER_GROQ_KEY, env.JAEGER_GROQ_KEY_BACKUP],
    script: { 'mixtral-8x7b-32768': { status: 503 } },
  }),
]);

let compiled;
let gateway;
try {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the policy's placeholders, not templates
  const text = (await readFile(policyFile, 'utf8')).replaceAll('${OPENAI_MOCK}', openai.url).replaceAll('${GROQ_MOCK}', groq.url);
  compiled = compilePolicy(parsePolicy(text, 'examples/jaeger/policy.yaml', { env }));
  gateway = await serve(compiled, {
    port: Number(env.PORT ?? 8080),
    host: env.HOST,
    metrics: tracing?.metricsHandler ?? ownMetrics?.handler,
    audit: ownMetrics ? { meterProvider: ownMetrics.meterProvider } : undefined,
  });
} catch (err) {
  console.error(err instanceof PolicyError ? `policy rejected:\n${err.message}` : err);
  await Promise.all([openai.close(), groq.close()]);
  await ownMetrics?.shutdown();
  await tracing?.shutdown();
  process.exit(1);
}

console.log(`switchyard gateway on ${gateway.url} (policy: examples/jaeger/policy.yaml)
${tracing && !consoleSpans ? 'exporting traces over OTLP (OTEL_EXPORTER_OTLP_* variables)' : 'no OTLP endpoint set: spans print below'}
send the mix of calls:  node examples/jaeger/send-requests.js ${gateway.url}${
  scrape ? `\nmetrics for Prometheus: ${new URL(gateway.url).origin}/metrics` : ''
}
`);

const stop = async () => {
  await gateway.close(2000);
  await Promise.all([openai.close(), groq.close()]);
  await compiled.budget?.shutdown?.();
  await ownMetrics?.shutdown();
  await tracing?.shutdown(); // sends the spans still batched
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
