// The translation table for OpenAI chat ⇄ Gemini generateContent: each row is one client request, the
// exact call sent upstream (path and body), the upstream's answer and the exact answer the client sees.
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../json.js';
import { fromGeminiError } from './errors.js';
import { toGeminiRequest } from './request.js';
import { fromGeminiResponse } from './response.js';

const MODEL = 'gemini-2.5-pro';
const CREATED = 1_700_000_000;
const PATH = '/models/gemini-2.5-pro:generateContent';
const HI = [{ role: 'user', content: 'Hi' }];
const USER_HI = { role: 'user', parts: [{ text: 'Hi' }] };
const WEATHER_TOOL = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: { city: { type: 'string', minLength: 1, format: 'uri' }, days: { type: 'integer', exclusiveMinimum: 0 } },
      required: ['city'],
      additionalProperties: false,
    },
    strict: true,
  },
};
const WEATHER_GEMINI = {
  name: 'get_weather',
  description: 'Weather for a city',
  parameters: {
    type: 'object',
    properties: { city: { type: 'string', minLength: 1 }, days: { type: 'integer' } },
    required: ['city'],
  },
};
const USAGE_META = { promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 15 };
const USAGE = {
  prompt_tokens: 10,
  completion_tokens: 5,
  total_tokens: 15,
  prompt_tokens_details: { cached_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: 0 },
};

/** A Gemini GenerateContentResponse. */
function answer(parts: unknown[] | undefined, finishReason: string, usageMetadata: JsonObject = USAGE_META): JsonObject {
  const candidate: JsonObject = { finishReason, index: 0 };
  if (parts) candidate.content = { role: 'model', parts };
  return { candidates: [candidate], usageMetadata, modelVersion: MODEL, responseId: 'resp1' };
}

/** The chat.completion the client gets. */
function completion(
  content: string | null,
  finish_reason: string,
  extra: { tool_calls?: unknown[]; usage?: JsonObject } = {},
): JsonObject {
  const msg: JsonObject = { role: 'assistant', content, refusal: null };
  if (extra.tool_calls) msg.tool_calls = extra.tool_calls;
  return {
    id: 'resp1',
    object: 'chat.completion',
    created: CREATED,
    model: MODEL,
    choices: [{ index: 0, message: msg, logprobs: null, finish_reason }],
    usage: extra.usage ?? USAGE,
  };
}

const TEXT_REPLY = { status: 200, body: answer([{ text: 'Hello!' }], 'STOP') };
const TEXT_CLIENT = { status: 200, body: completion('Hello!', 'stop') };
const call = (id: string, name: string, args: string) => ({ id, type: 'function', function: { name, arguments: args } });

interface Case {
  name: string;
  request: JsonObject;
  model?: string;
  upstream: { path: string; body: JsonObject };
  reply: { status: number; body: unknown };
  client: { status: number; body: unknown };
}

function finishCase(reason: string, finish: string): Case {
  return {
    name: `finishReason ${reason} → ${finish}`,
    request: { model: 'smart', messages: HI },
    upstream: { path: PATH, body: { contents: [USER_HI] } },
    reply: { status: 200, body: answer(undefined, reason) },
    client: { status: 200, body: completion(null, finish) },
  };
}

function errorCase(status: number, geminiStatus: string, message: string, type: string): Case {
  return {
    name: `upstream ${status} ${geminiStatus} → ${status} ${type}`,
    request: { model: 'smart', messages: HI },
    upstream: { path: PATH, body: { contents: [USER_HI] } },
    reply: { status, body: { error: { code: status, message, status: geminiStatus } } },
    client: { status, body: { error: { message, type, param: null, code: geminiStatus.toLowerCase() } } },
  };
}

