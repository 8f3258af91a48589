// The translation table for OpenAI chat ⇄ Anthropic Messages: each row is one client request, the exact
// body sent upstream, the upstream's answer and the exact answer the client sees.
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../json.js';
import { fromAnthropicError } from './errors.js';
import { toAnthropicRequest } from './request.js';
import { fromAnthropicResponse } from './response.js';

const MODEL = 'claude-sonnet-4-5-20250929';
const CREATED = 1_700_000_000;
const HI = [{ role: 'user', content: 'Hi' }];
const USER_HI = { role: 'user', content: [{ type: 'text', text: 'Hi' }] };
const WEATHER_TOOL = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};
const WEATHER_ANTHROPIC = {
  name: 'get_weather',
  description: 'Weather for a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};
const PERSON_SCHEMA = {
  type: 'object',
  properties: { name: { type: 'string' } },
  required: ['name'],
  additionalProperties: false,
};

/** An Anthropic Message answer. */
function message(
  content: unknown[],
  stop_reason: string,
  usage: JsonObject = { input_tokens: 10, output_tokens: 5 },
): JsonObject {
  return { id: 'msg_01', type: 'message', role: 'assistant', model: MODEL, content, stop_reason, stop_sequence: null, usage };
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
    id: 'msg_01',
    object: 'chat.completion',
    created: CREATED,
    model: MODEL,
    choices: [{ index: 0, message: msg, logprobs: null, finish_reason }],
    usage: extra.usage ?? {
      prompt_tokens: 10,
      completion_tokens: 5,
      total_tokens: 15,
      prompt_tokens_details: { cached_tokens: 0 },
    },
  };
}

const TEXT_REPLY = { status: 200, body: message([{ type: 'text', text: 'Hello!' }], 'end_turn') };
const TEXT_CLIENT = { status: 200, body: completion('Hello!', 'stop') };

interface Case {
  name: string;
  request: JsonObject;
  defaultMaxTokens?: number;
  upstream: JsonObject;
  reply: { status: number; body: unknown };
  client: { status: number; body: unknown };
}

function errorCase(status: number, type: string, message: string, clientStatus: number, clientType: string): Case {
  return {
    name: `upstream ${status} ${type} → ${clientStatus} ${clientType}`,
    request: { model: 'smart', messages: HI },
    upstream: { model: MODEL, max_tokens: 4096, messages: [USER_HI] },
    reply: { status, body: { type: 'error', error: { type, message } } },
    client: { status: clientStatus, body: { error: { message, type: clientType, param: null, code: type } } },
  };
}

