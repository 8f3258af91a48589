// Fuzzing @switchyard/formats directly: every request translator and every wire with random client bodies,
// every answer translator with random upstream bodies, error bodies and event streams (cut anywhere). Nothing
// but a SwitchyardError may escape, and no credential may appear in anything they produce.
import { PassThrough } from 'node:stream';
import { parseRequest, Secret, SwitchyardError, type Endpoint, type ModelConfig, type ProviderConfig } from '@switchyard/core';
import {
  ANTHROPIC_ANSWERS,
  ANTHROPIC_TO_OPENAI_ANSWERS,
  ANTHROPIC_TO_RESPONSES_ANSWERS,
  type AnswerTranslator,
  GEMINI_ANSWERS,
  GEMINI_FRONT_ANTHROPIC_ANSWERS,
  GEMINI_FRONT_OPENAI_ANSWERS,
  GEMINI_TO_ANTHROPIC_ANSWERS,
  GEMINI_TO_RESPONSES_ANSWERS,
  readChatRequest,
  toAnthropicRequest,
  toChatRequestFromGemini,
  toChatRequestFromResponses,
  toGeminiRequest,
  toOpenAIRequest,
  wiresFor,
} from '@switchyard/formats';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shapes, type Shapes } from './fuzz-shapes.js';

const CREDENTIAL = 'sk-fuzz-provider-credential-6f2d91';
const MODEL = 'fuzz-model';

/** Runs `f`; anything it throws must be a SwitchyardError (a 400 for a request, a 502 for an answer). */
function onlySwitchyardErrors<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch (err) {
    if (!(err instanceof SwitchyardError)) throw new Error(`not a SwitchyardError: ${String((err as Error)?.stack ?? err)}`);
    expect(err.status).toBeGreaterThanOrEqual(400);
    expect(err.message).not.toContain(CREDENTIAL);
    return undefined;
  }
}

function noCredential(output: unknown): void {
  const text = Buffer.isBuffer(output)
    ? output.toString('utf8')
    : typeof output === 'string'
      ? output
      : (JSON.stringify(output) ?? '');
  expect(text.includes(CREDENTIAL)).toBe(false);
}

const CLEAN = shapes(false);
const NOISY = shapes(true);

/** A shape clean or noisy, or any JSON at all now and then. */
function mixed<K extends keyof Shapes>(kind: K): fc.Arbitrary<unknown> {
  return fc.oneof(
    { arbitrary: CLEAN[kind] as fc.Arbitrary<unknown>, weight: 3 },
    { arbitrary: NOISY[kind] as fc.Arbitrary<unknown>, weight: 3 },
    { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 1 },
  );
}

// ── request translators and wires ──

const MODEL_CONFIG: ModelConfig = { id: MODEL, provider: 'p', capabilities: new Set(), maxOutputTokens: 4096 };
const provider = (format: ProviderConfig['format']): ProviderConfig => ({
  name: 'p',
  format,
  baseUrl: 'https://upstream.test/v1',
  credentials: [{ index: 0, env: 'FUZZ_KEY', secret: new Secret(CREDENTIAL) }],
  forwardHeaders: [],
});
/** The text endpoints: the media ones take other bodies (and multipart), fuzzed in their own suites. */
type TextEndpoint = Extract<Endpoint, 'chat' | 'completions' | 'embeddings' | 'responses' | 'messages'>;
const PATH_OF: Readonly<Record<TextEndpoint, string>> = {
  chat: '/chat/completions',
  completions: '/completions',
  embeddings: '/embeddings',
  responses: '/responses',
  messages: '/messages',
};
const BODY_FOR: Readonly<Record<TextEndpoint, keyof Shapes>> = {
  chat: 'chat',
  completions: 'chat',
  embeddings: 'chat',
  responses: 'responses',
  messages: 'messages',
};

