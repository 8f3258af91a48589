// Properties of the Gemini front door over open-ended input: any request body either translates into a
// chat request the other translators read, or fails with a 400 SwitchyardError rendered in Google's
// shape; any upstream chunk stream comes out as Gemini events and at most one Google error, last.
import { SwitchyardError } from '@switchyard/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toAnthropicRequest } from '../anthropic/request.js';
import { readChatRequest } from '../chat-input.js';
import { toGeminiRequest } from '../gemini/request.js';
import { runPieces } from '../../test/sse.js';
import { googleError } from './errors.js';
import { toChatRequestFromGemini } from './request.js';
import { openAIToGeminiStream } from './stream.js';

const NAMES = ['f', 'g', 'get_weather'];
const json = fc.jsonValue({ maxDepth: 3 });
const name = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...NAMES) }, fc.string(), json);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
/** Mostly absent: each field a body may hold shows up in one body out of six. */
const rare = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) }, arb);
/** Mostly well-formed, sometimes any JSON at all. */
const mostly = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 6, arbitrary: arb }, json);

const part = fc.oneof(
  { weight: 8, arbitrary: fc.record({ text: fc.string(), thought: rare(fc.boolean()), thoughtSignature: rare(fc.string()) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      inlineData: fc.record({
        mimeType: fc.constantFrom('image/png', 'IMAGE/JPEG', 'audio/mp3', 'application/pdf', ''),
        data: fc.base64String(),
      }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      fileData: fc.record({
        mimeType: maybe(fc.constantFrom('image/webp', 'video/mp4', 'x')),
        fileUri: fc.oneof(
          fc.constantFrom(
            'https://e.com/a.png',
            'https://e.com/a',
            'gs://b/a.png',
            'http://[::1',
            'https://generativelanguage.googleapis.com/f',
          ),
          fc.webUrl(),
          fc.string(),
        ),
      }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      functionCall: mostly(
        fc.record({ name, args: maybe(mostly(fc.dictionary(fc.string(), json))), id: rare(fc.constantFrom('a', 'b', '')) }),
      ),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      functionResponse: mostly(
        fc.record({
          name,
          response: mostly(fc.dictionary(fc.string(), json)),
          id: rare(fc.constantFrom('a', 'b')),
          parts: rare(json),
        }),
      ),
    }),
  },
  fc.record({ executableCode: fc.record({ code: fc.string() }) }),
  fc.dictionary(fc.string(), json, { maxKeys: 2 }),
  json,
);
const content = mostly(
  fc.record({
    role: fc.oneof({ weight: 6, arbitrary: fc.constantFrom('user', 'model', undefined) }, fc.constantFrom('function', 'system')),
    parts: fc.array(part, { minLength: 1, maxLength: 4 }),
  }),
);
/** A Gemini Schema of any shape, nested `depth` levels at most. */
const schemaAt = (depth: number): fc.Arbitrary<unknown> =>
  mostly(
    fc.record(
      {
        type: fc.constantFrom('OBJECT', 'string', 'INTEGER', 'ARRAY', 'NULL', 'TYPE_UNSPECIFIED', 'TUPLE'),
        nullable: fc.boolean(),
        enum: fc.array(fc.string(), { maxLength: 2 }),
        format: fc.constantFrom('enum', 'int32', 'date-time'),
        propertyOrdering: fc.array(fc.string()),
        example: json,
        ...(depth > 0
          ? {
              properties: fc.dictionary(fc.string({ maxLength: 3 }), schemaAt(depth - 1), { maxKeys: 2 }),
              items: schemaAt(depth - 1),
              anyOf: fc.array(schemaAt(depth - 1), { maxLength: 2 }),
            }
          : {}),
      },
      { requiredKeys: [] },
    ),
  );
const schema = schemaAt(2);
const declaration = mostly(
  fc.record({
    name,
    description: rare(fc.string()),
    parameters: rare(schema),
    parametersJsonSchema: rare(json),
    response: rare(schema),
  }),
);
const tool = fc.oneof(
  { weight: 6, arbitrary: fc.record({ functionDeclarations: mostly(fc.array(declaration, { maxLength: 3 })) }) },
  fc.constantFrom({ googleSearch: {} }, { codeExecution: {} }, { urlContext: {} }),
  json,
);
const generationConfig = fc.record({
  temperature: rare(mostly(fc.double({ min: 0, max: 2, noNaN: true }))),
  topK: rare(json),
  maxOutputTokens: rare(fc.oneof(fc.integer({ min: -1, max: 10_000 }), json)),
  stopSequences: rare(mostly(fc.array(fc.string(), { maxLength: 3 }))),
  seed: rare(fc.oneof(fc.integer(), fc.double())),
  candidateCount: rare(fc.integer({ min: 0, max: 3 })),
  responseMimeType: rare(fc.constantFrom('text/plain', 'application/json', 'text/x.enum', 'image/png')),
  responseSchema: rare(schema),
  responseJsonSchema: rare(json),
  responseModalities: rare(fc.array(fc.constantFrom('TEXT', 'text', 'IMAGE', 'AUDIO'), { maxLength: 2 })),
  responseLogprobs: rare(fc.boolean()),
  thinkingConfig: rare(json),
  toString: rare(json),
});
/** Bodies of any shape: mostly Gemini's, often broken somewhere. */
const anyBody = mostly(
  fc.record({
    contents: mostly(fc.array(content, { minLength: 1, maxLength: 4 })),
    systemInstruction: rare(mostly(fc.record({ parts: fc.array(part, { maxLength: 2 }) }))),
    tools: rare(mostly(fc.array(tool, { maxLength: 2 }))),
    toolConfig: rare(
      mostly(
        fc.record({
          functionCallingConfig: mostly(
            fc.record({
              mode: fc.constantFrom('AUTO', 'ANY', 'NONE', 'VALIDATED', 'MODE_UNSPECIFIED', 'X', undefined),
              allowedFunctionNames: rare(fc.array(name, { maxLength: 2 })),
            }),
          ),
        }),
      ),
    ),
    generationConfig: rare(mostly(generationConfig)),
    safetySettings: rare(json),
    cachedContent: rare(fc.string()),
    constructor: rare(json),
  }),
);

// Well-formed bodies: conversations whose function responses answer their calls, valid schemas.
/** A valid Gemini Schema, nested `depth` levels at most. */
const validSchemaAt = (depth: number): fc.Arbitrary<unknown> =>
  fc.record(
    {
      type: fc.constantFrom('OBJECT', 'STRING', 'integer', 'NUMBER', 'BOOLEAN', 'ARRAY'),
      nullable: fc.boolean(),
      description: fc.string(),
      enum: fc.array(fc.string(), { minLength: 1, maxLength: 2 }),
      propertyOrdering: fc.array(fc.string()),
      ...(depth > 0
        ? {
            properties: fc.dictionary(fc.string({ minLength: 1, maxLength: 3 }), validSchemaAt(depth - 1), { maxKeys: 2 }),
            items: validSchemaAt(depth - 1),
            anyOf: fc.array(validSchemaAt(depth - 1), { minLength: 1, maxLength: 2 }),
          }
        : {}),
    },
    { requiredKeys: ['type'] },
  );
const validSchema = validSchemaAt(2);
const args = fc.dictionary(fc.string({ maxLength: 5 }), json, { maxKeys: 3 });
const userPart = fc.oneof(
  { weight: 4, arbitrary: fc.string({ minLength: 1 }).map((text) => ({ text })) },
  fc.base64String({ minLength: 4, maxLength: 12 }).map((data) => ({ inlineData: { mimeType: 'image/png', data } })),
  fc.constantFrom('https://e.com/a.png', 'https://e.com/b.JPG').map((fileUri) => ({ fileData: { fileUri } })),
);
const call = fc.record({ name: fc.constantFrom(...NAMES), args, id: rare(fc.constantFrom('a', 'b', 'c')) });
const exchange = fc.oneof(
  fc.array(userPart, { minLength: 1, maxLength: 3 }).map((parts) => [{ role: 'user', parts }]),
  fc.string({ minLength: 1 }).map((text) => [{ role: 'model', parts: [{ text }, { text: '…', thought: true }] }]),
  fc
    .array(call, { minLength: 1, maxLength: 3 })
    .chain((calls) =>
      fc.tuple(fc.constant(calls), fc.shuffledSubarray(calls, { minLength: calls.length }), fc.option(fc.string())),
    )
    .map(([calls, answered, text]) => [
      { role: 'model', parts: calls.map((functionCall) => ({ functionCall })) },
      {
        role: 'user',
        parts: [
          ...answered.map(({ name, id }) => ({ functionResponse: { name, id, response: { ok: true } } })),
          ...(text ? [{ text }] : []),
        ],
      },
    ]),
);
const validBody = fc.record({
  contents: fc.array(exchange, { minLength: 1, maxLength: 4 }).map((turns) => turns.flat()),
  systemInstruction: rare(
    fc.array(fc.string(), { minLength: 1, maxLength: 2 }).map((texts) => ({ parts: texts.map((text) => ({ text })) })),
  ),
  tools: rare(
    fc
      .array(fc.record({ description: fc.string(), parameters: rare(validSchema) }), {
        minLength: NAMES.length,
        maxLength: NAMES.length,
      })
      .map((declarations) => [{ functionDeclarations: declarations.map((d, i) => ({ name: NAMES[i], ...d })) }]),
  ),
  toolConfig: rare(
    fc.record({
      functionCallingConfig: fc.oneof(
        fc.record({ mode: fc.constantFrom('AUTO', 'NONE', 'VALIDATED') }),
        fc.record({ mode: fc.constantFrom('ANY', 'VALIDATED'), allowedFunctionNames: fc.subarray(NAMES) }),
      ),
    }),
  ),
  generationConfig: rare(
    fc.record({
      temperature: rare(fc.double({ min: 0, max: 2, noNaN: true })),
      topP: rare(fc.double({ min: 0, max: 1, noNaN: true })),
      topK: rare(fc.nat()),
      maxOutputTokens: rare(fc.integer({ min: 1, max: 8192 })),
      stopSequences: rare(fc.array(fc.string(), { maxLength: 3 })),
      seed: rare(fc.integer()),
      candidateCount: rare(fc.constant(1)),
      thinkingConfig: rare(fc.record({ thinkingBudget: fc.nat() })),
      responseMimeType: rare(fc.constantFrom('text/plain', 'application/json')),
    }),
  ),
});

const body = fc.oneof(anyBody, validBody).map((value) => JSON.parse(JSON.stringify(value) ?? 'null') as unknown); // as a client's JSON arrives: no undefined

/** Runs `translate`; answers the error it threw, checked to be a 400 SwitchyardError, or undefined. */
function refusal(translate: () => unknown): SwitchyardError | undefined {
  try {
    translate();
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(SwitchyardError);
    expect((err as SwitchyardError).status).toBe(400);
    return err as SwitchyardError;
  }
}

describe('Gemini front door properties', () => {
  it('should translate any body into a chat request every other translator reads, or refuse it with a 400 in Google’s shape', () => {
    fc.assert(
      fc.property(body, fc.boolean(), (input, stream) => {
        let chat: ReturnType<typeof toChatRequestFromGemini> | undefined;
        const err = refusal(() => (chat = toChatRequestFromGemini(input, { model: 'm', stream })));
        if (err) {
          const { body: rendered } = googleError(err);
          expect(Object.keys(rendered)).toStrictEqual(['error']);
          expect(Object.keys(rendered.error)).toStrictEqual(['code', 'message', 'status']);
          expect(rendered.error.code).toBe(400);
          expect(rendered.error.status).toBe('INVALID_ARGUMENT');
          return;
        }
        const wire = JSON.parse(JSON.stringify(chat));
        expect(() => readChatRequest(wire)).not.toThrow();
        refusal(() => toAnthropicRequest(wire, { model: 'claude' }));
        refusal(() => toGeminiRequest(wire, { model: 'gemini-2.5-pro' }));
      }),
      { numRuns: 500 },
    );
  });

  const chunk = (delta: unknown, finish: unknown = null, usage: unknown = null) => ({
    id: 'c',
    choices: [{ index: 0, delta, finish_reason: finish }],
    usage,
  });
  const upstreamEvent = fc.oneof(
    fc.string({ maxLength: 5 }).map((content) => chunk({ content })),
    fc
      .record({
        index: fc.oneof(fc.integer({ min: 0, max: 2 }), fc.constant(undefined)),
        id: maybe(fc.constantFrom('x', 'y')),
        name: maybe(name),
        args: fc.string({ maxLength: 6 }),
      })
      .map(({ index, id, name, args }) => chunk({ tool_calls: [{ index, id, function: { name, arguments: args } }] })),
    fc.constantFrom('stop', 'length', 'tool_calls', 'content_filter', 'other').map((finish) => chunk({}, finish)),
    fc.nat(50).map((n) => ({ id: 'c', choices: [], usage: { prompt_tokens: n, completion_tokens: n, total_tokens: 2 * n } })),
    fc
      .record({ message: fc.string(), type: fc.constantFrom('server_error', 'rate_limit_error'), code: json })
      .map((error) => ({ error })),
    fc.constant('[DONE]'),
    fc.constant('{not json'),
    json,
  );

  it('should turn any upstream chunk stream, cut anywhere, into Gemini events and at most one Google error, last', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(upstreamEvent, { maxLength: 8 }), fc.nat(), fc.nat(), async (events, cutAt, splitAt) => {
        const text = events.map((e) => `data: ${typeof e === 'string' ? e : JSON.stringify(e)}\n\n`).join('');
        const bytes = Buffer.from(text).subarray(0, events.length > 0 ? cutAt % (Buffer.byteLength(text) + 1) : 0);
        const at = splitAt % (bytes.length + 1);
        const stream = openAIToGeminiStream({ model: 'm' });
        const out = await runPieces(stream, [bytes.subarray(0, at), bytes.subarray(at)]);
        expect(stream.ended).toBeDefined();
        expect(out.endsWith('\r\n\r\n')).toBe(true);
        const answers = out
          .split('\r\n\r\n')
          .slice(0, -1)
          .map((event) => {
            expect(event.startsWith('data: ')).toBe(true);
            return JSON.parse(event.slice('data: '.length));
          });
        answers.forEach((answer, i) => {
          const isLast = i === answers.length - 1;
          if ('error' in answer) {
            expect(isLast).toBe(true);
            expect(Object.keys(answer)).toStrictEqual(['error']);
            expect(Object.keys(answer.error)).toStrictEqual(['code', 'message', 'status']);
            expect(answer.error.code).toBeGreaterThanOrEqual(400);
            expect(answer.error.code).toBeLessThan(600);
            expect(stream.ended).not.toBe('done');
            return;
          }
          const [candidate] = answer.candidates;
          expect(answer.candidates).toHaveLength(1);
          expect(candidate.content.role).toBe('model');
          expect(candidate.content.parts.length).toBeGreaterThan(0);
          expect(candidate.finishReason !== undefined).toBe(isLast && stream.ended === 'done');
        });
        if (stream.ended === 'done') expect(answers.at(-1).candidates[0].finishReason).toBeDefined();
        else expect(answers.at(-1)).toHaveProperty('error');
      }),
      { numRuns: 300 },
    );
  });
});
