import { describe, expect, it } from 'vitest';
import { toAnthropicRequest } from '../anthropic/request.js';
import { toGeminiRequest } from '../gemini/request.js';
import type { JsonObject } from '../json.js';
import { toChatRequestFromResponses } from './request.js';
import { toResponsesResponse } from './response.js';

const MODEL = 'claude-sonnet-4-5';
const ID = 'resp_abc';
const WEATHER = {
  type: 'function',
  name: 'get_weather',
  description: 'Weather',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  strict: true,
};
const WEATHER_FN = {
  type: 'function',
  function: { name: 'get_weather', description: 'Weather', parameters: WEATHER.parameters, strict: true },
};
const CHAT_USAGE = {
  prompt_tokens: 30,
  completion_tokens: 5,
  total_tokens: 35,
  prompt_tokens_details: { cached_tokens: 20 },
  completion_tokens_details: { reasoning_tokens: 2 },
};
const USAGE = {
  input_tokens: 30,
  input_tokens_details: { cached_tokens: 20 },
  output_tokens: 5,
  output_tokens_details: { reasoning_tokens: 2 },
  total_tokens: 35,
};

function completion(message: JsonObject, finish_reason: string): JsonObject {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: MODEL,
    choices: [{ index: 0, message: { role: 'assistant', refusal: null, ...message }, logprobs: null, finish_reason }],
    usage: CHAT_USAGE,
  };
}

function response(output: unknown[], status = 'completed', incomplete: JsonObject | null = null): JsonObject {
  return {
    id: ID,
    object: 'response',
    created_at: 1_700_000_000,
    status,
    error: null,
    incomplete_details: incomplete,
    model: MODEL,
    output,
    usage: USAGE,
  };
}

const text = (t: string) => ({ type: 'output_text', text: t, annotations: [], logprobs: [] });
const message = (content: unknown[], status = 'completed') => ({
  id: 'msg_abc_0',
  type: 'message',
  status,
  content,
  role: 'assistant',
});
const call = (index: number, callId: string, name: string, args: string) => ({
  id: `fc_abc_${index}`,
  type: 'function_call',
  status: 'completed',
  arguments: args,
  call_id: callId,
  name,
});

interface Case {
  name: string;
  request: JsonObject;
  /** The chat request the pivot produces. */
  chat: JsonObject;
  /** The chat completion that comes back (from the provider, through its own translation). */
  reply: JsonObject;
  /** What the Responses client gets. */
  client: JsonObject;
}

const TEXT_REPLY = completion({ content: 'Hello!' }, 'stop');
const TEXT_CLIENT = response([message([text('Hello!')])]);

