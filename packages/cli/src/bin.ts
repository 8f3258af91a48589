#!/usr/bin/env node
// switchyard serve --policy FILE [--port N] [--host H] [--plugin MODULE]... | switchyard check FILE
import { parseArgs } from 'node:util';
import { PolicyError, loadPolicy } from 'switchyard';
import { loadPlugins } from './plugins.js';
import { serve } from './server.js';
import { summarize } from './summary.js';

const USAGE = `usage:
  switchyard serve --policy FILE [--port N] [--host H] [--body-limit SIZE] [--plugin MODULE]...
  switchyard check FILE [--plugin MODULE]...`;

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
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || (command !== 'serve' && command !== 'check')) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const file = command === 'check' ? (positionals[0] ?? values.policy) : values.policy;
  if (!file) {
    console.error(`switchyard ${command}: name the policy file\n${USAGE}`);
    return 2;
  }
  const plugins = await loadPlugins(values.plugin ?? []);
  const compiled = await loadPolicy(file, { plugins });
  if (command === 'check') {
    console.log(summarize(file, compiled));
    return 0;
  }
  const port = values.port === undefined ? Number(process.env.PORT ?? 8080) : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`switchyard serve: --port must be 0-65535, got ${values.port}`);
    return 2;
  }
  const gateway = await serve(compiled, { port, host: values.host, bodyLimit: values['body-limit'] });
  console.log(`switchyard listening on ${gateway.url}`);
  const stop = () => void gateway.close().then(() => process.exit(0));
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
