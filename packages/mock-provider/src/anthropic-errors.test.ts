import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMockProvider } from './index.js';
import { messagesBody, PNG_1X1, postMessages } from '../test/native.js';
import { jsonOf } from '../test/utils.js';
import type { MockProvider } from './types.js';

const KEY = 'sk-ant-mock-key';
const TOOL = { name: 'lookup', input_schema: { type: 'object', properties: {} } };

function expectAnthropicError(body: any, type: string, message?: string): void {
  expect(body).toEqual({
    type: 'error',
    error: { type, message: message ?? expect.any(String) },
    request_id: expect.stringMatching(/^req_/),
  });
}

describe('anthropic messages: auth and version', () => {
  let mock: MockProvider;
  beforeAll(async () => {
    mock = await startMockProvider({ apiKeys: [KEY] });
  });
  afterAll(() => mock.close());

  it('should answer 401 authentication_error without a key', async () => {
    const res = await postMessages(mock, messagesBody());
    expect(res.status).toBe(401);
    expect(res.headers.get('request-id')).toMatch(/^req_/);
    const body = await jsonOf(res);
    expectAnthropicError(body, 'authentication_error', 'x-api-key header is required');
    expect(body.request_id).toBe(res.headers.get('request-id'));
  });

  it('should answer 401 for a wrong key and never echo it', async () => {
    const res = await postMessages(mock, messagesBody(), { key: 'sk-ant-wrong-secret' });
    expect(res.status).toBe(401);
    const text = await res.text();
    expectAnthropicError(JSON.parse(text), 'authentication_error', 'invalid x-api-key');
    expect(text).not.toContain('sk-ant-wrong-secret');
  });

  it('should take the key from x-api-key or Authorization: Bearer, not from the OpenAI side alone', async () => {
    expect((await postMessages(mock, messagesBody(), { key: KEY })).status).toBe(200);
    expect((await postMessages(mock, messagesBody(), { headers: { authorization: `Bearer ${KEY}` } })).status).toBe(200);
    expect((await postMessages(mock, messagesBody(), { headers: { authorization: KEY } })).status).toBe(401);
  });

  it('should answer 400 when anthropic-version is missing or malformed', async () => {
    const missing = await postMessages(mock, messagesBody(), { key: KEY, headers: { 'anthropic-version': '' } });
    expect(missing.status).toBe(400);
    expectAnthropicError(await jsonOf(missing), 'invalid_request_error', 'anthropic-version: header is required');
    const odd = await postMessages(mock, messagesBody(), { key: KEY, headers: { 'anthropic-version': 'latest' } });
    expect(odd.status).toBe(400);
    expect((await jsonOf(odd)).error.message).toContain('anthropic-version');
  });

  it('should check the key before the version and the body', async () => {
    const res = await postMessages(mock, 'not json', { headers: { 'anthropic-version': '' } });
    expect(res.status).toBe(401);
  });
});

