// The `/v1/messages` front door routed to an OpenAI-format provider: each row is one Anthropic-shaped
// client request, the exact OpenAI body sent upstream, the upstream's answer and the exact Message (or
// error) the client sees.
import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '@switchyard/core';
import { toAnthropicRequest } from '../anthropic/request.js';
import { fromAnthropicResponse } from '../anthropic/response.js';
import type { JsonObject } from '../json.js';
import { anthropicError, fromOpenAIError } from './errors.js';
import { toOpenAIRequest } from './request.js';
import { toAnthropicResponse } from './response.js';

const MODEL = 'gpt-4o-2024-08-06';
const HI = [{ role: 'user', content: 'Hi' }];
const WEATHER = {
  name: 'get_weather',
  description: 'Weather',
  input_schema: { type: 'object', properties: { city: { type: 'string' } } },
};
const WEATHER_FN = {
  type: 'function',
  function: { name: 'get_weather', description: 'Weather', parameters: WEATHER.input_schema },
};
const OPENAI_USAGE = { prompt_tokens: 30, completion_tokens: 5, total_tokens: 35, prompt_tokens_details: { cached_tokens: 20 } };
const MESSAGE_USAGE = { input_tokens: 10, output_tokens: 5, cache_creation_input_tokens: 0, cache_read_input_tokens: 20 };

function completion(message: JsonObject, finish_reason: string): JsonObject {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1,
    model: 'gpt-4o-2024-08-06',
    choices: [{ index: 0, message: { role: 'assistant', refusal: null, ...message }, logprobs: null, finish_reason }],
    usage: OPENAI_USAGE,
  };
}

function message(content: unknown[], stop_reason: string): JsonObject {
  return {
    id: 'chatcmpl-1',
    type: 'message',
    role: 'assistant',
    model: MODEL,
    content,
    stop_reason,
    stop_sequence: null,
    usage: MESSAGE_USAGE,
  };
}

interface Case {
  name: string;
  request: JsonObject;
  upstream: JsonObject;
  reply: { status: number; body: unknown };
  client: { status: number; body: unknown };
}

const TEXT_REPLY = { status: 200, body: completion({ content: 'Hello!' }, 'stop') };
const TEXT_CLIENT = { status: 200, body: message([{ type: 'text', text: 'Hello!' }], 'end_turn') };

