#!/usr/bin/env node
// switchyard serve --policy FILE [--port N] [--host H] [--metrics] [--plugin MODULE]... | switchyard check FILE | switchyard budget --policy FILE
import { parseArgs } from 'node:util';
import { PolicyError, loadPolicy, otlpEndpointConfigured, prometheusMetrics, setupTracing } from 'switchyard';
import { budgetCommand } from './budget-command.js';
import { checkCommand } from './check-command.js';
import { loadPlugins } from './plugins.js';
import { serve } from './server.js';

const USAGE = `usage:
  switchyard serve --policy FILE [--port N] [--host H] [--body-limit SIZE] [--metrics] [--plugin MODULE]...
  switchyard check FILE [--json] [--require-env] [--plugin MODULE]...
  switchyard budget --policy FILE [--json]`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      policy: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      'body-limit': { type: 'string' },
      plugin: { type: 'string', multiple: true },
      json: { type: 'boolean' },
      'require-env': { type: 'boolean' },
      metrics: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const help = values.help === true || command === '--help' || command === '-h';
  if (help || (command !== 'serve' && command !== 'check' && command !== 'budget')) {
    console.log(USAGE);
    return help ? 0 : 2;
  }
  const file = command === 'check' ? (positionals[0] ?? values.policy) : values.policy;
  if (!file) {
    console.error(`switchyard ${command}: name the policy file\n${USAGE}`);
    return 2;
  }
  if (command === 'check') {
    return checkCommand(file, {
      plugins: values.plugin ?? [],
      json: values.json === true,
      requireEnv: values['require-env'] === true,
    });
  }
  const plugins = await loadPlugins(values.plugin ?? []);
  const compiled = await loadPolicy(file, { plugins });
  if (command === 'budget') {
    console.log(await budgetCommand(file, compiled, values.json === true));
    return 0;
  }
  const port = values.port === undefined ? Number(process.env.PORT ?? 8080) : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`switchyard serve: --port must be 0-65535, got ${values.port}`);
    return 2;
  }
  // Spans and metrics go out over OTLP when the standard variables name an endpoint (docs/tracing.md).
  // --metrics serves them for Prometheus too: from the SDK's meter provider when there is one (both readers
  // then see the same instruments), else from a meter provider of its own.
  const scrape = values.metrics === true;
  const tracing = otlpEndpointConfigured() ? await setupTracing({ prometheus: scrape }) : undefined;
  const own = scrape && !tracing ? await prometheusMetrics() : undefined;
  const gateway = await serve(compiled, {
    port,
    host: values.host,
    bodyLimit: values['body-limit'],
    metrics: tracing?.metricsHandler ?? own?.handler,
    audit: own ? { meterProvider: own.meterProvider } : undefined,
  });
  console.log(`switchyard listening on ${gateway.url}`);
  if (tracing) console.log('switchyard: exporting traces and metrics over OTLP (OTEL_EXPORTER_OTLP_* variables)');
  if (scrape) console.log(`switchyard: metrics for Prometheus on ${new URL(gateway.url).origin}/metrics (keep it private)`);
  // In-flight calls finish first, so their spans are in what shutdown() flushes.
  const stop = () =>
    void gateway
      .close()
      .then(() => Promise.all([tracing?.shutdown(), own?.shutdown(), compiled.budget.shutdown()]))
      .then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  return -1; // keep running
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof PolicyError ? `policy rejected:\n${err.message}` : `switchyard: ${(err as Error).message}`);
    process.exitCode = 1;
  },
);
