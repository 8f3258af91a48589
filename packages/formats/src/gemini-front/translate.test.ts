// The Gemini front door routed to an OpenAI-format provider: each row is one Gemini-shaped client
// request, the exact OpenAI chat body sent upstream, the upstream's answer and the exact
// GenerateContentResponse (or error) the client sees.
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../json.js';
import { fromOpenAIErrorToGoogle } from './errors.js';
import { readGeminiRequest } from './request.js';
import { toGeminiResponse } from './response.js';

const MODEL = 'gpt-4o-2024-08-06';
const HI = [{ role: 'user', parts: [{ text: 'Hi' }] }];
const HI_CHAT = [{ role: 'user', content: 'Hi' }];

const USAGE = {
  prompt_tokens: 30,
  completion_tokens: 12,
  total_tokens: 42,
  prompt_tokens_details: { cached_tokens: 20 },
  completion_tokens_details: { reasoning_tokens: 2 },
};
const METADATA = {
  promptTokenCount: 30,
  candidatesTokenCount: 10,
  totalTokenCount: 42,
  cachedContentTokenCount: 20,
  thoughtsTokenCount: 2,
};

function completion(message: JsonObject, finish_reason: string | null, usage: unknown = USAGE): JsonObject {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1,
    model: MODEL,
    choices: [{ index: 0, message: { role: 'assistant', refusal: null, ...message }, logprobs: null, finish_reason }],
    ...(usage === undefined ? {} : { usage }),
  };
}

function answer(parts: unknown[], finishReason: string, usageMetadata: unknown = METADATA): JsonObject {
  return {
    candidates: [{ content: { parts, role: 'model' }, finishReason, index: 0 }],
    ...(usageMetadata === undefined ? {} : { usageMetadata }),
    modelVersion: MODEL,
    responseId: 'chatcmpl-1',
  };
}

interface Case {
  name: string;
  request: JsonObject;
  stream?: boolean;
  upstream: JsonObject;
  dropped?: string[];
  reply: { status: number; body: unknown };
  client: { status: number; body: unknown };
}

const TEXT_REPLY = { status: 200, body: completion({ content: 'Hello!' }, 'stop') };
const TEXT_CLIENT = { status: 200, body: answer([{ text: 'Hello!' }], 'STOP') };

const WEATHER_GEMINI = {
  name: 'get_weather',
  description: 'Weather',
  parameters: {
    type: 'OBJECT',
    properties: {
      city: { type: 'STRING', description: 'City', example: 'Paris' },
      unit: { type: 'STRING', format: 'enum', enum: ['C', 'F'], nullable: true },
      days: { type: 'INTEGER', format: 'int32', minimum: 1 },
      tags: { type: 'ARRAY', items: { type: 'string' } },
    },
    required: ['city'],
    propertyOrdering: ['city', 'unit', 'days', 'tags'],
  },
};
const WEATHER_CHAT = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Weather',
    parameters: {
      type: 'object',
      properties: {
        city: { type: 'string', description: 'City', examples: ['Paris'] },
        unit: { type: ['string', 'null'], enum: ['C', 'F', null] },
        days: { type: 'integer', format: 'int32', minimum: 1 },
        tags: { type: 'array', items: { type: 'string' } },
      },
      required: ['city'],
    },
  },
};
const TIME = { name: 'get_time', parametersJsonSchema: { type: 'object', properties: { tz: { type: 'string' } } } };
const TIME_CHAT = { type: 'function', function: { name: 'get_time', parameters: TIME.parametersJsonSchema } };
const PING = { name: 'ping' };
const PING_CHAT = { type: 'function', function: { name: 'ping' } };

