// Test harness: mock providers on free ports, a policy written around their URLs, the gateway in front of
// them, and an official `openai` client pointed at the gateway. Everything closes with `harness.close()`.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type RunningGateway } from '@switchyard/cli';
import { startMockProvider, type MockProvider, type MockProviderOptions, type RecordedCall } from '@switchyard/mock-provider';
import OpenAI from 'openai';
import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { compilePolicy, parsePolicy, type CompileOptions } from 'switchyard';

/** The key clients send to the gateway. It must never reach a provider. */
export const CLIENT_KEY = 'sk-client-key-e2e-never-forwarded';

/** The provider key the mock called `name` accepts, and that the policy env holds. */
export function providerKey(name: string): string {
  return `sk-provider-${name}-secret`;
}

/** The env var the policy names for provider `name`'s credential. */
export function providerEnv(name: string): string {
  return `E2E_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_KEY`;
}

/** What the policy template may use: each mock's base URL, its credential env var, a refused URL. */
export interface PolicyContext {
  url(mock: string): string;
  env(mock: string): string;
  /** An http URL on a loopback port that nothing listens on (connection refused). */
  readonly deadUrl: string;
}

export interface HarnessOptions {
  /** Names of the mock providers to start, e.g. `['alpha', 'beta']`. Each accepts only its own provider key. */
  readonly mocks: readonly string[];
  /** The policy YAML, written around the mocks' URLs. */
  readonly policy: (ctx: PolicyContext) => string;
  readonly plugins?: CompileOptions['plugins'];
  readonly now?: CompileOptions['now'];
  readonly bodyLimit?: number | string;
  /** Further options of the mocks by name (scripts, reply, extra keys), merged over the defaults. */
  readonly mockOptions?: Readonly<Record<string, Omit<MockProviderOptions, 'port'>>>;
  /** Env vars the policy may read besides the mocks' own keys (e.g. a second credential). */
  readonly env?: Readonly<Record<string, string>>;
}

export interface Harness {
  readonly gateway: RunningGateway;
  /** `http://127.0.0.1:PORT/v1` */
  readonly url: string;
  readonly client: OpenAI;
  readonly mocks: Readonly<Record<string, MockProvider>>;
  /** The policy text that was compiled. */
  readonly yaml: string;
  /** An `openai` client on the gateway with extra options (default headers etc.). */
  newClient(options?: ConstructorParameters<typeof OpenAI>[0]): OpenAI;
  /** Forget every mock's recorded calls. */
  resetMocks(): void;
  close(): Promise<void>;
}

export const POLICY_FILE_NAME = 'e2e-policy.yaml';

export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const mocks: Record<string, MockProvider> = {};
  const started = await Promise.all(
    options.mocks.map((name) => startMockProvider({ port: 0, apiKeys: [providerKey(name)], ...options.mockOptions?.[name] })),
  );
  for (const [i, name] of options.mocks.entries()) mocks[name] = started[i]!;
  const env: Record<string, string> = { ...options.env };
  for (const name of options.mocks) env[providerEnv(name)] = providerKey(name);

  const deadUrl = `http://127.0.0.1:${await closedPort()}/v1`;
  const ctx: PolicyContext = {
    url(name) {
      const mock = mocks[name];
      if (!mock) throw new Error(`no mock named ${name}`);
      return mock.url;
    },
    env: providerEnv,
    deadUrl,
  };
  const yaml = options.policy(ctx);

  let gateway: RunningGateway;
  try {
    const compiled = compilePolicy(parsePolicy(yaml, POLICY_FILE_NAME, { env }), {
      plugins: options.plugins,
      now: options.now,
    });
    gateway = await serve(compiled, { port: 0, host: '127.0.0.1', bodyLimit: options.bodyLimit });
  } catch (err) {
    await Promise.all(started.map((m) => m.close()));
    throw err;
  }

  const newClient = (clientOptions: ConstructorParameters<typeof OpenAI>[0] = {}) =>
    new OpenAI({ baseURL: gateway.url, apiKey: CLIENT_KEY, maxRetries: 0, timeout: 10_000, ...clientOptions });

  return {
    gateway,
    url: gateway.url,
    client: newClient(),
    mocks,
    yaml,
    newClient,
    resetMocks() {
      for (const mock of Object.values(mocks)) mock.reset();
    },
    async close() {
      await gateway.close(200);
      await Promise.all(Object.values(mocks).map((m) => m.close()));
    },
  };
}

