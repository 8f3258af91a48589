// The shapes the fuzz suites send (test helper, not built): client request bodies of each wire format and
// upstream answers, bodies and events. Clean shapes hold only valid values and keep the fields a translator
// needs; noisy ones put a wrong value (any JSON, a huge number, a lone surrogate, `__proto__`) at any level
// and drop any field.
import fc from 'fast-check';

const JUNK = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(1e308, -1, 2 ** 53 + 1, 0.5, '', '\u0000', '\ud800', '__proto__', 'constructor', [], {}),
);
const TEXT = fc.oneof(fc.string({ maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 20 }), fc.constant('Hello!'));

/** Every arbitrary `shapes()` makes. */
export interface Shapes {
  readonly chat: fc.Arbitrary<Record<string, unknown>>;
  readonly messages: fc.Arbitrary<Record<string, unknown>>;
  readonly responses: fc.Arbitrary<Record<string, unknown>>;
  readonly gemini: fc.Arbitrary<Record<string, unknown>>;
  readonly anthropicMessage: fc.Arbitrary<Record<string, unknown>>;
  readonly geminiResponse: fc.Arbitrary<Record<string, unknown>>;
  readonly openAICompletion: fc.Arbitrary<Record<string, unknown>>;
  readonly openAIChunk: fc.Arbitrary<Record<string, unknown>>;
  /** An Anthropic stream event: its type and its data (without `type`). */
  readonly anthropicEvent: fc.Arbitrary<[string, Record<string, unknown>]>;
  readonly errorBody: fc.Arbitrary<Record<string, unknown>>;
}