const CASES: Case[] = [
  {
    name: 'text, system instruction parts, generation config; topK, thinking and safety settings dropped',
    request: {
      contents: HI,
      systemInstruction: { role: 'user', parts: [{ text: 'Be brief.' }, { text: 'Be kind.' }] },
      generationConfig: {
        temperature: 0.3,
        topP: 0.8,
        topK: 40,
        maxOutputTokens: 100,
        stopSequences: ['END'],
        presencePenalty: 0.5,
        frequencyPenalty: 0.25,
        seed: 7,
        candidateCount: 1,
        responseMimeType: 'text/plain',
        thinkingConfig: { thinkingBudget: 1024 },
      },
      safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }],
    },
    upstream: {
      model: MODEL,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'system', content: 'Be kind.' },
        { role: 'user', content: 'Hi' },
      ],
      temperature: 0.3,
      top_p: 0.8,
      max_tokens: 100,
      stop: ['END'],
      presence_penalty: 0.5,
      frequency_penalty: 0.25,
      seed: 7,
    },
    dropped: ['safetySettings', 'generationConfig.topK', 'generationConfig.thinkingConfig'],
    reply: TEXT_REPLY,
    client: TEXT_CLIENT,
  },
  {
    name: 'streamGenerateContent asks for a stream with its usage',
    request: { contents: HI },
    stream: true,
    upstream: { model: MODEL, messages: HI_CHAT, stream: true, stream_options: { include_usage: true } },
    reply: TEXT_REPLY,
    client: TEXT_CLIENT,
  },
  {
    name: 'function declarations (Gemini Schema and JSON Schema), AUTO; a function call answered with its args parsed',
    request: {
      contents: HI,
      tools: [{ functionDeclarations: [WEATHER_GEMINI, TIME] }, { functionDeclarations: [PING] }],
      toolConfig: { functionCallingConfig: { mode: 'AUTO' } },
    },
    upstream: { model: MODEL, messages: HI_CHAT, tools: [WEATHER_CHAT, TIME_CHAT, PING_CHAT], tool_choice: 'auto' },
    reply: {
      status: 200,
      body: completion(
        {
          content: null,
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
        },
        'tool_calls',
      ),
    },
    client: {
      status: 200,
      body: answer([{ functionCall: { id: 'call_1', name: 'get_weather', args: { city: 'Paris' } } }], 'STOP'),
    },
  },
  {
    name: 'ANY with one allowed name → a named tool_choice; text and parallel calls, unparsable arguments → {}',
    request: {
      contents: HI,
      tools: [{ functionDeclarations: [WEATHER_GEMINI, TIME] }],
      toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_time'] } },
    },
    upstream: {
      model: MODEL,
      messages: HI_CHAT,
      tools: [WEATHER_CHAT, TIME_CHAT],
      tool_choice: { type: 'function', function: { name: 'get_time' } },
    },
    reply: {
      status: 200,
      body: completion(
        {
          content: 'Checking.',
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'get_time', arguments: '{"tz":"CET"}' } },
            { id: 'call_2', type: 'function', function: { name: 'get_time', arguments: 'not json' } },
          ],
        },
        'tool_calls',
      ),
    },
    client: {
      status: 200,
      body: answer(
        [
          { text: 'Checking.' },
          { functionCall: { id: 'call_1', name: 'get_time', args: { tz: 'CET' } } },
          { functionCall: { id: 'call_2', name: 'get_time', args: {} } },
        ],
        'STOP',
      ),
    },
  },
  {
    name: 'ANY with several allowed names → those tools, required; retrievalConfig dropped',
    request: {
      contents: HI,
      tools: [{ functionDeclarations: [WEATHER_GEMINI, TIME, PING] }],
      toolConfig: {
        functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_time', 'ping'] },
        retrievalConfig: { languageCode: 'en' },
      },
    },
    upstream: { model: MODEL, messages: HI_CHAT, tools: [TIME_CHAT, PING_CHAT], tool_choice: 'required' },
    dropped: ['toolConfig.retrievalConfig'],
    reply: TEXT_REPLY,
    client: TEXT_CLIENT,
  },
  {
    name: 'NONE → none; VALIDATED → auto over the allowed tools; response schemas of declarations dropped',
    request: {
      contents: HI,
      tools: [{ functionDeclarations: [{ ...PING, response: { type: 'OBJECT' }, behavior: 'BLOCKING' }] }],
      toolConfig: { functionCallingConfig: { mode: 'NONE' } },
    },
    upstream: { model: MODEL, messages: HI_CHAT, tools: [PING_CHAT], tool_choice: 'none' },
    dropped: ['tools[0].functionDeclarations[0].response', 'tools[0].functionDeclarations[0].behavior'],
    reply: TEXT_REPLY,
    client: TEXT_CLIENT,
  },
  {
    name: 'VALIDATED with allowed names → auto over those tools',
    request: {
      contents: HI,
      tools: [{ functionDeclarations: [TIME, PING] }],
      toolConfig: { functionCallingConfig: { mode: 'VALIDATED', allowedFunctionNames: ['ping'] } },
    },
    upstream: { model: MODEL, messages: HI_CHAT, tools: [PING_CHAT], tool_choice: 'auto' },
    reply: TEXT_REPLY,
    client: TEXT_CLIENT,
  },
  {
    name: 'calls without ids get stable ids; responses pair by name and order, ahead of the user text; thoughts dropped',
    request: {
      contents: [
        { role: 'user', parts: [{ text: 'Weather in Paris and Rome?' }] },
        {
          role: 'model',
          parts: [
            { text: 'Let me think.', thought: true },
            { text: 'Checking.' },
            { functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'c2ln' },
            { functionCall: { name: 'get_weather', args: { city: 'Rome' } } },
            { functionCall: { name: 'get_time' } },
          ],
        },
        {
          role: 'user',
          parts: [
            { functionResponse: { name: 'get_time', response: { time: '12:00' } } },
            { functionResponse: { name: 'get_weather', response: { temp: 18 } } },
            { text: 'Thanks' },
            { functionResponse: { name: 'get_weather', response: { temp: 21 } } },
          ],
        },
        {
          role: 'model',
          parts: [
            { text: '', thoughtSignature: 'c2ln' },
            { text: 'Noted', thought: true },
          ],
        },
      ],
    },
    upstream: {
      model: MODEL,
      messages: [
        { role: 'user', content: 'Weather in Paris and Rome?' },
        {
          role: 'assistant',
          content: 'Checking.',
          tool_calls: [
            { id: 'call_1_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            { id: 'call_1_3', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
            { id: 'call_1_4', type: 'function', function: { name: 'get_time', arguments: '{}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1_4', content: '{"time":"12:00"}' },
        { role: 'tool', tool_call_id: 'call_1_2', content: '{"temp":18}' },
        { role: 'tool', tool_call_id: 'call_1_3', content: '{"temp":21}' },
        { role: 'user', content: 'Thanks' },
      ],
    },
    reply: TEXT_REPLY,
    client: TEXT_CLIENT,
  },
  {
    name: "Gemini's own call ids are kept and answer by id; a legacy function role is a user turn",
    request: {
      contents: [
        HI[0],
        {
          role: 'model',
          parts: [
            { functionCall: { id: 'a1', name: 'get_time', args: { tz: 'UTC' } } },
            { functionCall: { id: 'a2', name: 'get_time', args: { tz: 'CET' } } },
          ],
        },
        {
          role: 'function',
          parts: [
            { functionResponse: { id: 'a2', name: 'get_time', response: { time: '13:00' } } },
            { functionResponse: { id: 'a1', name: 'get_time', response: { time: '12:00' } } },
          ],
        },
      ],
    },
    upstream: {
      model: MODEL,
      messages: [
        ...HI_CHAT,
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'a1', type: 'function', function: { name: 'get_time', arguments: '{"tz":"UTC"}' } },
            { id: 'a2', type: 'function', function: { name: 'get_time', arguments: '{"tz":"CET"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'a2', content: '{"time":"13:00"}' },
        { role: 'tool', tool_call_id: 'a1', content: '{"time":"12:00"}' },
      ],
    },
    reply: TEXT_REPLY,
    client: TEXT_CLIENT,
  },
  {
    name: 'images: inlineData (URL-safe base64 too) and fileData http(s) URLs, with or without a mime type',
    request: {
      contents: [
        {
          parts: [
            { text: 'Compare' },
            { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } },
            { inlineData: { mimeType: 'IMAGE/JPEG', data: '_-8A' } },
            { fileData: { mimeType: 'image/webp', fileUri: 'https://example.com/a' } },
            { fileData: { fileUri: 'https://example.com/cat.PNG' } },
          ],
        },
      ],
    },
    upstream: {
      model: MODEL,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Compare' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
            { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/+8A' } },
            { type: 'image_url', image_url: { url: 'https://example.com/a' } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.PNG' } },
          ],
        },
      ],
    },
    reply: TEXT_REPLY,
    client: TEXT_CLIENT,
  },
  {
    name: 'responseSchema (Gemini Schema) → response_format json_schema, answered as text',
    request: {
      contents: HI,
      generationConfig: {
        responseMimeType: 'application/json',
        responseSchema: {
          type: 'OBJECT',
          properties: { n: { type: 'INTEGER' }, tag: { anyOf: [{ type: 'STRING' }, { type: 'NUMBER' }], nullable: true } },
        },
      },
    },
    upstream: {
      model: MODEL,
      messages: HI_CHAT,
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'response',
          schema: {
            type: 'object',
            properties: { n: { type: 'integer' }, tag: { anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'null' }] } },
          },
        },
      },
    },
    reply: { status: 200, body: completion({ content: '{"n":1}' }, 'stop') },
    client: { status: 200, body: answer([{ text: '{"n":1}' }], 'STOP') },
  },
  {
    name: 'responseJsonSchema → response_format json_schema, as it is',
    request: {
      contents: HI,
      generationConfig: {
        responseMimeType: 'application/json',
        responseJsonSchema: { type: 'object', additionalProperties: false, $defs: { x: { type: 'string' } } },
      },
    },
    upstream: {
      model: MODEL,
      messages: HI_CHAT,
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'response',
          schema: { type: 'object', additionalProperties: false, $defs: { x: { type: 'string' } } },
        },
      },
    },
    reply: TEXT_REPLY,
    client: TEXT_CLIENT,
  },
  {
    name: 'application/json without a schema → json_object; length → MAX_TOKENS; usage without details',
    request: { contents: HI, generationConfig: { responseMimeType: 'application/json', maxOutputTokens: 3 } },
    upstream: { model: MODEL, messages: HI_CHAT, max_tokens: 3, response_format: { type: 'json_object' } },
    reply: {
      status: 200,
      body: completion({ content: '{"a' }, 'length', { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 }),
    },
    client: {
      status: 200,
      body: answer([{ text: '{"a' }], 'MAX_TOKENS', { promptTokenCount: 5, candidatesTokenCount: 3, totalTokenCount: 8 }),
    },
  },
  {
    // Found by the property test: a lookup table keyed by field name answered Object.prototype's members.
    name: 'fields named like Object.prototype members are unknown fields like any other: dropped',
    request: { contents: HI, toString: 1, constructor: {}, generationConfig: { constructor: 1, hasOwnProperty: 2 } },
    upstream: { model: MODEL, messages: HI_CHAT },
    dropped: ['toString', 'constructor', 'generationConfig.constructor', 'generationConfig.hasOwnProperty'],
    reply: TEXT_REPLY,
    client: TEXT_CLIENT,
  },
  {
    name: 'content_filter → SAFETY, the refusal as text',
    request: { contents: HI },
    upstream: { model: MODEL, messages: HI_CHAT },
    reply: { status: 200, body: completion({ content: null, refusal: 'No.' }, 'content_filter') },
    client: { status: 200, body: answer([{ text: 'No.' }], 'SAFETY') },
  },
  {
    name: 'an empty answer with an unknown finish and no usage → one empty text part, OTHER, no usageMetadata',
    request: { contents: HI },
    upstream: { model: MODEL, messages: HI_CHAT },
    reply: { status: 200, body: completion({ content: '' }, 'insufficient_system_resource', undefined) },
    client: { status: 200, body: answer([{ text: '' }], 'OTHER', undefined) },
  },
  ...(
    [
      [400, 'INVALID_ARGUMENT'],
      [401, 'UNAUTHENTICATED'],
      [403, 'PERMISSION_DENIED'],
      [404, 'NOT_FOUND'],
      [413, 'INVALID_ARGUMENT'],
      [429, 'RESOURCE_EXHAUSTED'],
      [500, 'INTERNAL'],
      [502, 'UNAVAILABLE'],
      [503, 'UNAVAILABLE'],
      [504, 'DEADLINE_EXCEEDED'],
    ] as const
  ).map(
    ([status, name]): Case => ({
      name: `upstream ${status} → ${status} ${name}`,
      request: { contents: HI },
      upstream: { model: MODEL, messages: HI_CHAT },
      reply: { status, body: { error: { message: `failed ${status}`, type: 'server_error', param: null, code: null } } },
      client: { status, body: { error: { code: status, message: `failed ${status}`, status: name } } },
    }),
  ),
  {
    name: 'an upstream error body that is not OpenAI’s',
    request: { contents: HI },
    upstream: { model: MODEL, messages: HI_CHAT },
    reply: { status: 502, body: 'Bad Gateway' },
    client: {
      status: 502,
      body: { error: { code: 502, message: 'The provider answered 502 without an error message.', status: 'UNAVAILABLE' } },
    },
  },
];

describe('Gemini front door: generateContent ⇄ OpenAI chat', () => {
  it.each(CASES)('should translate: $name', (c) => {
    const { request, dropped } = readGeminiRequest(c.request, { model: MODEL, stream: c.stream ?? false });
    expect(request).toStrictEqual(c.upstream);
    expect(dropped).toStrictEqual(c.dropped ?? []);
    const client =
      c.reply.status < 300
        ? { status: 200, body: toGeminiResponse(c.reply.body, { model: MODEL }) }
        : fromOpenAIErrorToGoogle(c.reply.status, c.reply.body);
    expect(JSON.parse(JSON.stringify(client))).toStrictEqual(c.client);
  });

  it('should answer a 502 SwitchyardError for a 2xx body that is not a chat.completion', () => {
    expect(() => toGeminiResponse({ object: 'list', data: [] }, { model: MODEL })).toThrow(
      expect.objectContaining({ status: 502, code: 'upstream_bad_response' }),
    );
  });

  it('should mint a response id when the completion has none', () => {
    const body = completion({ content: 'x' }, 'stop');
    delete body.id;
    expect(toGeminiResponse(body, { model: MODEL }).responseId).toMatch(/^[A-Za-z0-9_-]{16}$/);
  });
});
