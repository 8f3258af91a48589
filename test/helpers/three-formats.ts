// One gateway in front of three mock providers, one per wire format (OpenAI, Anthropic, Gemini), for the
// suites that drive the clients people use through every format: a route per format, models that fail in
// scripted ways (429, an error event mid-stream, a connection cut mid-stream), and two OpenAI reasoning
// models, one declared `reasoning` and one not.
import type { RecordedCall } from '@switchyard/mock-provider';
import { CLIENT_KEY, type Harness, type PolicyContext, startHarness } from './gateway.js';

export { CLIENT_KEY };

export const GPT = 'gpt-4o-2024-08-06';
export const CLAUDE = 'claude-sonnet-4-5-20250929';
export const GEMINI = 'gemini-2.5-pro';
/** An OpenAI reasoning model the policy declares `reasoning`: its output cap goes as `max_completion_tokens`. */
export const REASONING = 'o3-mini-2025-01-31';
/** An OpenAI reasoning model the policy does not declare `reasoning`: OpenAI's own 400 reaches the client. */
export const REASONING_UNMARKED = 'o4-mini-2025-04-16';

/** A provider format, the route that reaches it, the mock behind it and the model that mock serves. */
export interface Format {
  readonly format: 'openai' | 'anthropic' | 'gemini';
  readonly route: string;
  readonly mock: 'openai' | 'anthropic' | 'google';
  readonly model: string;
}

export const FORMATS: readonly Format[] = [
  { format: 'openai', route: 'to-openai', mock: 'openai', model: GPT },
  { format: 'anthropic', route: 'to-anthropic', mock: 'anthropic', model: CLAUDE },
  { format: 'gemini', route: 'to-gemini', mock: 'google', model: GEMINI },
];

/** The scripted failures every format's mock plays, by the model ID a client asks for. */
export type Fault = 'rate-limited' | 'stream-error' | 'stream-cut';
export const FAULTS: readonly Fault[] = ['rate-limited', 'stream-error', 'stream-cut'];

/** The exact model ID whose upstream fails with `fault` on `format`'s provider, e.g. `anthropic-stream-cut`. */
export function faultModel(format: Format, fault: Fault): string {
  return `${format.format}-${fault}`;
}

const SCRIPTS = {
  // A 429 with Retry-After: the gateway has no retry or fallback for an exact ID, so the client gets it.
  'rate-limited': { status: 429, retryAfter: '1' },
  // After one content delta, the provider's own error event ends the stream.
  'stream-error': { streamError: 500, dropAfterChunks: 1 },
  // After one content delta, the provider's socket is destroyed.
  'stream-cut': { dropAfterChunks: 1 },
} as const;

function policy(ctx: PolicyContext): string {
  const origin = (name: string) => new URL(ctx.url(name)).origin;
  const faults = FORMATS.flatMap((f) =>
    FAULTS.map(
      (fault) =>
        `  ${faultModel(f, fault)}: { provider: ${f.mock}, capabilities: [tools, json_schema, streaming], price: { input: 1, output: 1 } }`,
    ),
  ).join('\n');
  return `version: 1
providers:
  openai: { format: openai, base_url: ${ctx.url('openai')}, credentials: [{ env: ${ctx.env('openai')} }] }
  anthropic: { format: anthropic, base_url: ${origin('anthropic')}, credentials: [{ env: ${ctx.env('anthropic')} }] }
  google: { format: gemini, base_url: ${origin('google')}/v1beta, credentials: [{ env: ${ctx.env('google')} }] }
models:
  ${GPT}: { provider: openai, capabilities: [tools, json_schema, streaming, vision], price: { input: 2.5, output: 10 } }
  ${CLAUDE}: { provider: anthropic, max_output_tokens: 8192, capabilities: [tools, json_schema, streaming, vision], price: { input: 3, output: 15 } }
  ${GEMINI}: { provider: google, capabilities: [tools, json_schema, streaming, vision], price: { input: 1.25, output: 10 } }
  ${REASONING}: { provider: openai, capabilities: [tools, json_schema, streaming, reasoning], price: { input: 1.1, output: 4.4 } }
  ${REASONING_UNMARKED}: { provider: openai, capabilities: [tools, json_schema, streaming], price: { input: 1.1, output: 4.4 } }
${faults}
routes:
  to-openai: { default: ${GPT} }
  to-anthropic: { default: ${CLAUDE} }
  to-gemini: { default: ${GEMINI} }
  reasoning: { default: ${REASONING} }
  reasoning-unmarked: { default: ${REASONING_UNMARKED} }
keys:
  - { name: app, secret: { env: E2E_CLIENT }, owner: app }
`;
}

/** Starts the three mocks and the gateway; close it with `harness.close()`. */
export function startThreeFormats(): Promise<Harness> {
  const scripts = (format: Format) => Object.fromEntries(FAULTS.map((fault) => [faultModel(format, fault), SCRIPTS[fault]]));
  const [openai, anthropic, gemini] = FORMATS as [Format, Format, Format];
  return startHarness({
    mocks: ['openai', 'anthropic', 'google'],
    policy,
    env: { E2E_CLIENT: CLIENT_KEY },
    mockOptions: {
      openai: { script: scripts(openai) },
      anthropic: { script: scripts(anthropic) },
      google: { script: scripts(gemini) },
    },
  });
}

/** The model calls (not token counts or listings) `mock` received since its last reset. */
export function modelCalls(h: Harness, mock: Format['mock']): RecordedCall[] {
  return h.mocks[mock]!.calls.filter((call) =>
    /(chat\/completions|\/messages|\/responses|:generateContent|:streamGenerateContent)$/.test(call.path),
  );
}

/** The one model call `mock` received since its last reset; throws when there were none or several. */
export function onlyModelCall(h: Harness, mock: Format['mock']): RecordedCall {
  const calls = modelCalls(h, mock);
  if (calls.length !== 1) throw new Error(`expected one call to the ${mock} mock, got ${calls.length}`);
  return calls[0]!;
}

/** The body of the last model call `mock` received, as a record. */
export function lastBody(h: Harness, mock: Format['mock']): Record<string, unknown> {
  const call = modelCalls(h, mock).at(-1);
  if (!call) throw new Error(`the ${mock} mock received no model call`);
  return call.body as Record<string, unknown>;
}