export function shapes(noisy: boolean): Shapes {
  /** `valid`, or (noisy) now and then junk instead. */
  const v = <T>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> =>
    noisy ? fc.oneof({ arbitrary: valid, weight: 4 }, { arbitrary: JUNK, weight: 1 }) : valid;
  /** A record whose `required` keys stay in clean shapes; any key may be missing in noisy ones. */
  const rec = <T extends Record<string, fc.Arbitrary<unknown>>>(model: T, ...required: (keyof T & string)[]) =>
    fc.record(model, { requiredKeys: noisy ? [] : required }) as fc.Arbitrary<Record<string, unknown>>;
  const list = <T>(item: fc.Arbitrary<T>, maxLength = 3) => v(fc.array(v(item), { maxLength }));
  const text = v(TEXT);
  const args = v(fc.oneof(fc.constant('{"city":"Oslo"}'), fc.constant('{'), TEXT));
  const count = (max: number) => v(fc.integer({ min: 0, max }));
  const usage = v(
    rec({ prompt_tokens: count(1e6), completion_tokens: count(1e6), input_tokens: count(1e6), output_tokens: count(1e6) }),
  );

  const chatPart = fc.oneof(
    rec({ type: fc.constant('text'), text }, 'type', 'text'),
    rec(
      {
        type: fc.constant('image_url'),
        image_url: v(rec({ url: v(fc.constantFrom('data:image/png;base64,iVBO', 'https://x/y.png')) }, 'url')),
      },
      'type',
      'image_url',
    ),
  );
  const toolCall = rec(
    { id: text, type: v(fc.constant('function')), function: v(rec({ name: text, arguments: args }, 'name', 'arguments')) },
    'id',
    'type',
    'function',
  );
  const chat = rec(
    {
      model: v(fc.constant('smart')),
      messages: v(
        fc.array(
          v(
            fc.oneof(
              rec(
                {
                  role: v(fc.constantFrom('system', 'developer', 'user')),
                  content: v(fc.oneof(TEXT, fc.array(v(chatPart), { maxLength: 3 }))),
                  name: text,
                },
                'role',
                'content',
              ),
              rec(
                { role: fc.constant('assistant'), content: v(fc.oneof(TEXT, fc.constant(null))), tool_calls: list(toolCall, 2) },
                'role',
              ),
              rec({ role: fc.constant('tool'), tool_call_id: text, content: text }, 'role', 'tool_call_id', 'content'),
            ),
          ),
          { minLength: noisy ? 0 : 1, maxLength: 4 },
        ),
      ),
      tools: list(
        rec(
          {
            type: v(fc.constant('function')),
            function: v(
              rec(
                {
                  name: v(fc.constantFrom('lookup', 'get_weather')),
                  description: text,
                  parameters: v(fc.constant({ type: 'object', properties: { a: { type: 'string' } } })),
                },
                'name',
              ),
            ),
          },
          'type',
          'function',
        ),
        2,
      ),
      tool_choice: v(fc.constantFrom('auto', 'none', 'required')),
      response_format: v(
        fc.constantFrom({ type: 'json_object' }, { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } }),
      ),
      max_tokens: count(100_000),
      max_completion_tokens: count(100_000),
      temperature: v(fc.double({ min: 0, max: 2, noNaN: true })),
      stop: v(fc.oneof(TEXT, fc.array(TEXT, { maxLength: 4 }))),
      stream: v(fc.boolean()),
      n: v(fc.constant(1)),
      reasoning_effort: v(fc.constantFrom('low', 'high')),
    },
    'model',
    'messages',
  );

  const block = fc.oneof(
    rec({ type: fc.constant('text'), text }, 'type', 'text'),
    rec(
      {
        type: fc.constant('image'),
        source: v(
          rec(
            { type: v(fc.constant('base64')), media_type: v(fc.constant('image/png')), data: v(fc.constant('iVBO')) },
            'type',
            'media_type',
            'data',
          ),
        ),
      },
      'type',
      'source',
    ),
    rec(
      { type: fc.constant('tool_use'), id: text, name: text, input: v(fc.constant({ city: 'Oslo' })) },
      'type',
      'id',
      'name',
      'input',
    ),
    rec(
      {
        type: fc.constant('tool_result'),
        tool_use_id: text,
        content: v(fc.oneof(TEXT, fc.array(JUNK, { maxLength: 2 }))),
        is_error: v(fc.boolean()),
      },
      'type',
      'tool_use_id',
    ),
  );
  const messages = rec(
    {
      model: v(fc.constant('smart')),
      max_tokens: count(100_000),
      system: v(fc.oneof(TEXT, fc.array(v(rec({ type: fc.constant('text'), text }, 'type', 'text')), { maxLength: 2 }))),
      messages: v(
        fc.array(
          v(
            rec(
              { role: v(fc.constantFrom('user', 'assistant')), content: v(fc.oneof(TEXT, fc.array(v(block), { maxLength: 3 }))) },
              'role',
              'content',
            ),
          ),
          {
            minLength: noisy ? 0 : 1,
            maxLength: 4,
          },
        ),
      ),
      tools: list(
        rec({ name: text, description: text, input_schema: v(fc.constant({ type: 'object' })) }, 'name', 'input_schema'),
        2,
      ),
      tool_choice: v(rec({ type: v(fc.constantFrom('auto', 'any', 'none')) }, 'type')),
      thinking: v(rec({ type: v(fc.constant('enabled')), budget_tokens: count(50_000) }, 'type', 'budget_tokens')),
      stop_sequences: list(TEXT, 3),
      stream: v(fc.boolean()),
      metadata: v(rec({ user_id: text })),
    },
    'model',
    'max_tokens',
    'messages',
  );

  const responsesItem = fc.oneof(
    rec(
      {
        role: v(fc.constantFrom('user', 'assistant', 'system', 'developer')),
        content: v(
          fc.oneof(
            TEXT,
            fc.array(v(rec({ type: v(fc.constantFrom('input_text', 'output_text')), text }, 'type', 'text')), { maxLength: 3 }),
          ),
        ),
      },
      'role',
      'content',
    ),
    rec(
      { type: fc.constant('function_call'), call_id: text, name: text, arguments: args },
      'type',
      'call_id',
      'name',
      'arguments',
    ),
    rec({ type: fc.constant('function_call_output'), call_id: text, output: text }, 'type', 'call_id', 'output'),
  );
  const responses = rec(
    {
      model: v(fc.constant('smart')),
      instructions: text,
      input: v(fc.oneof(TEXT, fc.array(v(responsesItem), { minLength: 1, maxLength: 4 }))),
      tools: list(
        rec({ type: v(fc.constant('function')), name: text, parameters: v(fc.constant({ type: 'object' })) }, 'type', 'name'),
        2,
      ),
      text: v(rec({ format: v(rec({ type: v(fc.constantFrom('text', 'json_object')) }, 'type')) }, 'format')),
      max_output_tokens: count(100_000),
      store: v(fc.constant(false)),
      stream: v(fc.boolean()),
      reasoning: v(rec({ effort: v(fc.constantFrom('low', 'high')) })),
    },
    'model',
    'input',
  );

  const geminiPart = fc.oneof(
    rec({ text }, 'text'),
    rec(
      { inlineData: v(rec({ mimeType: v(fc.constant('image/png')), data: v(fc.constant('iVBO')) }, 'mimeType', 'data')) },
      'inlineData',
    ),
    rec({ functionCall: v(rec({ name: text, args: v(fc.constant({ a: 1 })) }, 'name', 'args')) }, 'functionCall'),
  );
  const gemini = rec(
    {
      contents: v(
        fc.array(
          v(
            rec(
              { role: v(fc.constantFrom('user', 'model')), parts: v(fc.array(v(geminiPart), { minLength: 1, maxLength: 3 })) },
              'role',
              'parts',
            ),
          ),
          { minLength: noisy ? 0 : 1, maxLength: 3 },
        ),
      ),
      systemInstruction: v(rec({ parts: v(fc.array(v(rec({ text }, 'text')), { maxLength: 2 })) }, 'parts')),
      generationConfig: v(
        rec({
          maxOutputTokens: count(100_000),
          temperature: v(fc.double({ min: 0, max: 2, noNaN: true })),
          stopSequences: list(TEXT, 3),
        }),
      ),
    },
    'contents',
  );

  const anthropicMessage = rec(
    {
      id: text,
      type: v(fc.constant('message')),
      role: v(fc.constant('assistant')),
      model: text,
      content: v(
        fc.array(
          v(
            fc.oneof(
              rec({ type: fc.constant('text'), text }, 'type', 'text'),
              rec(
                { type: fc.constant('tool_use'), id: text, name: text, input: v(fc.constant({ a: 1 })) },
                'type',
                'id',
                'name',
                'input',
              ),
              rec({ type: fc.constant('thinking'), thinking: text, signature: text }, 'type', 'thinking'),
            ),
          ),
          { maxLength: 3 },
        ),
      ),
      stop_reason: v(fc.constantFrom('end_turn', 'max_tokens', 'tool_use', 'stop_sequence', 'refusal', 'pause_turn')),
      usage,
    },
    'id',
    'type',
    'role',
    'content',
    'stop_reason',
    'usage',
  );
  const geminiResponse = rec(
    {
      candidates: v(
        fc.array(
          v(
            rec(
              {
                content: v(
                  rec(
                    {
                      role: v(fc.constant('model')),
                      parts: v(
                        fc.array(
                          v(
                            fc.oneof(
                              rec({ text, thought: v(fc.boolean()) }, 'text'),
                              rec(
                                { functionCall: v(rec({ name: text, args: v(fc.constant({ a: 1 })) }, 'name', 'args')) },
                                'functionCall',
                              ),
                            ),
                          ),
                          { maxLength: 3 },
                        ),
                      ),
                    },
                    'role',
                    'parts',
                  ),
                ),
                finishReason: v(fc.constantFrom('STOP', 'MAX_TOKENS', 'SAFETY', 'RECITATION', 'OTHER')),
                index: count(3),
              },
              'content',
            ),
          ),
          { minLength: noisy ? 0 : 1, maxLength: 2 },
        ),
      ),
      usageMetadata: v(rec({ promptTokenCount: count(1e6), candidatesTokenCount: count(1e6), thoughtsTokenCount: count(1e6) })),
      responseId: text,
    },
    'candidates',
  );
  const choice = (delta: boolean) =>
    rec(
      {
        index: count(3),
        [delta ? 'delta' : 'message']: v(
          rec({
            role: v(fc.constant('assistant')),
            content: v(fc.oneof(TEXT, fc.constant(null))),
            tool_calls: list(
              rec(
                {
                  index: count(2),
                  id: text,
                  type: v(fc.constant('function')),
                  function: v(rec({ name: text, arguments: args })),
                },
                'index',
              ),
              2,
            ),
          }),
        ),
        finish_reason: v(fc.constantFrom('stop', 'length', 'tool_calls', 'content_filter', null)),
      },
      'index',
      delta ? 'delta' : 'message',
    );
  const completion = (delta: boolean) =>
    rec(
      {
        id: text,
        object: v(fc.constant(delta ? 'chat.completion.chunk' : 'chat.completion')),
        created: count(2e9),
        model: text,
        choices: v(fc.array(v(choice(delta)), { minLength: noisy ? 0 : 1, maxLength: 2 })),
        usage,
      },
      'id',
      'object',
      'model',
      'choices',
    );
  const anthropicEvent = fc.tuple(
    fc.constantFrom(
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
      'ping',
      'error',
    ),
    rec({
      index: count(3),
      message: v(anthropicMessage),
      content_block: v(rec({ type: v(fc.constantFrom('text', 'tool_use', 'thinking')), id: text, name: text, text }, 'type')),
      delta: v(
        rec(
          {
            type: v(fc.constantFrom('text_delta', 'input_json_delta', 'thinking_delta', 'signature_delta')),
            text,
            partial_json: args,
            stop_reason: v(fc.constantFrom('end_turn', 'max_tokens', 'tool_use')),
          },
          'type',
        ),
      ),
      usage,
      error: v(rec({ type: text, message: text }, 'type', 'message')),
    }),
  );
  const errorBody = rec(
    { error: v(rec({ message: text, type: text, code: text, status: text }, 'message')), type: text },
    'error',
  );

  return {
    chat,
    messages,
    responses,
    gemini,
    anthropicMessage,
    geminiResponse,
    openAICompletion: completion(false),
    openAIChunk: completion(true),
    anthropicEvent,
    errorBody,
  };
}