const CASES: Case[] = [
  {
    name: 'plain text, max_tokens, system as blocks',
    request: {
      model: 'smart',
      max_tokens: 100,
      system: [
        { type: 'text', text: 'Be brief.' },
        { type: 'text', text: 'Be kind.', cache_control: { type: 'ephemeral' } },
      ],
      messages: HI,
    },
    upstream: {
      model: MODEL,
      max_tokens: 100,
      messages: [
        { role: 'system', content: 'Be brief.\n\nBe kind.' },
        { role: 'user', content: 'Hi' },
      ],
    },
    reply: TEXT_REPLY,
    client: TEXT_CLIENT,
  },
  {
    name: 'sampling and stop sequences; top_k and thinking dropped; stream asks for usage',
    request: {
      model: 'smart',
      max_tokens: 100,
      messages: HI,
      temperature: 0.3,
      top_p: 0.8,
      top_k: 40,
      stop_sequences: ['END'],
      metadata: { user_id: 'u-1' },
      stream: true,
      thinking: { type: 'enabled', budget_tokens: 2000 },
    },
    upstream: {
      model: MODEL,
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Hi' }],
      temperature: 0.3,
      top_p: 0.8,
      stop: ['END'],
      user: 'u-1',
      stream: true,
      stream_options: { include_usage: true },
    },
    reply: TEXT_REPLY,
    client: TEXT_CLIENT,
  },
  {
    name: 'tools and tool_choice any with parallel use disabled; a tool call answered',
    request: {
      model: 'smart',
      max_tokens: 100,
      messages: HI,
      tools: [WEATHER],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
    },
    upstream: {
      model: MODEL,
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Hi' }],
      tools: [WEATHER_FN],
      tool_choice: 'required',
      parallel_tool_calls: false,
    },
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
      body: message([{ type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } }], 'tool_use'),
    },
  },
  {
    name: 'tool_choice tool → a named function; text and parallel tool calls answered',
    request: {
      model: 'smart',
      max_tokens: 100,
      messages: HI,
      tools: [WEATHER],
      tool_choice: { type: 'tool', name: 'get_weather' },
    },
    upstream: {
      model: MODEL,
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Hi' }],
      tools: [WEATHER_FN],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    },
    reply: {
      status: 200,
      body: completion(
        {
          content: 'Checking.',
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: 'not json' } },
          ],
        },
        'tool_calls',
      ),
    },
    client: {
      status: 200,
      body: message(
        [
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'call_2', name: 'get_weather', input: {} },
        ],
        'tool_use',
      ),
    },
  },
  {
    name: 'tool_use history and tool_result blocks → assistant tool_calls and tool messages ahead of the user text',
    request: {
      model: 'smart',
      max_tokens: 100,
      tools: [WEATHER],
      tool_choice: { type: 'auto' },
      messages: [
        { role: 'user', content: 'Weather?' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'Use the tool.', signature: 'sig' },
            { type: 'text', text: 'Checking.' },
            { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: '18°C' }] },
            { type: 'text', text: 'Thanks' },
          ],
        },
      ],
    },
    upstream: {
      model: MODEL,
      max_tokens: 100,
      tools: [WEATHER_FN],
      tool_choice: 'auto',
      messages: [
        { role: 'user', content: 'Weather?' },
        {
          role: 'assistant',
          content: 'Checking.',
          tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
        },
        { role: 'tool', tool_call_id: 'toolu_1', content: '18°C' },
        { role: 'user', content: 'Thanks' },
      ],
    },
    reply: TEXT_REPLY,
    client: TEXT_CLIENT,
  },
  {
    name: 'images (base64 and url) → image_url parts',
    request: {
      model: 'smart',
      max_tokens: 100,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Compare' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
          ],
        },
      ],
    },
    upstream: {
      model: MODEL,
      max_tokens: 100,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Compare' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
          ],
        },
      ],
    },
    reply: TEXT_REPLY,
    client: TEXT_CLIENT,
  },
  {
    name: 'structured output (output_config.format, and the beta output_format) → response_format json_schema, answered as text',
    request: {
      model: 'smart',
      max_tokens: 100,
      messages: HI,
      output_config: { format: { type: 'json_schema', schema: { type: 'object', properties: { n: { type: 'integer' } } } } },
    },
    upstream: {
      model: MODEL,
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Hi' }],
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'output', schema: { type: 'object', properties: { n: { type: 'integer' } } } },
      },
    },
    reply: { status: 200, body: completion({ content: '{"n":1}' }, 'stop') },
    client: { status: 200, body: message([{ type: 'text', text: '{"n":1}' }], 'end_turn') },
  },
  {
    name: 'the beta output_format',
    request: {
      model: 'smart',
      max_tokens: 100,
      messages: HI,
      output_format: { type: 'json_schema', schema: { type: 'object' } },
    },
    upstream: {
      model: MODEL,
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Hi' }],
      response_format: { type: 'json_schema', json_schema: { name: 'output', schema: { type: 'object' } } },
    },
    reply: TEXT_REPLY,
    client: TEXT_CLIENT,
  },
  {
    name: 'length → max_tokens',
    request: { model: 'smart', max_tokens: 3, messages: HI },
    upstream: { model: MODEL, max_tokens: 3, messages: [{ role: 'user', content: 'Hi' }] },
    reply: { status: 200, body: completion({ content: 'Hel' }, 'length') },
    client: { status: 200, body: message([{ type: 'text', text: 'Hel' }], 'max_tokens') },
  },
  {
    name: 'content_filter → refusal',
    request: { model: 'smart', max_tokens: 3, messages: HI },
    upstream: { model: MODEL, max_tokens: 3, messages: [{ role: 'user', content: 'Hi' }] },
    reply: { status: 200, body: completion({ content: null, refusal: 'No.' }, 'content_filter') },
    client: { status: 200, body: message([{ type: 'text', text: 'No.' }], 'refusal') },
  },
  ...(
    [
      [400, 'invalid_request_error'],
      [401, 'authentication_error'],
      [403, 'permission_error'],
      [404, 'not_found_error'],
      [413, 'request_too_large'],
      [429, 'rate_limit_error'],
      [500, 'api_error'],
      [503, 'overloaded_error'],
      [504, 'timeout_error'],
    ] as const
  ).map(
    ([status, type]): Case => ({
      name: `upstream ${status} → ${status} ${type}`,
      request: { model: 'smart', max_tokens: 10, messages: HI },
      upstream: { model: MODEL, max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] },
      reply: { status, body: { error: { message: `failed ${status}`, type: 'server_error', param: null, code: null } } },
      client: { status, body: { type: 'error', error: { type, message: `failed ${status}` } } },
    }),
  ),
];