describe('anthropic messages: validation', () => {
  let mock: MockProvider;
  beforeAll(async () => {
    mock = await startMockProvider();
  });
  afterAll(() => mock.close());

  const user = (content: unknown) => ({ role: 'user', content });
  const assistant = (content: unknown) => ({ role: 'assistant', content });
  const toolUse = (id: string) => ({ type: 'tool_use', id, name: 'lookup', input: {} });
  const toolResult = (id: string) => ({ type: 'tool_result', tool_use_id: id, content: 'ok' });
  const image = (media_type: string, data: string) => ({ type: 'image', source: { type: 'base64', media_type, data } });

  it.each<[string, unknown, string]>([
    ['a body that is not JSON', '{"model":', 'There was an issue with the request body: the body is not valid JSON.'],
    ['a body that is not an object', [1], 'body: Input should be a valid dictionary'],
    [
      'an OpenAI-only field',
      messagesBody({ response_format: { type: 'json_object' } }),
      'response_format: Extra inputs are not permitted',
    ],
    ['no model', { max_tokens: 5, messages: [user('hi')] }, 'model: Field required'],
    ['no max_tokens', { model: 'claude', messages: [user('hi')] }, 'max_tokens: Field required'],
    ['max_tokens 0', messagesBody({ max_tokens: 0 }), 'max_tokens: Input should be greater than or equal to 1'],
    ['max_tokens not an integer', messagesBody({ max_tokens: 1.5 }), 'max_tokens: Input should be a valid integer'],
    ['no messages', { model: 'claude', max_tokens: 5 }, 'messages: Field required'],
    ['empty messages', messagesBody({ messages: [] }), 'messages: at least one message is required'],
    [
      'a system message',
      messagesBody({ messages: [{ role: 'system', content: 'Be brief.' }, user('hi')] }),
      'messages: Unexpected role "system". The Messages API accepts a top-level `system` parameter, not "system" as an input message role.',
    ],
    [
      'a tool role',
      messagesBody({ messages: [user('hi'), { role: 'tool', content: 'x' }] }),
      "messages.1.role: Input should be 'user' or 'assistant'",
    ],
    [
      'an assistant first',
      messagesBody({ messages: [assistant('hi'), user('hi')] }),
      'messages: first message must use the "user" role',
    ],
    [
      'two user turns in a row',
      messagesBody({ messages: [user('a'), user('b')] }),
      'messages: roles must alternate between "user" and "assistant", but found multiple "user" roles in a row',
    ],
    [
      'two assistant turns in a row',
      messagesBody({ messages: [user('a'), assistant('b'), assistant('c')] }),
      'messages: roles must alternate between "user" and "assistant", but found multiple "assistant" roles in a row',
    ],
    [
      'an empty user turn',
      messagesBody({ messages: [user('')] }),
      'messages.0: all messages must have non-empty content except for the optional final assistant message',
    ],
    [
      'an empty assistant turn before the last',
      messagesBody({ messages: [user('a'), assistant([]), user('b')] }),
      'messages.1: all messages must have non-empty content except for the optional final assistant message',
    ],
    [
      'an empty text block',
      messagesBody({ messages: [user([{ type: 'text', text: '' }])] }),
      'messages: text content blocks must be non-empty',
    ],
    [
      'a final assistant turn ending in whitespace',
      messagesBody({ messages: [user('a'), assistant('The answer is ')] }),
      'messages: final assistant content cannot end with trailing whitespace',
    ],
    [
      'an OpenAI content part',
      messagesBody({ messages: [user([{ type: 'image_url', image_url: { url: 'https://x' } }])] }),
      "messages.0.content.0: Input tag 'image_url' found using 'type'",
    ],
    [
      'a tool_use in a user turn',
      messagesBody({ messages: [user([toolUse('toolu_1')])] }),
      'messages.0.content.0: `tool_use` blocks are not allowed in "user" messages',
    ],
    [
      'tool_use input as a JSON string',
      messagesBody({
        tools: [TOOL],
        messages: [user('a'), assistant([{ ...toolUse('call_1'), input: '{}' }]), user([toolResult('call_1')])],
      }),
      'messages.1.content.0.tool_use.input: Input should be a valid dictionary',
    ],
    [
      'a tool_use id with a dot',
      messagesBody({ tools: [TOOL], messages: [user('a'), assistant([toolUse('call.1')]), user([toolResult('call.1')])] }),
      "messages.1.content.0.tool_use.id: String should match pattern '^[a-zA-Z0-9_-]+$'",
    ],
    [
      'a tool_use left without its tool_result',
      messagesBody({
        tools: [TOOL],
        messages: [user('a'), assistant([toolUse('toolu_1'), toolUse('toolu_2')]), user([toolResult('toolu_1')])],
      }),
      'messages.1: `tool_use` ids were found without `tool_result` blocks immediately after: toolu_2.',
    ],
    [
      'a tool_result without its tool_use',
      messagesBody({ messages: [user('a'), assistant('b'), user([toolResult('toolu_9')])] }),
      'messages.2.content.0: unexpected `tool_use_id` found in `tool_result` blocks: toolu_9.',
    ],
    [
      'a data URL as base64 image data',
      messagesBody({ messages: [user([image('image/png', `data:image/png;base64,${PNG_1X1}`)])] }),
      'messages.0.content.0.image.source.base64.data: Invalid base64 data',
    ],
    [
      'an image whose bytes do not match its media type',
      messagesBody({ messages: [user([image('image/jpeg', PNG_1X1)])] }),
      'messages.0.content.0.image.source.base64.data: The image was specified using the image/jpeg media type, but the image appears to be a image/png image',
    ],
    [
      'an unsupported image media type',
      messagesBody({ messages: [user([image('image/bmp', PNG_1X1)])] }),
      "messages.0.content.0.image.source.base64.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'",
    ],
    ['temperature above 1', messagesBody({ temperature: 1.5 }), 'temperature: Input should be less than or equal to 1'],
    ['stop_sequences as a string', messagesBody({ stop_sequences: 'END' }), 'stop_sequences: Input should be a valid list'],
    ['a system that is an object', messagesBody({ system: { text: 'x' } }), 'system: Input should be a valid string'],
    [
      'an OpenAI-shaped tool',
      messagesBody({ tools: [{ type: 'function', function: { name: 'f' } }] }),
      'tools.0.name: Field required',
    ],
    ['a tool without input_schema', messagesBody({ tools: [{ name: 'f' }] }), 'tools.0.custom.input_schema: Field required'],
    [
      'a tool name with spaces',
      messagesBody({ tools: [{ name: 'get weather', input_schema: { type: 'object' } }] }),
      "tools.0.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'",
    ],
    [
      'an OpenAI tool_choice',
      messagesBody({ tools: [TOOL], tool_choice: 'required' }),
      'tool_choice: Input should be a valid dictionary',
    ],
    [
      'tool_choice any without tools',
      messagesBody({ tool_choice: { type: 'any' } }),
      'tool_choice: tool_choice may only be specified while providing tools',
    ],
    [
      'tool_choice naming an unknown tool',
      messagesBody({ tools: [TOOL], tool_choice: { type: 'tool', name: 'nope' } }),
      "tool_choice.tool.name: Tool 'nope' not found in 'tools'",
    ],
  ])('should answer 400 invalid_request_error for %s', async (_case, body, message) => {
    const res = await postMessages(mock, body);
    expect(res.status).toBe(400);
    const json = await jsonOf(res);
    expectAnthropicError(json, 'invalid_request_error');
    expect(json.error.message.startsWith(message)).toBe(true);
  });

  it('should accept a complete tool round trip, images, a prefill and the fields of newer API versions', async () => {
    const body = messagesBody({
      system: [{ type: 'text', text: 'Be brief.' }],
      tools: [TOOL],
      temperature: 0.2,
      top_p: 0.9,
      metadata: { user_id: 'u1' },
      inference_geo: 'us',
      messages: [
        user([
          { type: 'text', text: 'Look' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_1X1 } },
        ]),
        assistant([{ type: 'text', text: 'Calling.' }, toolUse('call_abc-1'), toolUse('toolu_2')]),
        user([
          toolResult('call_abc-1'),
          { ...toolResult('toolu_2'), content: [{ type: 'text', text: 'two' }], is_error: true },
          { type: 'text', text: 'And?' },
        ]),
        assistant('The answer is'),
      ],
    });
    const res = await postMessages(mock, body);
    expect(res.status).toBe(200);
  });
});

