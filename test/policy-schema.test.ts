// The published JSON Schema (@switchyard/core/policy.schema.json) against the loader: every example policy passes
// both, wrong policies fail both, and what only the loader can check is known and written down.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePolicy, PolicyError } from '@switchyard/core';
import { Ajv, type ErrorObject } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// Resolved through the package's `exports`, as a user's tooling would.
const SCHEMA_FILE = createRequire(import.meta.url).resolve('@switchyard/core/policy.schema.json');
const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as Record<string, unknown>;

const ajv = new Ajv({ allErrors: true, allowUnionTypes: true });
// What editors check `format: uri` with is theirs; any parseable URL passes here, and the schema's pattern asks for http(s).
ajv.addFormat('uri', (s: string) => URL.canParse(s));
const validate = ajv.compile(schema);

/** The schema's errors for a document, as `instancePath: message`; empty when it validates. */
function schemaErrors(doc: unknown): string[] {
  if (validate(doc)) return [];
  return (validate.errors ?? []).map((e: ErrorObject) => `${e.instancePath || '/'}: ${e.message}`);
}

/** The loader's problems for a policy text, secrets deferred (as `switchyard check` loads it); empty when it loads. */
function loaderProblems(text: string): string[] {
  try {
    parsePolicy(text, 'policy.yaml', { env: {}, secrets: 'defer' });
    return [];
  } catch (err) {
    if (!(err instanceof PolicyError)) throw err;
    return err.problems.map((p) => p.message);
  }
}

const EXAMPLES = [
  ...readdirSync(join(ROOT, 'examples'), { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(ROOT, 'examples', d.name, 'policy.yaml')))
    .map((d) => `examples/${d.name}/policy.yaml`),
  'bench/bench-policy.yaml',
];

/** The policy text as loaded: the `${NAME}` placeholders some examples carry (filled in by their start scripts) become a URL. */
function exampleText(file: string): string {
  return readFileSync(join(ROOT, file), 'utf8').replace(/\$\{[A-Z_]+\}/g, 'http://127.0.0.1:9/v1');
}