describe('/v1/messages front door: Anthropic Messages ⇄ OpenAI chat', () => {
  it.each(CASES)('should translate: $name', (c) => {
    expect(toOpenAIRequest(c.request, { model: MODEL })).toStrictEqual(c.upstream);
    const client =
      c.reply.status < 300
        ? { status: 200, body: toAnthropicResponse(c.reply.body, { model: MODEL }) }
        : fromOpenAIError(c.reply.status, c.reply.body);
    expect(client).toStrictEqual(c.client);
  });

  it.each([
    [
      'a document block',
      { messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'text', data: 'x' } }] }] },
      'messages.0.content.0.type',
    ],
    ['a server tool', { messages: HI, tools: [{ type: 'web_search_20250305', name: 'web_search' }] }, 'tools.0.type'],
    [
      'an image tool result',
      {
        messages: [
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'image', source: {} }] }] },
        ],
      },
      'messages.0.content.0.content.0',
    ],
    [
      'a file image source',
      { messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'file', file_id: 'f' } }] }] },
      'messages.0.content.0.source',
    ],
  ])('should answer 400 unsupported_parameter for %s', (_name, body, param) => {
    expect(() => toOpenAIRequest({ model: 'smart', max_tokens: 10, ...body }, { model: MODEL })).toThrow(
      expect.objectContaining({ status: 400, code: 'unsupported_parameter', param }),
    );
  });

  it.each([
    ['no messages', { messages: [] }, 'messages'],
    ['a system role message', { messages: [{ role: 'system', content: 'x' }] }, 'messages.0.role'],
    ['an unknown tool_choice', { messages: HI, tools: [WEATHER], tool_choice: { type: 'sometimes' } }, 'tool_choice'],
    ['an output format without a schema', { messages: HI, output_format: { type: 'json_schema' } }, 'output_config.format'],
  ])('should answer 400 invalid_request for %s', (_name, body, param) => {
    expect(() => toOpenAIRequest({ model: 'smart', ...body }, { model: MODEL })).toThrow(
      expect.objectContaining({ status: 400, code: 'invalid_request', param }),
    );
  });

  it("should render the gateway's own errors in Anthropic's shape", () => {
    const err = new SwitchyardError({
      status: 404,
      type: 'not_found_error',
      code: 'model_not_found',
      message: 'Unknown model "claude".',
    });
    expect(anthropicError(err)).toStrictEqual({
      status: 404,
      body: { type: 'error', error: { type: 'not_found_error', message: 'Unknown model "claude".' } },
    });
  });

  it('should survive a round trip through both translations: Anthropic → OpenAI → Anthropic request', () => {
    const request = CASES[4]!.request;
    const back = toAnthropicRequest(toOpenAIRequest(request, { model: MODEL }), { model: 'claude-x' });
    expect(back).toStrictEqual({
      model: 'claude-x',
      max_tokens: 100,
      tools: [WEATHER],
      tool_choice: { type: 'auto' },
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Weather?' }] },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Checking.' },
            { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: '18°C' },
            { type: 'text', text: 'Thanks' },
          ],
        },
      ],
    });
  });

  it('should survive a round trip through both translations: OpenAI completion → Message → completion', () => {
    const original = CASES[3]!.reply.body as JsonObject;
    const again = fromAnthropicResponse(toAnthropicResponse(original, { model: MODEL }), { model: MODEL, created: 1 });
    expect(again.choices[0].message).toStrictEqual({
      role: 'assistant',
      content: 'Checking.',
      refusal: null,
      tool_calls: [
        { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
        { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{}' } },
      ],
    });
    expect(again.usage).toStrictEqual(OPENAI_USAGE);
    expect(again.choices[0].finish_reason).toBe('tool_calls');
  });
});