/** A loopback port that was free a moment ago and has nothing listening now. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** One non-streaming chat completion through the SDK, with the routing headers the gateway set. */
export interface Routed {
  readonly completion: ChatCompletion;
  readonly status: number;
  readonly servedModel: string | null;
  readonly route: string | null;
  readonly headers: Headers;
}

export async function chat(
  client: OpenAI,
  params: Omit<ChatCompletionCreateParamsNonStreaming, 'messages'> & {
    messages?: ChatCompletionCreateParamsNonStreaming['messages'];
    [extra: string]: unknown;
  },
  options: { headers?: Record<string, string> } = {},
): Promise<Routed> {
  const body = { messages: [{ role: 'user', content: 'Hello!' }], ...params } as ChatCompletionCreateParamsNonStreaming;
  const { data, response } = await client.chat.completions.create(body, options).withResponse();
  return {
    completion: data,
    status: response.status,
    servedModel: response.headers.get('x-switchyard-served-model'),
    route: response.headers.get('x-switchyard-route'),
    headers: response.headers,
  };
}

/** The calls a mock received on chat completions. */
export function chatCalls(mock: MockProvider): RecordedCall[] {
  return mock.calls.filter((c) => c.path.endsWith('/chat/completions'));
}

/** The one chat call a mock received since its last reset; fails when there were none or several. */
export function onlyCall(mock: MockProvider): RecordedCall {
  const calls = chatCalls(mock);
  if (calls.length !== 1) {
    throw new Error(`expected exactly one upstream call, got ${calls.length}: ${calls.map((c) => c.model).join(', ')}`);
  }
  return calls[0]!;
}

/** Raw POST to the gateway, for requests the SDK cannot send (malformed JSON etc.). */
export async function rawPost(
  url: string,
  body: string | Uint8Array,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: unknown; text: string; headers: Headers }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${CLIENT_KEY}`, ...headers },
    body,
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, headers: res.headers };
}

/** Exact model IDs used across the suites. */
export const MODELS = {
  mini: 'gpt-4o-mini-2024-07-18',
  gpt4o: 'gpt-4o-2024-08-06',
  llama: 'llama-3.3-70b-versatile',
  qwen: 'qwen-2.5-72b-instruct',
} as const;

/**
 * A small policy for the gateway-behaviour suites: routes `smart` and `cheap`, three exact IDs on two
 * mocks (`alpha`, `beta`) and one on a provider nobody listens on (`down`).
 */
export function basicPolicy(ctx: PolicyContext): string {
  return `version: 1
timezone: UTC
providers:
  alpha:
    format: openai
    base_url: ${ctx.url('alpha')}
    credentials:
      - env: ${ctx.env('alpha')}
    forward_headers: [x-mock-*]   # the tests script the mocks' faults per request
  beta:
    format: openai
    base_url: ${ctx.url('beta')}
    credentials:
      - env: ${ctx.env('beta')}
    forward_headers: [x-mock-*]
  down:
    format: openai
    base_url: ${ctx.deadUrl}
    credentials:
      - env: ${ctx.env('alpha')}
models:
  ${MODELS.mini}: { provider: alpha, context_window: 128000, capabilities: [tools, json_schema, streaming, vision] }
  ${MODELS.gpt4o}: { provider: alpha, context_window: 128000, capabilities: [tools, json_schema, streaming, vision] }
  ${MODELS.llama}: { provider: beta, context_window: 128000, capabilities: [tools, json_schema, streaming, vision] }
  ${MODELS.qwen}: { provider: down, context_window: 32000, capabilities: [tools, streaming] }
routes:
  smart:
    default: ${MODELS.mini}
    rules:
      - name: schema
        if: has_schema
        use: ${MODELS.gpt4o}
      - name: tools
        if: has_tools
        use: ${MODELS.llama}
  cheap:
    default: ${MODELS.llama}
`;
}