describe('every example policy', () => {
  it('should be found', () => {
    expect(EXAMPLES).toEqual(expect.arrayContaining(['examples/demo/policy.yaml', 'examples/jaeger/policy.yaml']));
    expect(EXAMPLES.length).toBeGreaterThanOrEqual(6);
  });

  it.each(EXAMPLES)('%s validates against the schema and loads', (file) => {
    const text = exampleText(file);
    expect(text).not.toMatch(/\$\{/);
    expect(schemaErrors(parse(text))).toEqual([]);
    expect(loaderProblems(text)).toEqual([]);
  });

  it.each(EXAMPLES)('%s names the schema on its first line, by a path that leads to it', (file) => {
    const first = readFileSync(join(ROOT, file), 'utf8').split('\n')[0]!;
    const match = /^# yaml-language-server: \$schema=(\S+)$/.exec(first);
    expect(match, first).not.toBeNull();
    expect(resolve(ROOT, dirname(file), match![1]!)).toBe(SCHEMA_FILE);
  });
});

/** A valid policy that uses every section; each wrong policy below changes one thing in it. */
const GOOD = `version: 1
timezone: Europe/Berlin
providers:
  openai:
    format: openai
    base_url: https://api.openai.com/v1
    credentials: [{ env: OPENAI_API_KEY }]
models:
  gpt-4o-2024-08-06: { provider: openai, context_window: 128000, capabilities: [tools], price: { input: 2.5, output: 10 } }
signals:
  priority: { from: "$.metadata.priority", type: string }
routes:
  smart:
    default: gpt-4o-2024-08-06
    rules:
      - { name: urgent, if: 'priority == "high"', use: gpt-4o-2024-08-06 }
failover:
  retry: { attempts: 2, on: [429, 503, timeout] }
  timeouts: { first_byte_ms: 10000, total_ms: 60000 }
budgets:
  owners:
    team: { monthly_usd: 100, hard_stop: true }
  admin_key: { env: ADMIN_KEY }
keys:
  - { name: backend, secret: { env: CLIENT_KEY }, owner: team, allow: [smart] }
`;

interface Wrong {
  readonly name: string;
  readonly from: string;
  readonly to: string;
  /** What the schema's error says, as `instancePath: message`. */
  readonly schema: RegExp;
  /** What the loader's problem says. */
  readonly loader: RegExp;
}

const WRONG: Wrong[] = [
  {
    name: 'an unknown top-level key',
    from: 'signals:',
    to: 'signalz:',
    schema: /^\/: must NOT have additional properties/,
    loader: /unknown key "signalz"/,
  },
  {
    name: 'an unknown key in a model',
    from: 'context_window: 128000',
    to: 'context_windo: 128000',
    schema: /^\/models\/gpt-4o-2024-08-06: must NOT have additional properties/,
    loader: /unknown key "context_windo"/,
  },
  {
    name: 'a string for a number',
    from: 'context_window: 128000',
    to: 'context_window: 128k',
    schema: /^\/models\/gpt-4o-2024-08-06\/context_window: must be integer/,
    loader: /context_window: .*expected number, received string/,
  },
  {
    name: 'a fractional number of attempts',
    from: 'attempts: 2',
    to: 'attempts: 1.5',
    schema: /^\/failover\/retry\/attempts: must be integer/,
    loader: /attempts: .*expected int/i,
  },
  {
    name: 'a wire format that does not exist',
    from: 'format: openai',
    to: 'format: azure',
    schema: /^\/providers\/openai\/format: must be equal to one of the allowed values/,
    loader: /format: .*"openai"\|"anthropic"\|"gemini"|format: .*expected one of/,
  },
  {
    name: 'a base_url that is not http(s)',
    from: 'base_url: https://api.openai.com/v1',
    to: 'base_url: ftp://api.openai.com/v1',
    schema: /^\/providers\/openai\/base_url: must match pattern/,
    loader: /base_url: must be an http\(s\) URL/,
  },
  {
    name: 'a signal source that is neither JSONPath nor header',
    from: 'from: "$.metadata.priority"',
    to: 'from: "metadata.priority"',
    schema: /^\/signals\/priority\/from: must match pattern/,
    loader: /must be a JSONPath/,
  },
  {
    name: 'an env var name with a space',
    from: '{ env: OPENAI_API_KEY }',
    to: '{ env: "OPENAI API KEY" }',
    schema: /^\/providers\/openai\/credentials\/0\/env: must match pattern/,
    loader: /must be an environment variable name/,
  },
  {
    name: 'a provider without base_url',
    from: '    base_url: https://api.openai.com/v1\n',
    to: '',
    schema: /^\/providers\/openai: must have required property 'base_url'/,
    loader: /providers\.openai\.base_url: must be an http\(s\) URL/,
  },
  {
    name: 'a rule without use',
    from: ', use: gpt-4o-2024-08-06 }',
    to: ' }',
    schema: /^\/routes\/smart\/rules\/0: must have required property 'use'/,
    loader: /rules\.0\.use: .*expected string/i,
  },
  {
    name: 'a policy without version',
    from: 'version: 1\n',
    to: '',
    schema: /^\/: must have required property 'version'/,
    loader: /version: .*expected 1/i,
  },
  {
    name: 'a negative price',
    from: 'price: { input: 2.5, output: 10 }',
    to: 'price: { input: -2.5, output: 10 }',
    schema: /^\/models\/gpt-4o-2024-08-06\/price\/input: must be >= 0/,
    loader: /price\.input: .*>=0/,
  },
  {
    name: 'a zero context window',
    from: 'context_window: 128000',
    to: 'context_window: 0',
    schema: /^\/models\/gpt-4o-2024-08-06\/context_window: must be > 0/,
    loader: /context_window: .*>0/,
  },
  {
    name: 'version 2',
    from: 'version: 1',
    to: 'version: 2',
    schema: /^\/version: must be equal to constant/,
    loader: /version: .*expected 1/i,
  },
  {
    name: 'a failover trigger that is not a failure',
    from: 'on: [429, 503, timeout]',
    to: 'on: [429, 404, timeout]',
    schema: /^\/failover\/retry\/on\/1: must match a schema in anyOf/,
    loader: /404: 4xx statuses other than 408 and 429 never trigger failover/,
  },
  {
    name: 'a key secret with both env and sha256',
    from: 'secret: { env: CLIENT_KEY }',
    to: `secret: { env: CLIENT_KEY, sha256: ${'a'.repeat(64)} }`,
    schema: /^\/keys\/0\/secret: must match exactly one schema in oneOf/,
    loader: /give exactly one of env or sha256/,
  },
  {
    name: 'a budget with monthly_usd but no hard_stop',
    from: '{ monthly_usd: 100, hard_stop: true }',
    to: '{ monthly_usd: 100 }',
    schema: /^\/budgets\/owners\/team: must have property hard_stop when property monthly_usd is present/,
    loader: /monthly_usd and hard_stop go together/,
  },
  {
    name: 'a time zone under budgets instead of the top level',
    from: 'budgets:\n',
    to: 'budgets:\n  timezone: UTC\n',
    schema: /^\/budgets\/timezone: must NOT be valid/,
    loader: /set it there/,
  },
  {
    name: 'an empty keys list',
    from: 'keys:\n  - { name: backend, secret: { env: CLIENT_KEY }, owner: team, allow: [smart] }\n',
    to: 'keys: []\n',
    schema: /^\/keys: must NOT have fewer than 1 items/,
    loader: /list at least one key/,
  },
  {
    name: 'a signal name that is not lower_snake_case',
    from: '  priority: {',
    to: '  Priority: {',
    schema: /^\/signals: (must match pattern|property name must be valid)/,
    loader: /signal names are lower_snake_case/,
  },
];

function edited(from: string, to: string): string {
  expect(GOOD.split(from).length - 1, `"${from}" occurs once in GOOD`).toBe(1);
  return GOOD.replace(from, to);
}

describe('a wrong policy', () => {
  it('(the good one it starts from passes both)', () => {
    expect(schemaErrors(parse(GOOD))).toEqual([]);
    expect(loaderProblems(GOOD)).toEqual([]);
  });

  it.each(WRONG)('$name: rejected by the schema and by the loader', ({ from, to, schema, loader }) => {
    const text = edited(from, to);
    const errors = schemaErrors(parse(text));
    expect(
      errors.some((e) => schema.test(e)),
      `schema errors:\n${errors.join('\n')}`,
    ).toBe(true);
    const problems = loaderProblems(text);
    expect(
      problems.some((p) => loader.test(p)),
      `loader problems:\n${problems.join('\n')}`,
    ).toBe(true);
  });
});

describe('what only the loader checks (the schema says so in its descriptions)', () => {
  const LOADER_ONLY: { name: string; from: string; to: string; loader: RegExp }[] = [
    { name: 'a time zone that is not IANA', from: 'timezone: Europe/Berlin', to: 'timezone: Mars/Olympus', loader: /IANA/ },
    {
      name: 'a rule using a model not in models',
      from: 'use: gpt-4o-2024-08-06 }',
      to: 'use: gpt-5 }',
      loader: /uses model "gpt-5" that is not in models/,
    },
    {
      name: 'a model pinned to an unknown provider',
      from: '{ provider: openai,',
      to: '{ provider: azure,',
      loader: /pinned to unknown provider "azure"/,
    },
    {
      name: "a key's owner without a budget",
      from: 'owner: team',
      to: 'owner: nobody',
      loader: /owner "nobody" is not in budgets.owners/,
    },
  ];

  it.each(LOADER_ONLY)('$name: the schema accepts it, the loader does not', ({ from, to, loader }) => {
    const text = edited(from, to);
    expect(schemaErrors(parse(text))).toEqual([]);
    expect(loaderProblems(text).some((p) => loader.test(p))).toBe(true);
  });

  it('the root description names them', () => {
    expect(schema.description).toMatch(/references between sections.*CEL.*time zone.*env vars/);
  });
});