describe('anthropic messages: scripted statuses and shapes', () => {
  let mock: MockProvider;
  beforeAll(async () => {
    mock = await startMockProvider({ models: ['claude-known'], strictModels: true });
  });
  afterAll(() => mock.close());
  beforeEach(() => mock.reset());

  it.each([
    [400, 'invalid_request_error'],
    [401, 'authentication_error'],
    [402, 'billing_error'],
    [403, 'permission_error'],
    [404, 'not_found_error'],
    [413, 'request_too_large'],
    [429, 'rate_limit_error'],
    [500, 'api_error'],
    [503, 'api_error'],
    [529, 'overloaded_error'],
  ])('should shape a scripted %i as %s', async (status, type) => {
    mock.script('claude-known', { status, retryAfter: '2' });
    const res = await postMessages(mock, messagesBody({ model: 'claude-known' }));
    expect(res.status).toBe(status);
    expect(res.headers.get('retry-after')).toBe('2');
    expectAnthropicError(await jsonOf(res), type);
  });

  it('should answer 404 not_found_error for a model outside the list with strictModels', async () => {
    const res = await postMessages(mock, messagesBody({ model: 'claude-unknown' }));
    expect(res.status).toBe(404);
    expectAnthropicError(await jsonOf(res), 'not_found_error', 'model: claude-unknown');
  });

  it('should answer an invalid x-mock header with an Anthropic 400', async () => {
    const res = await postMessages(mock, messagesBody({ model: 'claude-known' }), { headers: { 'x-mock-status': 'lots' } });
    expect(res.status).toBe(400);
    expectAnthropicError(await jsonOf(res), 'invalid_request_error');
  });

  it('should cut a non-stream body when malformed', async () => {
    const res = await postMessages(mock, messagesBody({ model: 'claude-known' }), { headers: { 'x-mock-fault': 'malformed' } });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text.startsWith('{"id":"msg_')).toBe(true);
    expect(() => JSON.parse(text)).toThrow();
  });

  it('should answer wrong methods and unknown paths under /messages in Anthropic shape', async () => {
    const get = await fetch(`${mock.origin}/v1/messages`, { headers: { 'anthropic-version': '2023-06-01' } });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expectAnthropicError(await jsonOf(get), 'invalid_request_error');
    const unknown = await fetch(`${mock.origin}/v1/messages/batches`, { method: 'POST', body: '{}' });
    expect(unknown.status).toBe(404);
    expectAnthropicError(await jsonOf(unknown), 'not_found_error');
  });

  it('should list and retrieve models in Anthropic shape when anthropic-version is sent', async () => {
    const headers = { 'anthropic-version': '2023-06-01' };
    expect(await jsonOf(fetch(`${mock.origin}/v1/models`, { headers }))).toEqual({
      data: [{ type: 'model', id: 'claude-known', display_name: 'claude-known', created_at: '2025-01-01T00:00:00Z' }],
      has_more: false,
      first_id: 'claude-known',
      last_id: 'claude-known',
    });
    expect(await jsonOf(fetch(`${mock.origin}/v1/models/claude-known`, { headers }))).toMatchObject({
      type: 'model',
      id: 'claude-known',
    });
    const missing = await fetch(`${mock.origin}/v1/models/claude-nope`, { headers });
    expect(missing.status).toBe(404);
    expectAnthropicError(await jsonOf(missing), 'not_found_error', 'model: claude-nope');
    // Without the header the OpenAI shape is unchanged.
    expect((await jsonOf(fetch(`${mock.origin}/v1/models`))).object).toBe('list');
  });

  it('should check the Anthropic key, not the bearer one, on GET /v1/models with anthropic-version', async () => {
    const keyed = await startMockProvider({ apiKeys: [KEY] });
    try {
      const ok = await fetch(`${keyed.origin}/v1/models`, { headers: { 'anthropic-version': '2023-06-01', 'x-api-key': KEY } });
      expect(ok.status).toBe(200);
      const refused = await fetch(`${keyed.origin}/v1/models`, { headers: { 'anthropic-version': '2023-06-01' } });
      expect(refused.status).toBe(401);
      expectAnthropicError(await jsonOf(refused), 'authentication_error');
      const openai = await fetch(`${keyed.origin}/v1/models`);
      expect(openai.status).toBe(401);
      expect((await jsonOf(openai)).error.code).toBe('invalid_api_key');
    } finally {
      await keyed.close();
    }
  });
});