const CASES: Case[] = [
  {
    name: 'a string input with instructions; max_output_tokens, sampling, safety_identifier → user',
    request: {
      model: 'smart',
      instructions: 'Be brief.',
      input: 'Hi',
      max_output_tokens: 100,
      temperature: 0.3,
      top_p: 0.8,
      safety_identifier: 'u-1',
    },
    chat: {
      model: MODEL,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
      max_completion_tokens: 100,
      temperature: 0.3,
      top_p: 0.8,
      user: 'u-1',
    },
    reply: TEXT_REPLY,
    client: TEXT_CLIENT,
  },
  {
    name: 'message items of every role, text parts, images by data: and http URL (detail kept for chat)',
    request: {
      model: 'smart',
      user: 'u-2',
      input: [
        { role: 'developer', content: 'Answer in French.' },
        { type: 'message', role: 'system', content: [{ type: 'input_text', text: 'Be kind.' }] },
        {
          type: 'message',
          role: 'user',
          content: [
            { type: 'input_text', text: 'Compare' },
            { type: 'input_image', image_url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'high' },
            { type: 'input_image', image_url: 'https://example.com/cat.jpg' },
          ],
        },
        {
          role: 'assistant',
          content: [{ type: 'output_text', text: 'Two cats.', annotations: [] }],
          id: 'msg_1',
          status: 'completed',
        },
        { role: 'user', content: 'Sure?' },
      ],
    },
    chat: {
      model: MODEL,
      messages: [
        { role: 'developer', content: 'Answer in French.' },
        { role: 'system', content: 'Be kind.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Compare' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'high' } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
          ],
        },
        { role: 'assistant', content: 'Two cats.' },
        { role: 'user', content: 'Sure?' },
      ],
      user: 'u-2',
    },
    reply: TEXT_REPLY,
    client: TEXT_CLIENT,
  },
  {
    name: 'function tools (strict kept for chat) and a named tool_choice; tool calls answered as function_call items',
    request: {
      model: 'smart',
      input: 'Weather in Paris?',
      tools: [WEATHER],
      tool_choice: { type: 'function', name: 'get_weather' },
    },
    chat: {
      model: MODEL,
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [WEATHER_FN],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    },
    reply: completion(
      {
        content: null,
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Lyon"}' } },
        ],
      },
      'tool_calls',
    ),
    client: response([call(0, 'call_1', 'get_weather', '{"city":"Paris"}'), call(1, 'call_2', 'get_weather', '{"city":"Lyon"}')]),
  },
  {
    name: 'tool history: text and function_call items become one assistant turn; outputs become tool messages',
    request: {
      model: 'smart',
      tools: [WEATHER],
      tool_choice: 'auto',
      input: [
        { role: 'user', content: 'Weather in Paris and Lyon?' },
        { type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: 'opaque' },
        { role: 'assistant', content: 'Checking.' },
        {
          type: 'function_call',
          id: 'fc_1',
          call_id: 'call_1',
          name: 'get_weather',
          arguments: '{"city":"Paris"}',
          status: 'completed',
        },
        { type: 'function_call', call_id: 'call_2', name: 'get_weather', arguments: '' },
        { type: 'function_call_output', call_id: 'call_1', output: '18°C' },
        {
          type: 'function_call_output',
          call_id: 'call_2',
          output: [
            { type: 'input_text', text: '20' },
            { type: 'input_text', text: '°C' },
          ],
        },
        { type: 'function_call', call_id: 'call_3', name: 'get_weather', arguments: '{"city":"Nice"}' },
        { type: 'function_call_output', call_id: 'call_3', output: '22°C' },
      ],
    },
    chat: {
      model: MODEL,
      tools: [WEATHER_FN],
      tool_choice: 'auto',
      messages: [
        { role: 'user', content: 'Weather in Paris and Lyon?' },
        {
          role: 'assistant',
          content: 'Checking.',
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '18°C' },
        { role: 'tool', tool_call_id: 'call_2', content: '20°C' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_3', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Nice"}' } }],
        },
        { role: 'tool', tool_call_id: 'call_3', content: '22°C' },
      ],
    },
    reply: TEXT_REPLY,
    client: TEXT_CLIENT,
  },
  {
    name: 'text.format json_schema → response_format; reasoning.effort and text.verbosity kept for chat; a stream asks for usage',
    request: {
      model: 'smart',
      input: 'Count.',
      stream: true,
      reasoning: { effort: 'high', summary: 'auto' },
      text: {
        verbosity: 'low',
        format: { type: 'json_schema', name: 'count', description: 'A count', schema: { type: 'object' }, strict: true },
      },
    },
    chat: {
      model: MODEL,
      messages: [{ role: 'user', content: 'Count.' }],
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'count', schema: { type: 'object' }, description: 'A count', strict: true },
      },
      verbosity: 'low',
      reasoning_effort: 'high',
      stream: true,
      stream_options: { include_usage: true },
    },
    reply: completion({ content: '{"n":1}' }, 'stop'),
    client: response([message([text('{"n":1}')])]),
  },
  {
    name: 'text.format json_object; tool_choice required without parallel calls; text and a tool call answered',
    request: {
      model: 'smart',
      input: 'Go',
      tools: [WEATHER],
      tool_choice: 'required',
      parallel_tool_calls: false,
      text: { format: { type: 'json_object' } },
    },
    chat: {
      model: MODEL,
      messages: [{ role: 'user', content: 'Go' }],
      tools: [WEATHER_FN],
      tool_choice: 'required',
      parallel_tool_calls: false,
      response_format: { type: 'json_object' },
    },
    reply: completion(
      {
        content: 'Checking.',
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
      },
      'tool_calls',
    ),
    client: response([message([text('Checking.')]), call(1, 'call_1', 'get_weather', '{"city":"Paris"}')]),
  },
  {
    name: 'dropped: store, metadata, truncation, include of reasoning, service_tier, prompt caching, max_tool_calls, text format "text"',
    request: {
      model: 'smart',
      input: 'Hi',
      store: true,
      metadata: { workflow: 'x' },
      truncation: 'auto',
      include: ['reasoning.encrypted_content', 'message.input_image.image_url'],
      service_tier: 'flex',
      prompt_cache_key: 'k',
      prompt_cache_retention: '24h',
      max_tool_calls: 3,
      stream_options: { include_obfuscation: false },
      top_logprobs: 0,
      text: { format: { type: 'text' } },
      previous_response_id: null,
      background: false,
    },
    chat: { model: MODEL, messages: [{ role: 'user', content: 'Hi' }] },
    reply: TEXT_REPLY,
    client: TEXT_CLIENT,
  },
  {
    name: 'length → incomplete, max_output_tokens; the message is incomplete too',
    request: { model: 'smart', input: 'Hi', max_output_tokens: 3 },
    chat: { model: MODEL, messages: [{ role: 'user', content: 'Hi' }], max_completion_tokens: 3 },
    reply: completion({ content: 'Hel' }, 'length'),
    client: response([message([text('Hel')], 'incomplete')], 'incomplete', { reason: 'max_output_tokens' }),
  },
  {
    name: 'content_filter → incomplete, content_filter; a refusal is a refusal part',
    request: { model: 'smart', input: 'Hi' },
    chat: { model: MODEL, messages: [{ role: 'user', content: 'Hi' }] },
    reply: completion({ content: null, refusal: 'No.' }, 'content_filter'),
    client: response([message([{ type: 'refusal', refusal: 'No.' }], 'incomplete')], 'incomplete', { reason: 'content_filter' }),
  },
  {
    name: 'an empty answer: no output items',
    request: { model: 'smart', input: 'Hi' },
    chat: { model: MODEL, messages: [{ role: 'user', content: 'Hi' }] },
    reply: completion({ content: '' }, 'stop'),
    client: response([]),
  },
];

