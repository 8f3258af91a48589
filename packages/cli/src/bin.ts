#!/usr/bin/env node
// switchyard serve | check | explain | test | budget: see USAGE.
import { parseArgs } from 'node:util';
import { PolicyError, loadPolicy } from 'switchyard';
import { budgetCommand } from './budget-command.js';
import { checkCommand } from './check-command.js';
import { explainCommand } from './explain-command.js';
import { loadPlugins } from './plugins.js';
import { serveCommand } from './serve-command.js';
import { testCommand } from './test-command.js';

const USAGE = `usage:
  switchyard serve --policy FILE [--port N] [--host H] [--body-limit SIZE] [--metrics] [--plugin MODULE]... [--audit-log FILE|-] [--no-watch]
  switchyard check FILE [--json] [--require-env] [--plugin MODULE]...
  switchyard explain --policy FILE --request REQUEST.json [--path /messages] [--header 'K: V']... [--key KEY] [--given name=value]... [--json]
  switchyard test --policy FILE TESTS.yaml [--reporter text|junit] [--plugin MODULE]...
  switchyard budget --policy FILE [--json]`;

const COMMANDS = new Set(['serve', 'check', 'explain', 'test', 'budget']);

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
      'audit-log': { type: 'string' },
      'no-watch': { type: 'boolean' },
      request: { type: 'string' },
      path: { type: 'string' },
      header: { type: 'string', multiple: true },
      key: { type: 'string' },
      given: { type: 'string', multiple: true },
      reporter: { type: 'string' },
      metrics: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const help = values.help === true || command === '--help' || command === '-h';
  if (help || command === undefined || !COMMANDS.has(command)) {
    console.log(USAGE);
    return help ? 0 : 2;
  }
  const file = command === 'check' ? (positionals[0] ?? values.policy) : values.policy;
  if (!file) {
    console.error(`switchyard ${command}: name the policy file\n${USAGE}`);
    return 2;
  }
  const plugins = values.plugin ?? [];
  switch (command) {
    case 'check':
      return checkCommand(file, { plugins, json: values.json === true, requireEnv: values['require-env'] === true });
    case 'explain':
      if (!values.request) return usage('explain', 'name the request file: --request REQUEST.json (or - for stdin)');
      return explainCommand(file, {
        request: values.request,
        path: values.path,
        headers: values.header ?? [],
        key: values.key,
        given: values.given ?? [],
        json: values.json === true,
        plugins,
      });
    case 'test':
      if (!positionals[0]) return usage('test', 'name the test file: switchyard test --policy FILE TESTS.yaml');
      return testCommand(file, positionals[0], { reporter: values.reporter ?? 'text', plugins });
    case 'budget':
      console.log(
        await budgetCommand(file, await loadPolicy(file, { plugins: await loadPlugins(plugins) }), values.json === true),
      );
      return 0;
    default:
      return serveCommand(file, {
        port: values.port,
        host: values.host,
        bodyLimit: values['body-limit'],
        plugins,
        auditLog: values['audit-log'],
        watch: values['no-watch'] !== true,
        metrics: values.metrics === true,
      });
  }
}

function usage(command: string, message: string): number {
  console.error(`switchyard ${command}: ${message}\n${USAGE}`);
  return 2;
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
