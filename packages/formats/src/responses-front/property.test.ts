// Property tests: any body, valid or not, is translated or refused with a 400, never anything else; and
// whatever the pivot produces, the chat → Anthropic and chat → Gemini translators take or refuse with a 400.
import { SwitchyardError } from '@switchyard/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toAnthropicRequest } from '../anthropic/request.js';
import { toGeminiRequest } from '../gemini/request.js';
import type { JsonObject } from '../json.js';
import { toChatRequestFromResponses } from './request.js';

const MODEL = 'claude-sonnet-4-5';
const RUNS = 2000;

const text = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('', 'Hi', '{"a":1}'));
const schemas = fc.constantFrom<JsonObject>(
  { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  { type: 'object' },
  { type: 'object', properties: { a: { $ref: '#/$defs/a' } }, $defs: { a: { type: 'integer' } } },
  { type: 'object', properties: { n: { anyOf: [{ type: 'null' }, { type: 'number' }] } } },
  { type: 'object', properties: { e: { const: 3 } }, additionalProperties: false },
);
/** Schemas the Responses API takes, but not every provider: a non-object root, a recursive one. */
const oddSchemas = fc.constantFrom<JsonObject>({ type: 'string' }, { type: 'object', properties: { self: { $ref: '#' } } });

/**
 * Request bodies. Clean ones hold only what the Responses API documents (some of which other providers
 * refuse); noisy ones also hold malformed values, refused fields and now and then any JSON at all.
 */
function bodies(noisy: boolean): fc.Arbitrary<unknown> {
  /** `valid`, or (when noisy) sometimes `invalid`. */
  const pick = <T, U>(valid: fc.Arbitrary<T>, invalid: fc.Arbitrary<U>) =>
    noisy ? fc.oneof({ arbitrary: valid, weight: 4 }, { arbitrary: invalid, weight: 1 }) : valid;
  const orJunk = <T>(arb: fc.Arbitrary<T>) => pick(arb, fc.jsonValue());
  /** Absent, or `arb`. */
  const optional = <T>(arb: fc.Arbitrary<T>) =>
    fc.oneof({ arbitrary: fc.constant(undefined), weight: 2 }, { arbitrary: arb, weight: 1 });
  /** Absent, or (when noisy, now and then) `value`: for fields that are refused whenever they are set. */
  const refused = <T>(value: T) =>
    noisy
      ? fc.oneof({ arbitrary: fc.constant(undefined), weight: 9 }, { arbitrary: fc.constant(value), weight: 1 })
      : fc.constant(undefined);

  const imageUrl = pick(
    fc.constantFrom(
      'data:image/png;base64,iVBORw0KGgo=',
      'data:image/bmp;base64,Qk0=',
      'https://example.com/cat.jpg',
      'https://x.io/a',
    ),
    fc.constantFrom('data:image/png,raw', 'ftp://example.com/a.png', ''),
  );
  const textPart = fc.record({ type: fc.constantFrom('input_text', 'output_text'), text });
  const part = orJunk(
    fc.oneof(
      { weight: 3, arbitrary: textPart },
      {
        weight: 1,
        arbitrary: fc.record({ type: fc.constant('input_image'), image_url: imageUrl, detail: fc.constantFrom('auto', 'low') }),
      },
      ...(noisy
        ? [
            {
              weight: 1,
              arbitrary: fc.record({
                type: fc.constantFrom('input_image', 'input_file', 'input_audio'),
                file_id: fc.constant('file-1'),
              }),
            },
          ]
        : []),
    ),
  );
  const content = fc.oneof(text, fc.array(part, { maxLength: 3 }));
  const message = fc.oneof(
    fc.record({ type: fc.constant('message'), role: fc.constant('user'), content }, { requiredKeys: ['role', 'content'] }),
    fc.record(
      {
        type: fc.constant('message'),
        role: pick(fc.constantFrom('assistant', 'system', 'developer'), fc.constant('tool')),
        content: fc.oneof(text, fc.array(orJunk(textPart), { maxLength: 2 })),
      },
      { requiredKeys: ['role', 'content'] },
    ),
  );
  const callId = pick(fc.constantFrom('call_1', 'call_2', 'call_3'), fc.constant(''));
  const args = pick(
    fc.constantFrom('{}', '{"city":"Paris"}', '{"n":[1,{"x":null}]}', ''),
    fc.constantFrom('not json', '[1]', '{"a":'),
  );
  const item = orJunk(
    fc.oneof(
      { weight: 4, arbitrary: message },
      {
        weight: 2,
        arbitrary: fc.record({
          type: fc.constant('function_call'),
          call_id: callId,
          name: pick(fc.constantFrom('get_weather', 'f'), fc.constant('')),
          arguments: args,
        }),
      },
      {
        weight: 2,
        arbitrary: fc.record({
          type: fc.constant('function_call_output'),
          call_id: callId,
          output: fc.oneof(text, fc.array(orJunk(fc.record({ type: fc.constant('input_text'), text })), { maxLength: 2 })),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          type: pick(fc.constant('reasoning'), fc.constantFrom('item_reference', 'web_search_call')),
          id: fc.constant('x_1'),
        }),
      },
    ),
  );
  const tool = orJunk(
    pick(
      fc.record(
        {
          type: fc.constant('function'),
          name: fc.constantFrom('get_weather', 'json_response'),
          description: text,
          parameters: fc.oneof({ arbitrary: schemas, weight: 4 }, { arbitrary: oddSchemas, weight: 1 }),
          strict: fc.boolean(),
        },
        { requiredKeys: ['type', 'name'] },
      ),
      fc.record({ type: fc.constantFrom('function', 'web_search', 'file_search', 'custom', 'mcp') }),
    ),
  );
  const toolChoice = pick(
    fc.oneof(
      fc.constantFrom('auto', 'none', 'required'),
      fc.record({ type: fc.constant('function'), name: fc.constant('get_weather') }),
    ),
    fc.oneof(fc.constant('sometimes'), fc.record({ type: fc.constantFrom('function', 'allowed_tools', 'web_search_preview') })),
  );
  const format = pick(
    fc.oneof(
      fc.record({ type: fc.constantFrom('text', 'json_object') }),
      fc.record(
        {
          type: fc.constant('json_schema'),
          name: fc.constant('out'),
          schema: fc.oneof({ arbitrary: schemas, weight: 4 }, { arbitrary: oddSchemas, weight: 1 }),
          strict: fc.boolean(),
        },
        { requiredKeys: ['type', 'name', 'schema'] },
      ),
    ),
    fc.record({ type: fc.constantFrom('json_schema', 'xml'), name: fc.constantFrom('', 'out') }),
  );
  const positive = pick(
    fc.integer({ min: 1, max: 100_000 }),
    fc.oneof(fc.integer({ min: -1, max: 0 }), fc.double(), fc.constant('10')),
  );
  const sampling = pick(fc.double({ min: 0, max: 2, noNaN: true }), fc.oneof(fc.constant(Number.NaN), fc.constant('hot')));

  return orJunk(
    fc.record({
      model: fc.constant('smart'),
      input: orJunk(
        fc.oneof({ arbitrary: text, weight: 1 }, { arbitrary: fc.array(item, { minLength: 1, maxLength: 6 }), weight: 4 }),
      ),
      instructions: optional(orJunk(text)),
      tools: optional(orJunk(fc.array(tool, { maxLength: 3 }))),
      tool_choice: optional(toolChoice),
      parallel_tool_calls: optional(orJunk(fc.boolean())),
      text: optional(
        orJunk(fc.record({ verbosity: fc.constantFrom('low', 'high'), format: orJunk(format) }, { requiredKeys: [] })),
      ),
      max_output_tokens: optional(positive),
      temperature: optional(sampling),
      top_p: optional(sampling),
      stream: optional(orJunk(fc.boolean())),
      user: optional(orJunk(text)),
      safety_identifier: optional(orJunk(text)),
      reasoning: optional(orJunk(fc.record({ effort: fc.constantFrom('minimal', 'low', 'high'), summary: fc.constant('auto') }))),
      metadata: optional(fc.jsonValue()),
      store: optional(fc.jsonValue()),
      truncation: optional(pick(fc.constantFrom('auto', 'disabled'), fc.constant('middle'))),
      include: optional(pick(fc.constant(['reasoning.encrypted_content']), fc.constant(['message.output_text.logprobs']))),
      top_logprobs: optional(pick(fc.constant(0), fc.constant(3))),
      previous_response_id: refused('resp_1'),
      conversation: refused('conv_1'),
      background: refused(true),
      prompt: refused({ id: 'pmpt_1' }),
    }),
  );
}

/** Runs `translate`; anything it throws must be a 400 SwitchyardError. Answers whether it translated. */
function translatedOr400(translate: () => unknown): boolean {
  try {
    translate();
    return true;
  } catch (err) {
    if (!(err instanceof SwitchyardError) || err.status !== 400) throw err;
    return false;
  }
}

describe('toChatRequestFromResponses() on any body', () => {
  it('should translate or refuse with a 400, and give Anthropic and Gemini only requests they take or refuse with a 400', () => {
    const outcomes = { refused: 0, translated: 0, anthropic: 0, gemini: 0 };
    fc.assert(
      fc.property(fc.oneof(bodies(false), bodies(true)), (b) => {
        let chat: JsonObject | undefined;
        if (!translatedOr400(() => (chat = toChatRequestFromResponses(b, { model: MODEL })))) {
          outcomes.refused += 1;
          return;
        }
        outcomes.translated += 1;
        expect(JSON.parse(JSON.stringify(chat))).toStrictEqual(chat);
        if (translatedOr400(() => toAnthropicRequest(chat, { model: MODEL }))) outcomes.anthropic += 1;
        if (translatedOr400(() => toGeminiRequest(chat, { model: 'gemini-2.5-pro' }))) outcomes.gemini += 1;
      }),
      { numRuns: RUNS },
    );
    // Every branch was exercised, or the property says little.
    expect(outcomes.translated).toBeGreaterThan(RUNS / 4);
    expect(outcomes.refused).toBeGreaterThan(RUNS / 4);
    expect(outcomes.anthropic).toBeGreaterThan(RUNS / 10);
    expect(outcomes.gemini).toBeGreaterThan(RUNS / 10);
  });
});

// A conversation as the AI SDK or LangChain sends one: text turns, and calls each answered by its output.
const turn = fc.oneof(
  fc.record({ role: fc.constantFrom('user', 'developer'), content: fc.string({ minLength: 1, maxLength: 10 }) }).map((m) => [m]),
  fc
    .tuple(
      fc.string({ maxLength: 10 }),
      fc.array(fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 2 })), { minLength: 1, maxLength: 3 }),
    )
    .map(([say, calls]) => [
      ...(say === '' ? [] : [{ role: 'assistant', content: [{ type: 'output_text', text: say, annotations: [] }] }]),
      ...calls.map((input, i) => ({
        type: 'function_call',
        call_id: `call_${i}`,
        name: 'get_weather',
        arguments: JSON.stringify(input),
      })),
      ...calls.map((_, i) => ({ type: 'function_call_output', call_id: `call_${i}`, output: `result ${i}` })),
    ]),
);