describe('request translators under random bodies', () => {
  it.each([
    ['toAnthropicRequest', 'chat', (b: unknown) => toAnthropicRequest(b, { model: MODEL, defaultMaxTokens: 1024 })],
    ['toGeminiRequest', 'chat', (b: unknown) => toGeminiRequest(b, { model: MODEL })],
    ['readChatRequest', 'chat', (b: unknown) => readChatRequest(b as never)],
    ['toOpenAIRequest', 'messages', (b: unknown) => toOpenAIRequest(b, { model: MODEL })],
    ['toChatRequestFromResponses', 'responses', (b: unknown) => toChatRequestFromResponses(b, { model: MODEL })],
    ['toChatRequestFromGemini', 'gemini', (b: unknown) => toChatRequestFromGemini(b, { model: MODEL, stream: false })],
  ] as const)('%s should translate or refuse with a SwitchyardError, never throw anything else', (_name, kind, translate) => {
    let translated = 0;
    fc.assert(
      fc.property(mixed(kind), (body) => {
        const out = onlySwitchyardErrors(() => translate(body));
        if (out !== undefined) translated++;
        noCredential(out);
      }),
      { numRuns: 400 },
    );
    // Not only refusals: the clean bodies get through.
    expect(translated).toBeGreaterThan(10);
  });

  it('every wire should make the outgoing request or refuse with a SwitchyardError, and never send a credential', () => {
    const pairs = (Object.keys(PATH_OF) as TextEndpoint[]).flatMap((endpoint) =>
      [...wiresFor(endpoint).entries()].map(([format, wire]) => ({ endpoint, format, wire })),
    );
    const made = new Set<string>();
    fc.assert(
      fc.property(
        fc.constantFrom(...pairs).chain((pair) => fc.tuple(fc.constant(pair), mixed(BODY_FOR[pair.endpoint]))),
        ([{ endpoint, format, wire }, body]) => {
          const raw = Buffer.from(JSON.stringify(body) ?? 'null');
          const request = onlySwitchyardErrors(() =>
            parseRequest({ path: PATH_OF[endpoint], body, raw, headers: {}, rawHeaders: [] }),
          );
          if (!request) return;
          const outgoing = onlySwitchyardErrors(() => wire.outgoing(request, MODEL_CONFIG, provider(format)));
          if (!outgoing) return;
          made.add(`${endpoint}→${format}`);
          noCredential(outgoing.body);
        },
      ),
      { numRuns: 800 },
    );
    expect([...made].sort()).toEqual(pairs.map((p) => `${p.endpoint}→${p.format}`).sort());
  });
});

// ── answer translators ──

type Upstream = 'anthropic' | 'gemini' | 'openai';

/** Upstream events of `format`: near-valid ones (clean or noisy), any JSON, or lines that are not JSON. */
function events(format: Upstream): fc.Arbitrary<string> {
  const data = (arb: fc.Arbitrary<unknown>) => arb.map((value) => `data: ${JSON.stringify(value)}\n\n`);
  const valid = (s: Shapes) =>
    format === 'anthropic'
      ? s.anthropicEvent.map(([type, value]) => `event: ${type}\ndata: ${JSON.stringify({ type, ...value })}\n\n`)
      : format === 'gemini'
        ? data(s.geminiResponse)
        : fc.oneof(data(s.openAIChunk), fc.constant('data: [DONE]\n\n'));
  return fc.oneof(
    { arbitrary: valid(CLEAN), weight: 4 },
    { arbitrary: valid(NOISY), weight: 3 },
    { arbitrary: data(fc.jsonValue({ maxDepth: 2 })), weight: 1 },
    { arbitrary: fc.string({ maxLength: 30 }).map((t) => `data: ${t}\n\n`), weight: 1 },
    {
      arbitrary: fc.constantFrom(': comment\n\n', 'event: error\ndata: {"error":{"message":"boom"}}\n\n', '\n\n', 'retry: 5\n'),
      weight: 1,
    },
  );
}

/** A stream of `format`'s events cut into chunks anywhere (inside a UTF-8 character too), CRLF line ends now and then. */
const stream = (format: Upstream) =>
  fc
    .tuple(
      fc.array(events(format), { maxLength: 12 }),
      fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 5 }),
      fc.boolean(),
    )
    .map(([list, cuts, crlf]) => {
      const whole = Buffer.from(crlf ? list.join('').replace(/\n/g, '\r\n') : list.join(''));
      const at = [...new Set(cuts.map((c) => Math.floor(c * whole.length)))].sort((a, b) => a - b);
      const chunks: Buffer[] = [];
      let from = 0;
      for (const to of at) {
        chunks.push(whole.subarray(from, to));
        from = to;
      }
      chunks.push(whole.subarray(from));
      return chunks;
    });

