// The gateway exports its spans and metrics with the real OTLP/HTTP exporters (set up by setupTracing()
// from the standard OTEL_* variables) to a receiver this test runs on loopback, which decodes the payload
// as a collector would: protobuf (`http/protobuf`, the default) and JSON (`http/json`). Nothing is mocked
// between the gateway and the receiver.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMockProvider } from '@switchyard/mock-provider';
// The protobuf reader otlp-transformer decodes export responses with; it is not part of the package's index.
import { ProtobufReader } from '@opentelemetry/otlp-transformer/build/src/common/protobuf/protobuf-reader.js';
import { APIError } from 'openai';
import { setupTracing, type Tracing } from 'switchyard';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_KEY, providerKey, startHarness, type Harness, type PolicyContext } from './helpers/gateway.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MINI = 'gpt-4o-mini-2024-07-18';
const GPT4O = 'gpt-4o-2024-08-06';
const LLAMA = 'llama-3.3-70b-versatile';
const FLAKY = 'flaky-large-2025-01-01'; // alpha answers 503 for it, every time
const QWEN = 'qwen-2.5-72b-instruct'; // on a provider nobody listens on
const INTERN_KEY = 'sk-client-intern-e2e-secret'; // its owner's budget is 0: every call is refused
const PROMPT = 'Summarise the merger memo for Project Nightjar';
const COMPLETION = 'Nightjar closes on the 14th at 31 dollars a share';
const SECRETS = [CLIENT_KEY, INTERN_KEY, providerKey('alpha'), providerKey('beta'), PROMPT, COMPLETION, 'Nightjar'];

function policy(ctx: PolicyContext): string {
  const price = 'price: { input: 1, output: 2 }, context_window: 128000, capabilities: [tools, json_schema, streaming]';
  return `version: 1
providers:
  alpha: { format: openai, base_url: ${ctx.url('alpha')}, credentials: [{ env: ${ctx.env('alpha')} }] }
  beta: { format: openai, base_url: ${ctx.url('beta')}, credentials: [{ env: ${ctx.env('beta')} }] }
  down: { format: openai, base_url: ${ctx.deadUrl}, credentials: [{ env: ${ctx.env('beta')} }] }
models:
  ${MINI}: { provider: alpha, ${price} }
  ${GPT4O}: { provider: alpha, ${price} }
  ${FLAKY}: { provider: alpha, ${price} }
  ${LLAMA}: { provider: beta, ${price} }
  ${QWEN}: { provider: down, ${price} }
routes:
  smart:
    default: ${MINI}
    rules:
      - { name: schema, if: has_schema, use: ${GPT4O} }
  resilient: { default: ${FLAKY}, fallbacks: [${LLAMA}] }
failover:
  retry: { attempts: 2, backoff_ms: 5 }
  cooldown: { failures: 0 }
budgets:
  owners:
    search-team: { monthly_usd: 100, hard_stop: true }
    intern: { monthly_usd: 0, hard_stop: true }
keys:
  - { name: search-backend, secret: { env: E2E_KEY_SEARCH }, owner: search-team }
  - { name: intern-laptop, secret: { env: E2E_KEY_INTERN }, owner: intern }
`;
}

// ---- the receiver: a collector's OTLP/HTTP endpoint, decoding what arrives ----