describe('toChatRequestFromResponses() on valid conversations', () => {
  it('should always reach Anthropic with every call and output in its place', () => {
    fc.assert(
      fc.property(fc.array(turn, { minLength: 1, maxLength: 5 }), (turns) => {
        const input = [{ role: 'user', content: 'Start' }, ...turns.flat()];
        const chat = toChatRequestFromResponses(
          { model: 'smart', input, tools: [{ type: 'function', name: 'get_weather', parameters: { type: 'object' } }] },
          { model: MODEL },
        );
        const anthropic = toAnthropicRequest(chat, { model: MODEL });
        const blocks = anthropic.messages.flatMap((m) => m.content);
        const calls = input.filter((i) => 'type' in i && i.type === 'function_call');
        expect(
          blocks.filter((b) => b.type === 'tool_use').map((b) => (b.type === 'tool_use' ? b.input : undefined)),
        ).toStrictEqual(calls.map((c) => JSON.parse((c as { arguments: string }).arguments)));
        expect(blocks.filter((b) => b.type === 'tool_result')).toHaveLength(calls.length);
        // Anthropic's turns alternate, starting with the user.
        expect(anthropic.messages.map((m) => m.role)).toStrictEqual(
          anthropic.messages.map((_, i) => (i % 2 === 0 ? 'user' : 'assistant')),
        );
        expect(() => toGeminiRequest(chat, { model: 'gemini-2.5-pro' })).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });
});