const CASES: Case[] = [
  {
    name: 'plain text',
    request: { model: 'smart', messages: HI },
    upstream: { path: PATH, body: { contents: [USER_HI] } },
    reply: TEXT_REPLY,
    client: TEXT_CLIENT,
  },
  {
    name: 'system and developer → systemInstruction; assistant → model; consecutive same-role turns merged',
    request: {
      model: 'smart',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'One' },
        { role: 'user', content: 'Two' },
        { role: 'assistant', content: 'Ok.' },
        { role: 'developer', content: 'Answer in French.' },
        { role: 'user', content: 'Three' },
      ],
    },
    upstream: {
      path: PATH,
      body: {
        systemInstruction: { parts: [{ text: 'Be brief.' }, { text: 'Answer in French.' }] },
        contents: [
          { role: 'user', parts: [{ text: 'One' }, { text: 'Two' }] },
          { role: 'model', parts: [{ text: 'Ok.' }] },
          { role: 'user', parts: [{ text: 'Three' }] },
        ],
      },
    },
    reply: TEXT_REPLY,
    client: TEXT_CLIENT,
  },
  {
    name: 'tools → functionDeclarations with the schema cleaned; auto → AUTO; a function call answered',
    request: { model: 'smart', messages: HI, tools: [WEATHER_TOOL], tool_choice: 'auto' },
    upstream: {
      path: PATH,
      body: {
        contents: [USER_HI],
        tools: [{ functionDeclarations: [WEATHER_GEMINI] }],
        toolConfig: { functionCallingConfig: { mode: 'AUTO' } },
      },
    },
    reply: {
      status: 200,
      body: answer([{ text: 'Checking.' }, { functionCall: { name: 'get_weather', args: { city: 'Paris' } } }], 'STOP'),
    },
    client: {
      status: 200,
      body: completion('Checking.', 'tool_calls', { tool_calls: [call('call_resp1_0', 'get_weather', '{"city":"Paris"}')] }),
    },
  },
  {
    name: 'required → ANY; a function without parameters is declared without them',
    request: {
      model: 'smart',
      messages: HI,
      tools: [{ type: 'function', function: { name: 'now', parameters: { type: 'object', properties: {} } } }],
      tool_choice: 'required',
    },
    upstream: {
      path: PATH,
      body: {
        contents: [USER_HI],
        tools: [{ functionDeclarations: [{ name: 'now' }] }],
        toolConfig: { functionCallingConfig: { mode: 'ANY' } },
      },
    },
    reply: { status: 200, body: answer([{ functionCall: { name: 'now', args: {} } }], 'STOP') },
    client: { status: 200, body: completion(null, 'tool_calls', { tool_calls: [call('call_resp1_0', 'now', '{}')] }) },
  },
  {
    name: 'a named tool_choice → ANY restricted to that function',
    request: {
      model: 'smart',
      messages: HI,
      tools: [WEATHER_TOOL],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    },
    upstream: {
      path: PATH,
      body: {
        contents: [USER_HI],
        tools: [{ functionDeclarations: [WEATHER_GEMINI] }],
        toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } },
      },
    },
    reply: TEXT_REPLY,
    client: TEXT_CLIENT,
  },
  {
    name: 'tool_choice none → NONE; parallel_tool_calls is dropped',
    request: { model: 'smart', messages: HI, tools: [WEATHER_TOOL], tool_choice: 'none', parallel_tool_calls: false },
    upstream: {
      path: PATH,
      body: {
        contents: [USER_HI],
        tools: [{ functionDeclarations: [WEATHER_GEMINI] }],
        toolConfig: { functionCallingConfig: { mode: 'NONE' } },
      },
    },
    reply: TEXT_REPLY,
    client: TEXT_CLIENT,
  },
  {
    name: "parallel function calls; Gemini's own call id is kept",
    request: { model: 'smart', messages: HI, tools: [WEATHER_TOOL] },
    upstream: { path: PATH, body: { contents: [USER_HI], tools: [{ functionDeclarations: [WEATHER_GEMINI] }] } },
    reply: {
      status: 200,
      body: answer(
        [
          { functionCall: { name: 'get_weather', args: { city: 'Paris' } } },
          { functionCall: { id: 'fc-7', name: 'get_weather', args: { city: 'Oslo' } } },
        ],
        'STOP',
      ),
    },
    client: {
      status: 200,
      body: completion(null, 'tool_calls', {
        tool_calls: [call('call_resp1_0', 'get_weather', '{"city":"Paris"}'), call('fc-7', 'get_weather', '{"city":"Oslo"}')],
      }),
    },
  },
  {
    name: 'tool results → functionResponse parts named after the earlier call; JSON objects as they are, text as {output}',
    request: {
      model: 'smart',
      messages: [
        { role: 'user', content: 'Weather in Paris and Oslo?' },
        {
          role: 'assistant',
          content: '',
          tool_calls: [call('c1', 'get_weather', '{"city":"Paris"}'), call('c2', 'get_forecast', '{"city":"Oslo"}')],
        },
        { role: 'tool', tool_call_id: 'c1', content: '{"celsius":18}' },
        { role: 'tool', tool_call_id: 'c2', content: 'rain' },
        { role: 'user', content: 'Which is warmer?' },
      ],
    },
    upstream: {
      path: PATH,
      body: {
        contents: [
          { role: 'user', parts: [{ text: 'Weather in Paris and Oslo?' }] },
          {
            role: 'model',
            parts: [
              { functionCall: { name: 'get_weather', args: { city: 'Paris' } } },
              { functionCall: { name: 'get_forecast', args: { city: 'Oslo' } } },
            ],
          },
          {
            role: 'user',
            parts: [
              { functionResponse: { name: 'get_weather', response: { celsius: 18 } } },
              { functionResponse: { name: 'get_forecast', response: { output: 'rain' } } },
              { text: 'Which is warmer?' },
            ],
          },
        ],
      },
    },
    reply: { status: 200, body: answer([{ text: 'Paris.' }], 'STOP') },
    client: { status: 200, body: completion('Paris.', 'stop') },
  },
  {
    name: 'replayed function calls to Gemini 3 carry the documented thought-signature stand-in',
    model: 'gemini-3-pro-preview',
    request: {
      model: 'smart',
      messages: [
        { role: 'user', content: 'Time?' },
        { role: 'assistant', content: null, tool_calls: [call('c1', 'now', '')] },
        { role: 'tool', tool_call_id: 'c1', content: '12:00' },
      ],
    },
    upstream: {
      path: '/models/gemini-3-pro-preview:generateContent',
      body: {
        contents: [
          { role: 'user', parts: [{ text: 'Time?' }] },
          {
            role: 'model',
            parts: [{ functionCall: { name: 'now', args: {} }, thoughtSignature: 'skip_thought_signature_validator' }],
          },
          { role: 'user', parts: [{ functionResponse: { name: 'now', response: { output: '12:00' } } }] },
        ],
      },
    },
    reply: TEXT_REPLY,
    client: { status: 200, body: { ...completion('Hello!', 'stop'), model: 'gemini-3-pro-preview' } },
  },
  {
    name: 'image as a data URL → inlineData',
    request: {
      model: 'smart',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What?' },
            { type: 'image_url', image_url: { url: 'data:image/webp;base64,UklGRg==' } },
          ],
        },
      ],
    },
    upstream: {
      path: PATH,
      body: {
        contents: [{ role: 'user', parts: [{ text: 'What?' }, { inlineData: { mimeType: 'image/webp', data: 'UklGRg==' } }] }],
      },
    },
    reply: TEXT_REPLY,
    client: TEXT_CLIENT,
  },
  {
    name: 'images as http URLs → fileData with the media type guessed from the extension (JPEG when unknown)',
    request: {
      model: 'smart',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image_url', image_url: { url: 'https://example.com/a/cat.PNG?size=2' } },
            { type: 'image_url', image_url: { url: 'http://example.com/photo' } },
          ],
        },
      ],
    },
    upstream: {
      path: PATH,
      body: {
        contents: [
          {
            role: 'user',
            parts: [
              { fileData: { mimeType: 'image/png', fileUri: 'https://example.com/a/cat.PNG?size=2' } },
              { fileData: { mimeType: 'image/jpeg', fileUri: 'http://example.com/photo' } },
            ],
          },
        ],
      },
    },
    reply: TEXT_REPLY,
    client: TEXT_CLIENT,
  },
  {
    name: 'json_schema → responseMimeType and a cleaned responseSchema ($ref inlined, null types → nullable, const → enum)',
    request: {
      model: 'smart',
      messages: HI,
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'person',
          strict: true,
          schema: {
            type: 'object',
            $defs: { Pet: { type: 'object', properties: { kind: { const: 'cat' } }, additionalProperties: false } },
            properties: {
              name: { type: 'string' },
              nick: { type: ['string', 'null'] },
              pet: { anyOf: [{ $ref: '#/$defs/Pet' }, { type: 'null' }] },
              size: { type: 'integer', enum: [1, 2] },
              born: { type: 'string', format: 'date-time' },
            },
            required: ['name', 'nick', 'pet'],
            additionalProperties: false,
          },
        },
      },
    },
    upstream: {
      path: PATH,
      body: {
        contents: [USER_HI],
        generationConfig: {
          responseMimeType: 'application/json',
          responseSchema: {
            type: 'object',
            properties: {
              name: { type: 'string' },
              nick: { type: 'string', nullable: true },
              pet: { type: 'object', properties: { kind: { enum: ['cat'] } }, nullable: true },
              size: { type: 'integer', enum: ['1', '2'], format: 'enum' },
              born: { type: 'string', format: 'date-time' },
            },
            required: ['name', 'nick', 'pet'],
          },
        },
      },
    },
    reply: { status: 200, body: answer([{ text: '{"name":"Ada","nick":null,"pet":null}' }], 'STOP') },
    client: { status: 200, body: completion('{"name":"Ada","nick":null,"pet":null}', 'stop') },
  },
  {
    name: 'json_object → responseMimeType only',
    request: { model: 'smart', messages: HI, response_format: { type: 'json_object' } },
    upstream: { path: PATH, body: { contents: [USER_HI], generationConfig: { responseMimeType: 'application/json' } } },
    reply: { status: 200, body: answer([{ text: '{"ok":true}' }], 'STOP') },
    client: { status: 200, body: completion('{"ok":true}', 'stop') },
  },
  {
    name: 'stop as a string → stopSequences',
    request: { model: 'smart', messages: HI, stop: 'END' },
    upstream: { path: PATH, body: { contents: [USER_HI], generationConfig: { stopSequences: ['END'] } } },
    reply: TEXT_REPLY,
    client: TEXT_CLIENT,
  },
  {
    name: 'stop as an array',
    request: { model: 'smart', messages: HI, stop: ['END', '###'] },
    upstream: { path: PATH, body: { contents: [USER_HI], generationConfig: { stopSequences: ['END', '###'] } } },
    reply: TEXT_REPLY,
    client: TEXT_CLIENT,
  },
  {
    name: 'max_tokens → maxOutputTokens; MAX_TOKENS → length',
    request: { model: 'smart', messages: HI, max_tokens: 20 },
    upstream: { path: PATH, body: { contents: [USER_HI], generationConfig: { maxOutputTokens: 20 } } },
    reply: { status: 200, body: answer([{ text: 'Hel' }], 'MAX_TOKENS') },
    client: { status: 200, body: completion('Hel', 'length') },
  },
  {
    name: 'no max_tokens: none sent (Gemini defaults to the model cap); max_completion_tokens wins when both are set',
    request: { model: 'smart', messages: HI, max_tokens: 50, max_completion_tokens: 30 },
    upstream: { path: PATH, body: { contents: [USER_HI], generationConfig: { maxOutputTokens: 30 } } },
    reply: TEXT_REPLY,
    client: TEXT_CLIENT,
  },
  finishCase('SAFETY', 'content_filter'),
  finishCase('RECITATION', 'content_filter'),
  finishCase('BLOCKLIST', 'content_filter'),
  finishCase('PROHIBITED_CONTENT', 'content_filter'),
  finishCase('OTHER', 'stop'),
  {
    name: 'a blocked prompt (no candidate) → content_filter',
    request: { model: 'smart', messages: HI },
    upstream: { path: PATH, body: { contents: [USER_HI] } },
    reply: {
      status: 200,
      body: {
        promptFeedback: { blockReason: 'SAFETY' },
        usageMetadata: { promptTokenCount: 10, totalTokenCount: 10 },
        responseId: 'resp1',
      },
    },
    client: {
      status: 200,
      body: completion(null, 'content_filter', {
        usage: {
          prompt_tokens: 10,
          completion_tokens: 0,
          total_tokens: 10,
          prompt_tokens_details: { cached_tokens: 0 },
          completion_tokens_details: { reasoning_tokens: 0 },
        },
      }),
    },
  },
  {
    name: 'usage with cached and thinking tokens; thought summaries are not content',
    request: { model: 'smart', messages: HI },
    upstream: { path: PATH, body: { contents: [USER_HI] } },
    reply: {
      status: 200,
      body: answer([{ text: 'Pondering…', thought: true }, { text: 'Hello!' }], 'STOP', {
        promptTokenCount: 1200,
        cachedContentTokenCount: 1000,
        candidatesTokenCount: 7,
        thoughtsTokenCount: 30,
        totalTokenCount: 1237,
      }),
    },
    client: {
      status: 200,
      body: completion('Hello!', 'stop', {
        usage: {
          prompt_tokens: 1200,
          completion_tokens: 37,
          total_tokens: 1237,
          prompt_tokens_details: { cached_tokens: 1000 },
          completion_tokens_details: { reasoning_tokens: 30 },
        },
      }),
    },
  },
  {
    name: 'sampling: temperature, top_p, penalties and seed → generationConfig; stream → streamGenerateContent?alt=sse; user dropped',
    request: {
      model: 'smart',
      messages: HI,
      temperature: 1.5,
      top_p: 0.9,
      presence_penalty: 0.5,
      frequency_penalty: 0.25,
      seed: 7,
      user: 'u-1',
      stream: true,
    },
    upstream: {
      path: '/models/gemini-2.5-pro:streamGenerateContent?alt=sse',
      body: {
        contents: [USER_HI],
        generationConfig: { temperature: 1.5, topP: 0.9, presencePenalty: 0.5, frequencyPenalty: 0.25, seed: 7 },
      },
    },
    reply: TEXT_REPLY,
    client: TEXT_CLIENT,
  },
  errorCase(400, 'INVALID_ARGUMENT', 'Request contains an invalid argument.', 'invalid_request_error'),
  errorCase(403, 'PERMISSION_DENIED', "Method doesn't allow unregistered callers.", 'permission_error'),
  errorCase(404, 'NOT_FOUND', 'models/gemini-x is not found for API version v1beta.', 'not_found_error'),
  errorCase(429, 'RESOURCE_EXHAUSTED', 'Resource has been exhausted (e.g. check quota).', 'rate_limit_error'),
  errorCase(500, 'INTERNAL', 'An internal error has occurred.', 'api_error'),
  errorCase(503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.', 'api_error'),
  errorCase(504, 'DEADLINE_EXCEEDED', 'Deadline exceeded.', 'api_error'),
  {
    name: 'an error inside a one-element array (streamGenerateContent without alt=sse)',
    request: { model: 'smart', messages: HI },
    upstream: { path: PATH, body: { contents: [USER_HI] } },
    reply: { status: 429, body: [{ error: { code: 429, message: 'Quota exceeded.', status: 'RESOURCE_EXHAUSTED' } }] },
    client: {
      status: 429,
      body: { error: { message: 'Quota exceeded.', type: 'rate_limit_error', param: null, code: 'resource_exhausted' } },
    },
  },
  {
    name: 'an error body that is not Gemini JSON keeps its status',
    request: { model: 'smart', messages: HI },
    upstream: { path: PATH, body: { contents: [USER_HI] } },
    reply: { status: 502, body: 'Bad Gateway' },
    client: {
      status: 502,
      body: {
        error: { message: 'The provider answered 502 without an error message.', type: 'api_error', param: null, code: null },
      },
    },
  },
];