const CASES: Case[] = [
  {
    name: 'plain text',
    request: { model: 'smart', messages: HI },
    upstream: { model: MODEL, max_tokens: 4096, messages: [USER_HI] },
    reply: TEXT_REPLY,
    client: TEXT_CLIENT,
  },
  {
    name: 'system and developer messages hoisted, consecutive same-role turns merged',
    request: {
      model: 'smart',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'One' },
        { role: 'user', content: [{ type: 'text', text: 'Two' }] },
        { role: 'assistant', content: 'Ok.' },
        { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
        { role: 'assistant', content: [{ type: 'text', text: 'Still ok.' }] },
        { role: 'user', content: 'Three' },
      ],
    },
    upstream: {
      model: MODEL,
      max_tokens: 4096,
      system: 'Be brief.\n\nAnswer in French.',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'One' },
            { type: 'text', text: 'Two' },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Ok.' },
            { type: 'text', text: 'Still ok.' },
          ],
        },
        { role: 'user', content: [{ type: 'text', text: 'Three' }] },
      ],
    },
    reply: TEXT_REPLY,
    client: TEXT_CLIENT,
  },
  {
    name: 'a conversation that opens with the assistant gets a minimal first user turn',
    request: {
      model: 'smart',
      messages: [
        { role: 'system', content: 'S' },
        { role: 'assistant', content: 'How can I help?' },
        { role: 'user', content: 'Hi' },
      ],
    },
    upstream: {
      model: MODEL,
      max_tokens: 4096,
      system: 'S',
      messages: [
        { role: 'user', content: [{ type: 'text', text: '.' }] },
        { role: 'assistant', content: [{ type: 'text', text: 'How can I help?' }] },
        USER_HI,
      ],
    },
    reply: TEXT_REPLY,
    client: TEXT_CLIENT,
  },
  {
    name: 'tool definition, tool_choice auto, a tool call answered',
    request: { model: 'smart', messages: HI, tools: [WEATHER_TOOL], tool_choice: 'auto' },
    upstream: { model: MODEL, max_tokens: 4096, messages: [USER_HI], tools: [WEATHER_ANTHROPIC], tool_choice: { type: 'auto' } },
    reply: {
      status: 200,
      body: message(
        [
          { type: 'text', text: 'Let me check.' },
          { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
        ],
        'tool_use',
      ),
    },
    client: {
      status: 200,
      body: completion('Let me check.', 'tool_calls', {
        tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
      }),
    },
  },
  {
    name: 'tools without tool_choice, and a function without parameters',
    request: { model: 'smart', messages: HI, tools: [{ type: 'function', function: { name: 'now' } }] },
    upstream: {
      model: MODEL,
      max_tokens: 4096,
      messages: [USER_HI],
      tools: [{ name: 'now', input_schema: { type: 'object', properties: {} } }],
    },
    reply: TEXT_REPLY,
    client: TEXT_CLIENT,
  },
  {
    name: 'tool_choice required with parallel_tool_calls false → any, one tool use',
    request: { model: 'smart', messages: HI, tools: [WEATHER_TOOL], tool_choice: 'required', parallel_tool_calls: false },
    upstream: {
      model: MODEL,
      max_tokens: 4096,
      messages: [USER_HI],
      tools: [WEATHER_ANTHROPIC],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
    },
    reply: { status: 200, body: message([{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: {} }], 'tool_use') },
    client: {
      status: 200,
      body: completion(null, 'tool_calls', {
        tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{}' } }],
      }),
    },
  },
  {
    name: 'named tool_choice → tool',
    request: {
      model: 'smart',
      messages: HI,
      tools: [WEATHER_TOOL],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    },
    upstream: {
      model: MODEL,
      max_tokens: 4096,
      messages: [USER_HI],
      tools: [WEATHER_ANTHROPIC],
      tool_choice: { type: 'tool', name: 'get_weather' },
    },
    reply: TEXT_REPLY,
    client: TEXT_CLIENT,
  },
  {
    name: 'tool_choice none',
    request: { model: 'smart', messages: HI, tools: [WEATHER_TOOL], tool_choice: 'none' },
    upstream: { model: MODEL, max_tokens: 4096, messages: [USER_HI], tools: [WEATHER_ANTHROPIC], tool_choice: { type: 'none' } },
    reply: TEXT_REPLY,
    client: TEXT_CLIENT,
  },
  {
    name: 'parallel tool calls in one answer',
    request: { model: 'smart', messages: HI, tools: [WEATHER_TOOL] },
    upstream: { model: MODEL, max_tokens: 4096, messages: [USER_HI], tools: [WEATHER_ANTHROPIC] },
    reply: {
      status: 200,
      body: message(
        [
          { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'toolu_2', name: 'get_weather', input: { city: 'Oslo' } },
        ],
        'tool_use',
      ),
    },
    client: {
      status: 200,
      body: completion(null, 'tool_calls', {
        tool_calls: [
          { id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          { id: 'toolu_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
        ],
      }),
    },
  },
  {
    name: 'tool results: assistant tool_calls → tool_use; consecutive tool messages and the next user message → one user turn',
    request: {
      model: 'smart',
      tools: [WEATHER_TOOL],
      messages: [
        { role: 'user', content: 'Weather in Paris and Oslo?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            { id: 'toolu_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'toolu_1', content: '18°C' },
        { role: 'tool', tool_call_id: 'toolu_2', content: [{ type: 'text', text: '9°C' }] },
        { role: 'user', content: 'Which is warmer?' },
      ],
    },
    upstream: {
      model: MODEL,
      max_tokens: 4096,
      tools: [WEATHER_ANTHROPIC],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Weather in Paris and Oslo?' }] },
        {
          role: 'assistant',
          content: [
            { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
            { type: 'tool_use', id: 'toolu_2', name: 'get_weather', input: { city: 'Oslo' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: '18°C' },
            { type: 'tool_result', tool_use_id: 'toolu_2', content: '9°C' },
            { type: 'text', text: 'Which is warmer?' },
          ],
        },
      ],
    },
    reply: { status: 200, body: message([{ type: 'text', text: 'Paris.' }], 'end_turn') },
    client: { status: 200, body: completion('Paris.', 'stop') },
  },
  {
    name: 'image as a data URL → base64 source',
    request: {
      model: 'smart',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'high' } },
          ],
        },
      ],
    },
    upstream: {
      model: MODEL,
      max_tokens: 4096,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
          ],
        },
      ],
    },
    reply: TEXT_REPLY,
    client: TEXT_CLIENT,
  },
  {
    name: 'image as an https URL → url source',
    request: {
      model: 'smart',
      messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } }] }],
    },
    upstream: {
      model: MODEL,
      max_tokens: 4096,
      messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } }] }],
    },
    reply: TEXT_REPLY,
    client: TEXT_CLIENT,
  },
  {
    name: 'response_format json_schema → a forced json_response tool; its input is the content',
    request: {
      model: 'smart',
      messages: HI,
      response_format: { type: 'json_schema', json_schema: { name: 'person', strict: true, schema: PERSON_SCHEMA } },
    },
    upstream: {
      model: MODEL,
      max_tokens: 4096,
      messages: [USER_HI],
      tools: [
        {
          name: 'json_response',
          description: 'Respond with a JSON object matching the schema "person".',
          input_schema: PERSON_SCHEMA,
        },
      ],
      tool_choice: { type: 'tool', name: 'json_response' },
    },
    reply: {
      status: 200,
      body: message([{ type: 'tool_use', id: 'toolu_9', name: 'json_response', input: { name: 'Ada' } }], 'tool_use'),
    },
    client: { status: 200, body: completion('{"name":"Ada"}', 'stop') },
  },
  {
    name: 'response_format json_object → a forced tool taking any object',
    request: { model: 'smart', messages: HI, response_format: { type: 'json_object' } },
    upstream: {
      model: MODEL,
      max_tokens: 4096,
      messages: [USER_HI],
      tools: [{ name: 'json_response', description: 'Respond with a JSON object.', input_schema: { type: 'object' } }],
      tool_choice: { type: 'tool', name: 'json_response' },
    },
    reply: {
      status: 200,
      body: message([{ type: 'tool_use', id: 'toolu_9', name: 'json_response', input: { ok: true } }], 'tool_use'),
    },
    client: { status: 200, body: completion('{"ok":true}', 'stop') },
  },
  {
    name: 'json_schema with tools of the client: any over both; a real tool call stays a tool call',
    request: {
      model: 'smart',
      messages: HI,
      tools: [WEATHER_TOOL],
      response_format: { type: 'json_schema', json_schema: { name: 'person', description: 'A person', schema: PERSON_SCHEMA } },
    },
    upstream: {
      model: MODEL,
      max_tokens: 4096,
      messages: [USER_HI],
      tools: [WEATHER_ANTHROPIC, { name: 'json_response', description: 'A person', input_schema: PERSON_SCHEMA }],
      tool_choice: { type: 'any' },
    },
    reply: {
      status: 200,
      body: message([{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Rome' } }], 'tool_use'),
    },
    client: {
      status: 200,
      body: completion(null, 'tool_calls', {
        tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } }],
      }),
    },
  },
  {
    name: 'json_schema with tool_choice none: the JSON tool is forced, the client tools stay declared',
    request: {
      model: 'smart',
      messages: HI,
      tools: [WEATHER_TOOL],
      tool_choice: 'none',
      response_format: { type: 'json_schema', json_schema: { name: 'person', schema: PERSON_SCHEMA } },
    },
    upstream: {
      model: MODEL,
      max_tokens: 4096,
      messages: [USER_HI],
      tools: [
        WEATHER_ANTHROPIC,
        {
          name: 'json_response',
          description: 'Respond with a JSON object matching the schema "person".',
          input_schema: PERSON_SCHEMA,
        },
      ],
      tool_choice: { type: 'tool', name: 'json_response' },
    },
    reply: {
      status: 200,
      body: message([{ type: 'tool_use', id: 'toolu_9', name: 'json_response', input: { name: 'Ada' } }], 'tool_use'),
    },
    client: { status: 200, body: completion('{"name":"Ada"}', 'stop') },
  },
  {
    name: 'stop as a string → stop_sequences; stop_sequence → stop',
    request: { model: 'smart', messages: HI, stop: 'END' },
    upstream: { model: MODEL, max_tokens: 4096, messages: [USER_HI], stop_sequences: ['END'] },
    reply: { status: 200, body: { ...message([{ type: 'text', text: 'Hello' }], 'stop_sequence'), stop_sequence: 'END' } },
    client: { status: 200, body: completion('Hello', 'stop') },
  },
  {
    name: 'stop as an array',
    request: { model: 'smart', messages: HI, stop: ['END', '###'] },
    upstream: { model: MODEL, max_tokens: 4096, messages: [USER_HI], stop_sequences: ['END', '###'] },
    reply: TEXT_REPLY,
    client: TEXT_CLIENT,
  },
  {
    name: 'max_tokens default from the catalog cap when the client sets none',
    request: { model: 'smart', messages: HI },
    defaultMaxTokens: 64_000,
    upstream: { model: MODEL, max_tokens: 64_000, messages: [USER_HI] },
    reply: TEXT_REPLY,
    client: TEXT_CLIENT,
  },
  {
    name: "the client's max_completion_tokens wins over max_tokens and the default; max_tokens → length",
    request: { model: 'smart', messages: HI, max_tokens: 50, max_completion_tokens: 20 },
    defaultMaxTokens: 64_000,
    upstream: { model: MODEL, max_tokens: 20, messages: [USER_HI] },
    reply: { status: 200, body: message([{ type: 'text', text: 'Hel' }], 'max_tokens') },
    client: { status: 200, body: completion('Hel', 'length') },
  },
  {
    name: 'refusal → content_filter',
    request: { model: 'smart', messages: HI },
    upstream: { model: MODEL, max_tokens: 4096, messages: [USER_HI] },
    reply: { status: 200, body: message([{ type: 'text', text: 'I cannot help with that.' }], 'refusal') },
    client: { status: 200, body: completion('I cannot help with that.', 'content_filter') },
  },
  {
    name: 'model_context_window_exceeded → length',
    request: { model: 'smart', messages: HI },
    upstream: { model: MODEL, max_tokens: 4096, messages: [USER_HI] },
    reply: { status: 200, body: message([{ type: 'text', text: 'Partial' }], 'model_context_window_exceeded') },
    client: { status: 200, body: completion('Partial', 'length') },
  },
  {
    name: 'usage with cache fields: prompt tokens count every input token, cached ones are cache reads',
    request: { model: 'smart', messages: HI },
    upstream: { model: MODEL, max_tokens: 4096, messages: [USER_HI] },
    reply: {
      status: 200,
      body: message([{ type: 'text', text: 'Hello!' }], 'end_turn', {
        input_tokens: 12,
        output_tokens: 7,
        cache_read_input_tokens: 1000,
        cache_creation_input_tokens: 200,
      }),
    },
    client: {
      status: 200,
      body: completion('Hello!', 'stop', {
        usage: { prompt_tokens: 1212, completion_tokens: 7, total_tokens: 1219, prompt_tokens_details: { cached_tokens: 1000 } },
      }),
    },
  },
  {
    name: 'sampling: temperature clamped to 1, top_p, user → metadata, stream; hints Anthropic lacks dropped',
    request: {
      model: 'smart',
      messages: HI,
      temperature: 1.7,
      top_p: 0.9,
      user: 'u-42',
      stream: true,
      stream_options: { include_usage: true },
      presence_penalty: 0.5,
      frequency_penalty: 0.2,
      seed: 7,
      logit_bias: { '50256': -100 },
      n: 1,
      store: true,
      metadata: { priority: 'high' },
    },
    upstream: {
      model: MODEL,
      max_tokens: 4096,
      messages: [USER_HI],
      temperature: 1,
      top_p: 0.9,
      stream: true,
      metadata: { user_id: 'u-42' },
    },
    reply: TEXT_REPLY,
    client: TEXT_CLIENT,
  },
  {
    name: 'thinking blocks and empty text parts are left out',
    request: {
      model: 'smart',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: '' },
            { type: 'text', text: 'Hi' },
          ],
        },
      ],
    },
    upstream: { model: MODEL, max_tokens: 4096, messages: [USER_HI] },
    reply: {
      status: 200,
      body: message(
        [
          { type: 'thinking', thinking: 'Hmm.', signature: 'sig' },
          { type: 'text', text: 'Hello!' },
        ],
        'end_turn',
      ),
    },
    client: TEXT_CLIENT,
  },
  errorCase(400, 'invalid_request_error', 'messages: text content blocks must be non-empty', 400, 'invalid_request_error'),
  errorCase(401, 'authentication_error', 'invalid x-api-key', 401, 'authentication_error'),
  errorCase(
    403,
    'permission_error',
    'Your API key does not have permission to use the specified resource.',
    403,
    'permission_error',
  ),
  errorCase(404, 'not_found_error', 'model: claude-x', 404, 'not_found_error'),
  errorCase(413, 'request_too_large', 'Request exceeds the maximum allowed number of bytes.', 413, 'invalid_request_error'),
  errorCase(429, 'rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit', 429, 'rate_limit_error'),
  errorCase(500, 'api_error', 'Internal server error', 500, 'api_error'),
  errorCase(529, 'overloaded_error', 'Overloaded', 503, 'api_error'),
  {
    name: 'an error body that is not Anthropic JSON keeps its status',
    request: { model: 'smart', messages: HI },
    upstream: { model: MODEL, max_tokens: 4096, messages: [USER_HI] },
    reply: { status: 502, body: '<html>Bad Gateway</html>' },
    client: {
      status: 502,
      body: {
        error: { message: 'The provider answered 502 without an error message.', type: 'api_error', param: null, code: null },
      },
    },
  },
];