interface Export {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

interface Receiver {
  readonly url: string;
  readonly exports: Export[];
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const exports: Export[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      exports.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      const json = req.headers['content-type']?.startsWith('application/json');
      res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' }).end(json ? '{}' : undefined);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, exports, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

type Value = string | number | boolean | Value[] | undefined;

interface Span {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly name: string;
  /** OTLP's enum: 2 SERVER, 3 CLIENT. */
  readonly kind: number;
  readonly attributes: Record<string, Value>;
  readonly events: { name: string; attributes: Record<string, Value> }[];
  /** OTLP's enum: 0 UNSET, 1 OK, 2 ERROR. */
  readonly status: { code: number; message: string };
  readonly resource: Record<string, Value>;
  readonly scope: string;
}

const SERVER = 2;
const CLIENT = 3;
const ERROR = 2;

// -- protobuf (opentelemetry/proto/trace/v1/trace.proto, common/v1/common.proto) --

function messages(bytes: Uint8Array, each: (field: number, reader: ProtobufReader, wireType: number) => boolean): void {
  const reader = new ProtobufReader(bytes);
  while (!reader.isAtEnd()) {
    const { fieldNumber, wireType } = reader.readTag();
    if (!each(fieldNumber, reader, wireType)) reader.skip(wireType);
  }
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

function anyValue(bytes: Uint8Array): Value {
  let value: Value;
  messages(bytes, (field, reader, wireType) => {
    if (field === 1) value = reader.readString();
    else if (field === 2) value = reader.readVarint() === 1;
    else if (field === 3) value = reader.readVarint();
    else if (field === 4 && wireType === 1) {
      value = Buffer.from(bytes.buffer, bytes.byteOffset + reader.pos, 8).readDoubleLE(0);
      reader.pos += 8;
    } else if (field === 5) {
      const list: Value[] = [];
      messages(reader.readBytes(), (f, r) => {
        if (f !== 1) return false;
        list.push(anyValue(r.readBytes()));
        return true;
      });
      value = list;
    } else return false;
    return true;
  });
  return value;
}

function keyValue(bytes: Uint8Array, into: Record<string, Value>): void {
  let key = '';
  let value: Value;
  messages(bytes, (field, reader) => {
    if (field === 1) key = reader.readString();
    else if (field === 2) value = anyValue(reader.readBytes());
    else return false;
    return true;
  });
  into[key] = value;
}

function protobufSpans(body: Buffer): Span[] {
  const spans: Span[] = [];
  messages(body, (field, reader) => {
    if (field !== 1) return false; // ResourceSpans
    const resource: Record<string, Value> = {};
    messages(reader.readBytes(), (f, r) => {
      if (f === 1) {
        messages(r.readBytes(), (rf, rr) => {
          if (rf !== 1) return false;
          keyValue(rr.readBytes(), resource);
          return true;
        });
      } else if (f === 2) {
        let scope = '';
        messages(r.readBytes(), (sf, sr) => {
          if (sf === 1) {
            messages(sr.readBytes(), (xf, xr) => {
              if (xf !== 1) return false;
              scope = xr.readString();
              return true;
            });
          } else if (sf === 2) spans.push(protobufSpan(sr.readBytes(), resource, scope));
          else return false;
          return true;
        });
      } else return false;
      return true;
    });
    return true;
  });
  return spans;
}

function protobufSpan(bytes: Uint8Array, resource: Record<string, Value>, scope: string): Span {
  const span = {
    traceId: '',
    spanId: '',
    parentSpanId: '',
    name: '',
    kind: 0,
    attributes: {},
    events: [],
    status: { code: 0, message: '' },
    resource,
    scope,
  } as {
    -readonly [K in keyof Span]: Span[K];
  };
  messages(bytes, (field, reader) => {
    if (field === 1) span.traceId = hex(reader.readBytes());
    else if (field === 2) span.spanId = hex(reader.readBytes());
    else if (field === 4) span.parentSpanId = hex(reader.readBytes());
    else if (field === 5) span.name = reader.readString();
    else if (field === 6) span.kind = reader.readVarint();
    else if (field === 9) keyValue(reader.readBytes(), span.attributes);
    else if (field === 11) {
      const event = { name: '', attributes: {} as Record<string, Value> };
      messages(reader.readBytes(), (f, r) => {
        if (f === 2) event.name = r.readString();
        else if (f === 3) keyValue(r.readBytes(), event.attributes);
        else return false;
        return true;
      });
      span.events.push(event);
    } else if (field === 15) {
      messages(reader.readBytes(), (f, r) => {
        if (f === 2) span.status.message = r.readString();
        else if (f === 3) span.status.code = r.readVarint();
        else return false;
        return true;
      });
    } else return false;
    return true;
  });
  return span;
}

// -- JSON (the OTLP/JSON mapping: hex ids, camelCase fields) --

interface JsonKeyValue {
  key: string;
  value: JsonAnyValue;
}
interface JsonAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number | string;
  doubleValue?: number;
  arrayValue?: { values?: JsonAnyValue[] };
}

function jsonValue(v: JsonAnyValue): Value {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(jsonValue);
  return undefined;
}

const jsonAttributes = (list: JsonKeyValue[] = []) => Object.fromEntries(list.map((kv) => [kv.key, jsonValue(kv.value)]));

function jsonSpans(body: Buffer): Span[] {
  const request = JSON.parse(body.toString('utf8')) as {
    resourceSpans: {
      resource: { attributes: JsonKeyValue[] };
      scopeSpans: {
        scope: { name: string };
        spans: {
          traceId: string;
          spanId: string;
          parentSpanId?: string;
          name: string;
          kind: number;
          attributes?: JsonKeyValue[];
          events?: { name: string; attributes?: JsonKeyValue[] }[];
          status?: { code?: number; message?: string };
        }[];
      }[];
    }[];
  };
  return request.resourceSpans.flatMap((rs) =>
    rs.scopeSpans.flatMap((ss) =>
      ss.spans.map((s) => ({
        traceId: s.traceId,
        spanId: s.spanId,
        parentSpanId: s.parentSpanId ?? '',
        name: s.name,
        kind: s.kind,
        attributes: jsonAttributes(s.attributes),
        events: (s.events ?? []).map((e) => ({ name: e.name, attributes: jsonAttributes(e.attributes) })),
        status: { code: s.status?.code ?? 0, message: s.status?.message ?? '' },
        resource: jsonAttributes(rs.resource.attributes),
        scope: ss.scope.name,
      })),
    ),
  );
}

// ---- the runs ----

/** The secret completion, or JSON that matches the schema the rule-match call asks for. */
function reply(request: { response_format?: unknown }): string {
  return (request.response_format as { type?: string } | undefined)?.type === 'json_schema' ? '{"summary":"ok"}' : COMPLETION;
}

interface Run {
  readonly spans: Span[];
  readonly exports: Export[];
  readonly statuses: Record<string, number>;
  readonly errorCodes: Record<string, string | undefined>;
}

/** Starts tracing and a gateway, sends one call of each kind, shuts both down and returns what arrived. */
async function run(env: Record<string, string>): Promise<Run> {
  const receiver = await startReceiver();
  const saved = { ...process.env };
  Object.assign(process.env, {
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_EXPORTER_OTLP_HEADERS: 'x-collector-token=e2e-token',
    ...env,
  });
  let tracing: Tracing | undefined;
  let harness: Harness | undefined;
  const statuses: Record<string, number> = {};
  const errorCodes: Record<string, string | undefined> = {};
  try {
    tracing = await setupTracing();
    harness = await startHarness({
      mocks: ['alpha', 'beta'],
      policy,
      env: { E2E_KEY_SEARCH: CLIENT_KEY, E2E_KEY_INTERN: INTERN_KEY },
      mockOptions: {
        alpha: { reply, script: { [FLAKY]: { status: 503 } } },
        beta: { reply },
      },
    });
    const { client } = harness;
    const messages = [{ role: 'user' as const, content: PROMPT }];
    const call = async (name: string, send: () => Promise<unknown>) => {
      try {
        await send();
        statuses[name] = 200;
      } catch (err) {
        if (!(err instanceof APIError)) throw err;
        statuses[name] = err.status ?? 0;
        errorCodes[name] = err.code ?? undefined;
      }
    };
    await call('default', () =>
      client.chat.completions.create(
        { model: 'smart', max_tokens: 20, messages },
        { headers: { 'x-switchyard-workflow': 'deal-desk' } },
      ),
    );
    await call('rule', () =>
      client.chat.completions.create({
        model: 'smart',
        messages,
        response_format: {
          type: 'json_schema',
          json_schema: { name: 'memo', schema: { type: 'object', properties: { summary: { type: 'string' } } } },
        },
      }),
    );
    await call('stream', async () => {
      const stream = await client.chat.completions.create({ model: 'smart', stream: true, messages });
      for await (const chunk of stream) void chunk;
    });
    await call('fallback', () => client.chat.completions.create({ model: 'resilient', messages }));
    await call('upstream-error', () => client.chat.completions.create({ model: FLAKY, messages }));
    await call('unreachable', () => client.chat.completions.create({ model: QWEN, messages }));
    await call('budget', () => harness!.newClient({ apiKey: INTERN_KEY }).chat.completions.create({ model: 'smart', messages }));
  } finally {
    await harness?.close();
    await tracing?.shutdown(); // waits for audit() to write the last calls, then flushes spans and metrics
    process.env = saved;
    await receiver.close();
  }
  const spans = receiver.exports
    .filter((e) => e.path === '/v1/traces')
    .flatMap((e) => (e.headers['content-type'] === 'application/json' ? jsonSpans(e.body) : protobufSpans(e.body)));
  return { spans, exports: receiver.exports, statuses, errorCodes };
}

/** The one server span audit() wrote with these attributes, and its attempt spans in order. */
function request(spans: Span[], match: Record<string, Value>): { server: Span; attempts: Span[] } {
  const servers = spans.filter((s) => s.kind === SERVER && Object.entries(match).every(([k, v]) => s.attributes[k] === v));
  expect(servers, JSON.stringify(match)).toHaveLength(1);
  const server = servers[0]!;
  const attempts = spans
    .filter((s) => s.parentSpanId === server.spanId)
    .sort((a, b) => (a.attributes['switchyard.attempt.index'] as number) - (b.attributes['switchyard.attempt.index'] as number));
  for (const attempt of attempts) {
    expect(attempt.kind).toBe(CLIENT);
    expect(attempt.traceId).toBe(server.traceId);
  }
  return { server, attempts };
}

describe.each<{ protocol: string; contentType: string; env: Record<string, string>; service: string }>([
  { protocol: 'http/protobuf', contentType: 'application/x-protobuf', env: {}, service: 'switchyard' },
  {
    protocol: 'http/json',
    contentType: 'application/json',
    env: { OTEL_SERVICE_NAME: 'switchyard-e2e' },
    service: 'switchyard-e2e',
  },
])('OTLP export over $protocol', ({ protocol, contentType, env, service }) => {
  let result: Run;
  beforeAll(async () => {
    result = await run({ OTEL_EXPORTER_OTLP_PROTOCOL: protocol, ...env });
  }, 30_000);

  it('should send traces and metrics in the protocol the variables choose, with their headers', () => {
    expect(result.statuses).toEqual({
      default: 200,
      rule: 200,
      stream: 200,
      fallback: 200,
      'upstream-error': 503,
      unreachable: 502,
      budget: 429,
    });
    const paths = new Set(result.exports.map((e) => e.path));
    expect(paths).toEqual(new Set(['/v1/traces', '/v1/metrics']));
    for (const e of result.exports) {
      expect(e.headers['content-type']).toBe(contentType);
      expect(e.headers['x-collector-token']).toBe('e2e-token');
    }
    const metricNames = result.exports
      .filter((e) => e.path === '/v1/metrics')
      .map((e) => e.body.toString('latin1'))
      .join('');
    for (const name of ['gen_ai.client.token.usage', 'gen_ai.client.operation.duration', 'switchyard.cost'])
      expect(metricNames).toContain(name);
    expect(result.spans.every((s) => s.resource['service.name'] === service && s.scope === '@switchyard/audit')).toBe(true);
  });

  it('should answer which rule, which model was asked for and which served, how many attempts and tokens', () => {
    const { server, attempts } = request(result.spans, {
      'switchyard.route': 'smart',
      'switchyard.rule': 'default',
      'switchyard.streaming': false,
      'switchyard.owner': 'search-team',
    });
    expect(server.name).toBe('POST /v1/chat/completions');
    expect(server.status.code).toBe(0);
    expect(server.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'smart',
      'gen_ai.response.model': MINI,
      'gen_ai.request.max_tokens': 20,
      'switchyard.route': 'smart',
      'switchyard.requested_model': 'smart',
      'switchyard.served_model': MINI,
      'switchyard.provider': 'alpha',
      'switchyard.attempts': 1,
      'switchyard.workflow': 'deal-desk',
      'switchyard.owner': 'search-team',
      'switchyard.budget.owner': 'search-team',
      'switchyard.signal.has_schema': false,
      'http.response.status_code': 200,
    });
    expect(server.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
    expect(server.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
    expect(server.attributes['gen_ai.response.finish_reasons']).toEqual([expect.stringMatching(/^(stop|length)$/)]);
    expect(server.attributes['switchyard.cost.usd']).toBeGreaterThan(0);
    expect(attempts.map((a) => a.name)).toEqual([`chat ${MINI}`]);
    expect(attempts[0]!.attributes).toMatchObject({
      'gen_ai.request.model': MINI,
      'gen_ai.response.model': MINI,
      'switchyard.provider': 'alpha',
      'server.address': '127.0.0.1',
      'http.response.status_code': 200,
      'switchyard.attempt.outcome': 'ok',
    });
    expect(attempts[0]!.attributes['server.port']).toBeGreaterThan(0);
  });

  it('should name the rule that matched and the signal it read', () => {
    const { server, attempts } = request(result.spans, { 'switchyard.rule': 'schema' });
    expect(server.attributes).toMatchObject({
      'switchyard.signal.has_schema': true,
      'switchyard.served_model': GPT4O,
      'switchyard.selected_model': GPT4O,
    });
    expect(attempts.map((a) => a.name)).toEqual([`chat ${GPT4O}`]);
  });

  it('should take the usage of a streamed call from its stream', () => {
    const { server } = request(result.spans, { 'switchyard.streaming': true });
    expect(server.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
    expect(server.attributes['gen_ai.response.finish_reasons']).toEqual(['stop']);
  });

  it('should show retries and the fallback: one span per attempt, the events on them, the reason', () => {
    const { server, attempts } = request(result.spans, { 'switchyard.route': 'resilient' });
    expect(server.status.code).toBe(0);
    expect(server.attributes).toMatchObject({
      'switchyard.selected_model': FLAKY,
      'switchyard.served_model': LLAMA,
      'switchyard.provider': 'beta',
      'switchyard.attempts': 3,
    });
    expect(server.attributes['switchyard.fallback.reason']).toEqual(expect.stringContaining('503'));
    expect(attempts.map((a) => [a.name, a.status.code, a.attributes['error.type']])).toEqual([
      [`chat ${FLAKY}`, ERROR, 'http_503'],
      [`chat ${FLAKY}`, ERROR, 'http_503'],
      [`chat ${LLAMA}`, 0, undefined],
    ]);
    const events = attempts.flatMap((a) => a.events.map((e) => e.name));
    expect(events).toEqual(expect.arrayContaining(['switchyard.retry', 'switchyard.fallback']));
  });

  it('should mark failed calls ERROR with the error type: upstream error, unreachable provider, budget stop', () => {
    const upstream = request(result.spans, { 'switchyard.requested_model': FLAKY });
    expect(upstream.server.status).toEqual({ code: ERROR, message: expect.stringContaining('503') });
    expect(upstream.server.attributes['error.type']).toEqual(expect.stringContaining('503'));
    expect(upstream.attempts.map((a) => a.attributes['error.type'])).toEqual(['http_503', 'http_503']);

    const unreachable = request(result.spans, { 'switchyard.requested_model': QWEN });
    expect(unreachable.server.status.code).toBe(ERROR);
    expect(unreachable.server.attributes['error.type']).toBe(result.errorCodes.unreachable);
    expect(unreachable.attempts.map((a) => a.attributes['error.type'])).toEqual(['ECONNREFUSED', 'ECONNREFUSED']);

    const budget = request(result.spans, { 'switchyard.owner': 'intern' });
    expect(budget.attempts).toEqual([]);
    expect(budget.server.status.code).toBe(ERROR);
    expect(budget.server.attributes).toMatchObject({
      'error.type': result.errorCodes.budget,
      'switchyard.budget.owner': 'intern',
      'http.response.status_code': 429,
    });
  });

  it('should never export the prompt, the completion, a client key or a provider credential', () => {
    const everything = Buffer.concat(result.exports.map((e) => e.body));
    expect(everything.includes(MINI)).toBe(true); // the search sees real content
    for (const secret of SECRETS) expect(everything.includes(secret), secret).toBe(false);
  });
});

describe('examples/jaeger, with this receiver standing in for Jaeger', () => {
  const children: ChildProcess[] = [];
  afterAll(async () => {
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await once(child, 'exit');
      }
    }
  });

  /** Runs a script of the example (built packages) and collects its output. */
  function node(args: string[], env: Record<string, string>): { child: ChildProcess; output: () => string } {
    let output = '';
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    return { child, output: () => output };
  }

  it('should trace every call of send-requests.js: each rule, the fallback, the budget stop', async () => {
    const receiver = await startReceiver();
    try {
      const gateway = node(['examples/jaeger/start.js'], {
        PORT: '0',
        HOST: '127.0.0.1',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      });
      const started = Date.now();
      let url: string | undefined;
      while (!(url = /switchyard gateway on (http:\/\/\S+\/v1)/.exec(gateway.output())?.[1])) {
        if (Date.now() - started > 10_000 || gateway.child.exitCode !== null)
          throw new Error(`the example did not start:\n${gateway.output()}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const sender = node(['examples/jaeger/send-requests.js', url], {});
      const [code] = (await once(sender.child, 'exit')) as [number | null];
      expect(code, sender.output()).toBe(0);
      expect(sender.output()).toContain('9 of 9 calls as expected');

      const exited = once(gateway.child, 'exit') as Promise<[number | null]>;
      gateway.child.kill('SIGTERM'); // flushes the batched spans
      expect((await exited)[0], gateway.output()).toBe(0);
    } finally {
      await receiver.close();
    }

    const spans = receiver.exports.filter((e) => e.path === '/v1/traces').flatMap((e) => protobufSpans(e.body));
    const servers = spans.filter((s) => s.kind === SERVER);
    expect(servers).toHaveLength(9);
    expect(new Set(servers.map((s) => s.resource['service.name']))).toEqual(new Set(['switchyard']));
    expect(
      servers
        .map((s) => s.attributes['switchyard.rule'])
        .filter(Boolean)
        .sort(),
    ).toEqual(
      // smart (plain, streamed, the intern's: refused after routing), cheap; three rules; none for the exact ID and "gpt".
      ['default', 'default', 'default', 'default', 'high-priority', 'long-context', 'schema'].sort(),
    );
    const cheap = request(spans, { 'switchyard.route': 'cheap' });
    expect(cheap.server.attributes).toMatchObject({
      'switchyard.fallback.reason': 'http_503',
      'switchyard.served_model': 'llama-3.3-70b-versatile',
    });
    expect(cheap.attempts.at(-1)!.name).toBe('chat llama-3.3-70b-versatile');
    expect(cheap.attempts.slice(0, -1).every((a) => a.name === 'chat mixtral-8x7b-32768' && a.status.code === ERROR)).toBe(true);
    const stopped = request(spans, { 'switchyard.budget.owner': 'interns' });
    expect(stopped.server.attributes['error.type']).toBe('budget_exceeded');
    expect(stopped.attempts).toEqual([]);
  }, 30_000);
});

describe('switchyard serve with an OTLP endpoint set', () => {
  it('should export the spans of its calls, and flush them when it stops on SIGTERM', async () => {
    const receiver = await startReceiver();
    const mock = await startMockProvider({ port: 0, apiKeys: ['sk-serve-otlp'] });
    const dir = await mkdtemp(join(tmpdir(), 'switchyard-otlp-serve-'));
    let child: ChildProcess | undefined;
    try {
      const file = join(dir, 'policy.yaml');
      await writeFile(
        file,
        `version: 1\nproviders:\n  p: { format: openai, base_url: "${mock.url}", credentials: [{ env: SERVE_KEY }] }\nmodels:\n  ${MINI}: { provider: p }\nroutes:\n  smart: { default: ${MINI} }\n`,
      );
      let output = '';
      child = spawn(process.execPath, [join(ROOT, 'packages/cli/dist/bin.js'), 'serve', '--policy', file, '--port', '0'], {
        env: {
          PATH: process.env.PATH ?? '',
          SERVE_KEY: 'sk-serve-otlp',
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces`,
          OTEL_METRICS_EXPORTER: 'none',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
      const started = Date.now();
      let url: string | undefined;
      while (!(url = /listening on (http:\/\/\S+\/v1)/.exec(output)?.[1])) {
        if (Date.now() - started > 10_000 || child.exitCode !== null)
          throw new Error(`switchyard serve did not start:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(output).toContain('exporting traces and metrics over OTLP');
      const res = await fetch(`${url}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'smart', messages: [{ role: 'user', content: 'Hi' }] }),
      });
      expect(res.status).toBe(200);
      await res.text();
      // Batched for 5 s by default: only the shutdown on SIGTERM can have sent them this soon.
      expect(receiver.exports).toEqual([]);
      const exited = once(child, 'exit') as Promise<[number | null]>;
      child.kill('SIGTERM');
      expect((await exited)[0], output).toBe(0);
    } finally {
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await mock.close();
      await receiver.close();
      await rm(dir, { recursive: true, force: true });
    }
    expect(receiver.exports.map((e) => e.path)).toEqual(['/v1/traces']);
    const spans = protobufSpans(receiver.exports[0]!.body);
    const { server, attempts } = request(spans, { 'switchyard.route': 'smart' });
    expect(server.resource['service.name']).toBe('switchyard');
    expect(server.attributes['switchyard.served_model']).toBe(MINI);
    expect(attempts.map((a) => a.name)).toEqual([`chat ${MINI}`]);
  }, 20_000);
});