const STREAM_REQUEST = parseRequest({
  path: '/chat/completions',
  body: { model: MODEL, messages: [{ role: 'user', content: 'x' }], stream: true, stream_options: { include_usage: true } },
  raw: Buffer.from('{}'),
  headers: {},
  rawHeaders: [],
});

/** Pipes `chunks` through the translator's transforms; the client's text. Rejects when a transform emits an error. */
async function translatedStream(translator: AnswerTranslator, chunks: readonly Buffer[]): Promise<string> {
  const transforms = translator.stream(MODEL, STREAM_REQUEST);
  const source = new PassThrough();
  let tail: NodeJS.ReadableStream = source;
  for (const t of transforms) tail = tail.pipe(t);
  const out: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    tail.on('data', (c: Buffer | string) => out.push(Buffer.from(c)));
    tail.on('end', resolve);
    for (const t of transforms) t.on('error', reject);
  });
  for (const chunk of chunks) source.write(chunk);
  source.end();
  await done;
  return Buffer.concat(out).toString('utf8');
}

const ANSWERS: ReadonlyArray<readonly [name: string, translator: AnswerTranslator, upstream: Upstream]> = [
  ['ANTHROPIC_ANSWERS', ANTHROPIC_ANSWERS, 'anthropic'],
  ['ANTHROPIC_TO_RESPONSES_ANSWERS', ANTHROPIC_TO_RESPONSES_ANSWERS, 'anthropic'],
  ['GEMINI_FRONT_ANTHROPIC_ANSWERS', GEMINI_FRONT_ANTHROPIC_ANSWERS, 'anthropic'],
  ['GEMINI_ANSWERS', GEMINI_ANSWERS, 'gemini'],
  ['GEMINI_TO_ANTHROPIC_ANSWERS', GEMINI_TO_ANTHROPIC_ANSWERS, 'gemini'],
  ['GEMINI_TO_RESPONSES_ANSWERS', GEMINI_TO_RESPONSES_ANSWERS, 'gemini'],
  ['ANTHROPIC_TO_OPENAI_ANSWERS', ANTHROPIC_TO_OPENAI_ANSWERS, 'openai'],
  ['GEMINI_FRONT_OPENAI_ANSWERS', GEMINI_FRONT_OPENAI_ANSWERS, 'openai'],
];
const BODY_OF: Readonly<Record<Upstream, keyof Shapes>> = {
  anthropic: 'anthropicMessage',
  gemini: 'geminiResponse',
  openai: 'openAICompletion',
};
/** JSON bytes mostly, raw bytes now and then. */
const bytes = (arb: fc.Arbitrary<unknown>) =>
  fc.oneof(
    { arbitrary: arb.map((v) => Buffer.from(JSON.stringify(v) ?? '')), weight: 5 },
    { arbitrary: fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)), weight: 1 },
  );

describe.each(ANSWERS)('%s under random upstream answers', (_name, translator, upstream) => {
  it('should translate a JSON answer or refuse it with a SwitchyardError', () => {
    let translated = 0;
    fc.assert(
      fc.property(bytes(mixed(BODY_OF[upstream])), (body) => {
        const out = onlySwitchyardErrors(() => translator.json(body, MODEL));
        if (out !== undefined) translated++;
        noCredential(out);
      }),
      { numRuns: 300 },
    );
    expect(translated).toBeGreaterThan(10);
  });

  it('should turn any error body into an error status and body', () => {
    fc.assert(
      fc.property(fc.integer({ min: 400, max: 599 }), bytes(mixed('errorBody')), (status, body) => {
        const out = onlySwitchyardErrors(() => translator.error(status, body));
        if (!out) return;
        expect(out.status).toBeGreaterThanOrEqual(400);
        expect(out.status).toBeLessThanOrEqual(599);
        noCredential(out.body);
      }),
      { numRuns: 300 },
    );
  });

  it('should carry any event stream, cut anywhere, to its end without an error escaping', async () => {
    let carried = 0;
    await fc.assert(
      fc.asyncProperty(stream(upstream), async (chunks) => {
        const out = await translatedStream(translator, chunks);
        if (out !== '') carried++;
        noCredential(out);
      }),
      { numRuns: 150 },
    );
    expect(carried).toBeGreaterThan(0);
  });
});