describe('OpenAI chat ⇄ Gemini generateContent translation table', () => {
  it('should hold at least 25 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(25);
  });

  it.each(CASES)('should translate: $name', (c) => {
    const model = c.model ?? MODEL;
    expect(toGeminiRequest(c.request, { model })).toStrictEqual(c.upstream);
    const client =
      c.reply.status < 300
        ? { status: 200, body: fromGeminiResponse(c.reply.body, { model, created: CREATED }) }
        : fromGeminiError(c.reply.status, c.reply.body);
    expect(client).toStrictEqual(c.client);
  });
});

describe('OpenAI chat → Gemini: what cannot be translated', () => {
  it.each([
    ['n > 1', { messages: HI, n: 3 }, 'unsupported_parameter', 'n'],
    [
      'a tool result for no earlier call',
      { messages: [...HI, { role: 'tool', tool_call_id: 'nope', content: 'x' }] },
      'invalid_request',
      'messages',
    ],
    [
      'a reference to the schema root',
      {
        messages: HI,
        response_format: {
          type: 'json_schema',
          json_schema: { name: 'tree', schema: { type: 'object', properties: { child: { $ref: '#' } }, $defs: {} } },
        },
      },
      'unsupported_parameter',
      'response_format.json_schema.schema',
    ],
    [
      'a self-referencing definition',
      {
        messages: HI,
        tools: [
          {
            type: 'function',
            function: {
              name: 'f',
              parameters: {
                type: 'object',
                properties: { n: { $ref: '#/$defs/Node' } },
                $defs: { Node: { type: 'object', properties: { next: { $ref: '#/$defs/Node' } } } },
              },
            },
          },
        ],
      },
      'unsupported_parameter',
      'tools[0].function.parameters',
    ],
    [
      'a multi-member allOf',
      {
        messages: HI,
        response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object', allOf: [{}, {}] } } },
      },
      'unsupported_parameter',
      'response_format.json_schema.schema',
    ],
  ])('should answer 400 for %s', (_name, body, code, param) => {
    expect(() => toGeminiRequest({ model: 'smart', ...body }, { model: MODEL })).toThrow(
      expect.objectContaining({ status: 400, code, param }),
    );
  });

  it('should answer 502 upstream_bad_response for a 2xx body that is not a GenerateContentResponse', () => {
    expect(() => fromGeminiResponse({ candidates: 'no' }, { model: MODEL })).toThrow(
      expect.objectContaining({ status: 502, code: 'upstream_bad_response' }),
    );
  });

  it('should give every function call a fresh id stem when the answer has no responseId', () => {
    const body = { candidates: [{ content: { parts: [{ functionCall: { name: 'f', args: {} } }] }, finishReason: 'STOP' }] };
    const a = fromGeminiResponse(body, { model: MODEL }).choices[0].message.tool_calls![0]!.id;
    const b = fromGeminiResponse(body, { model: MODEL }).choices[0].message.tool_calls![0]!.id;
    expect(a).toMatch(/^call_[A-Za-z0-9_-]+_0$/);
    expect(a).not.toBe(b);
  });
});