describe('/v1/responses to other formats: Responses API ⇄ OpenAI chat', () => {
  it.each(CASES)('should translate: $name', (c) => {
    expect(toChatRequestFromResponses(c.request, { model: MODEL })).toStrictEqual(c.chat);
    expect(toResponsesResponse(c.reply, { model: MODEL, id: ID })).toStrictEqual(c.client);
  });

  it('should mint a resp_ id, and item ids on its suffix, when none is given', () => {
    const out = toResponsesResponse(CASES[5]!.reply, { model: MODEL });
    expect(out.id).toMatch(/^resp_[0-9a-f]{48}$/);
    const suffix = out.id.slice('resp_'.length);
    expect(out.output.map((item) => item.id)).toStrictEqual([`msg_${suffix}_0`, `fc_${suffix}_1`]);
    expect(toResponsesResponse(CASES[5]!.reply, { model: MODEL }).id).not.toBe(out.id);
  });

  it('should report zero usage, never none, when the chat answer has no usage', () => {
    const { usage: _usage, ...reply } = TEXT_REPLY;
    expect(toResponsesResponse(reply, { model: MODEL, id: ID }).usage).toStrictEqual({
      input_tokens: 0,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: 0,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 0,
    });
  });

  it.each([
    ['a body that is not a chat.completion', { error: { message: 'x' } }],
    ['a choice without a message', { choices: [{ index: 0 }] }],
  ])('should answer 502 upstream_bad_response for %s', (_name, body) => {
    expect(() => toResponsesResponse(body, { model: MODEL })).toThrow(
      expect.objectContaining({ status: 502, code: 'upstream_bad_response' }),
    );
  });

  it('should carry a request on to Anthropic: what the chat translation drops (reasoning_effort, verbosity, strict, detail) is gone', () => {
    const chat = toChatRequestFromResponses(
      {
        model: 'smart',
        instructions: 'Be brief.',
        input: [
          {
            role: 'user',
            content: [
              { type: 'input_text', text: 'Weather?' },
              { type: 'input_image', image_url: 'https://example.com/sky.png', detail: 'low' },
            ],
          },
          { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
          { type: 'function_call_output', call_id: 'call_1', output: '18°C' },
        ],
        tools: [WEATHER],
        tool_choice: 'required',
        parallel_tool_calls: false,
        reasoning: { effort: 'low' },
        text: { verbosity: 'high' },
        max_output_tokens: 200,
        user: 'u-1',
      },
      { model: MODEL },
    );
    expect(toAnthropicRequest(chat, { model: MODEL })).toStrictEqual({
      model: MODEL,
      max_tokens: 200,
      system: 'Be brief.',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Weather?' },
            { type: 'image', source: { type: 'url', url: 'https://example.com/sky.png' } },
          ],
        },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_1', content: '18°C' }] },
      ],
      tools: [{ name: 'get_weather', description: 'Weather', input_schema: WEATHER.parameters }],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
      metadata: { user_id: 'u-1' },
    });
  });

  it('should carry a request on to Gemini, structured output and tool history included', () => {
    const chat = toChatRequestFromResponses(
      {
        model: 'smart',
        stream: true,
        input: [
          { role: 'user', content: 'Weather?' },
          { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
          { type: 'function_call_output', call_id: 'call_1', output: '{"temp":18}' },
        ],
        tools: [WEATHER],
        text: { format: { type: 'json_schema', name: 'w', schema: { type: 'object', properties: { t: { type: 'number' } } } } },
        reasoning: { effort: 'minimal' },
      },
      { model: 'gemini-2.5-pro' },
    );
    expect(toGeminiRequest(chat, { model: 'gemini-2.5-pro' })).toStrictEqual({
      path: '/models/gemini-2.5-pro:streamGenerateContent?alt=sse',
      body: {
        contents: [
          { role: 'user', parts: [{ text: 'Weather?' }] },
          { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } } }] },
          { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { temp: 18 } } }] },
        ],
        tools: [
          {
            functionDeclarations: [
              {
                name: 'get_weather',
                description: 'Weather',
                parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
              },
            ],
          },
        ],
        generationConfig: {
          responseMimeType: 'application/json',
          responseSchema: { type: 'object', properties: { t: { type: 'number' } } },
        },
      },
    });
  });
});