describe('OpenAI chat ⇄ Anthropic Messages translation table', () => {
  it('should hold at least 25 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(25);
  });

  it.each(CASES)('should translate: $name', (c) => {
    const upstream = toAnthropicRequest(c.request, {
      model: MODEL,
      ...(c.defaultMaxTokens ? { defaultMaxTokens: c.defaultMaxTokens } : {}),
    });
    expect(upstream).toStrictEqual(c.upstream);
    const client =
      c.reply.status < 300
        ? { status: 200, body: fromAnthropicResponse(c.reply.body, { model: MODEL, created: CREATED }) }
        : fromAnthropicError(c.reply.status, c.reply.body);
    expect(client).toStrictEqual(c.client);
  });
});

interface Refusal {
  name: string;
  request: JsonObject;
  code: 'unsupported_parameter' | 'invalid_request';
  param: string;
}

const REFUSALS: Refusal[] = [
  { name: 'n > 1', request: { model: 'smart', messages: HI, n: 2 }, code: 'unsupported_parameter', param: 'n' },
  {
    name: 'logprobs',
    request: { model: 'smart', messages: HI, logprobs: true },
    code: 'unsupported_parameter',
    param: 'logprobs',
  },
  {
    name: 'top_logprobs',
    request: { model: 'smart', messages: HI, top_logprobs: 2 },
    code: 'unsupported_parameter',
    param: 'top_logprobs',
  },
  {
    name: 'audio output',
    request: { model: 'smart', messages: HI, modalities: ['text', 'audio'] },
    code: 'unsupported_parameter',
    param: 'modalities',
  },
  {
    name: 'legacy functions',
    request: { model: 'smart', messages: HI, functions: [] },
    code: 'unsupported_parameter',
    param: 'functions',
  },
  {
    name: 'an input_audio part',
    request: {
      model: 'smart',
      messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'x', format: 'wav' } }] }],
    },
    code: 'unsupported_parameter',
    param: 'messages[0].content[0].type',
  },
  {
    name: 'a non-function tool',
    request: { model: 'smart', messages: HI, tools: [{ type: 'custom', custom: { name: 'x' } }] },
    code: 'unsupported_parameter',
    param: 'tools[0].type',
  },
  {
    name: 'an image type Anthropic does not read',
    request: {
      model: 'smart',
      messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/bmp;base64,Qk0=' } }] }],
    },
    code: 'unsupported_parameter',
    param: 'messages',
  },
  {
    name: 'a client tool named json_response alongside response_format',
    request: {
      model: 'smart',
      messages: HI,
      tools: [{ type: 'function', function: { name: 'json_response' } }],
      response_format: { type: 'json_object' },
    },
    code: 'unsupported_parameter',
    param: 'tools',
  },
  {
    name: 'a JSON schema whose root is not an object',
    request: {
      model: 'smart',
      messages: HI,
      response_format: { type: 'json_schema', json_schema: { name: 'list', schema: { type: 'array' } } },
    },
    code: 'unsupported_parameter',
    param: 'response_format.json_schema.schema',
  },
  {
    name: 'the legacy function role',
    request: { model: 'smart', messages: [{ role: 'function', name: 'f', content: 'x' }] },
    code: 'unsupported_parameter',
    param: 'messages[0].role',
  },
  {
    name: 'a data URL that is not base64',
    request: {
      model: 'smart',
      messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png,abc' } }] }],
    },
    code: 'invalid_request',
    param: 'messages[0].content[0].image_url.url',
  },
  {
    name: 'an image URL that is neither http(s) nor data',
    request: {
      model: 'smart',
      messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'ftp://x/y.png' } }] }],
    },
    code: 'invalid_request',
    param: 'messages[0].content[0].image_url.url',
  },
  {
    name: 'tool call arguments that are not a JSON object',
    request: {
      model: 'smart',
      messages: [
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{oops' } }],
        },
      ],
    },
    code: 'invalid_request',
    param: 'messages[0].tool_calls[0].function.arguments',
  },
  { name: 'no messages', request: { model: 'smart', messages: [] }, code: 'invalid_request', param: 'messages' },
  {
    name: 'only empty messages',
    request: { model: 'smart', messages: [{ role: 'user', content: '' }] },
    code: 'invalid_request',
    param: 'messages',
  },
  {
    name: 'an unknown role',
    request: { model: 'smart', messages: [{ role: 'robot', content: 'x' }] },
    code: 'invalid_request',
    param: 'messages[0].role',
  },
  {
    name: 'a max_tokens that is not a positive integer',
    request: { model: 'smart', messages: HI, max_tokens: 0 },
    code: 'invalid_request',
    param: 'max_tokens',
  },
  {
    name: 'a stop that is not text',
    request: { model: 'smart', messages: HI, stop: [1] },
    code: 'invalid_request',
    param: 'stop',
  },
  {
    name: 'a temperature that is not a number',
    request: { model: 'smart', messages: HI, temperature: 'hot' },
    code: 'invalid_request',
    param: 'temperature',
  },
  { name: 'a body that is not an object', request: [] as unknown as JsonObject, code: 'invalid_request', param: 'body' },
];

describe('OpenAI chat → Anthropic: what cannot be translated', () => {
  it.each(REFUSALS)('should answer 400 $code for $name', ({ request, code, param }) => {
    let thrown: unknown;
    try {
      toAnthropicRequest(request, { model: MODEL });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toMatchObject({ name: 'SwitchyardError', status: 400, type: 'invalid_request_error', code, param });
  });

  it('should answer 502 upstream_bad_response for a 2xx body that is not a Message', () => {
    expect(() => fromAnthropicResponse({ hello: 'world' }, { model: MODEL })).toThrow(
      expect.objectContaining({ status: 502, code: 'upstream_bad_response' }),
    );
  });
});
