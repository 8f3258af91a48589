import { routing } from '@switchyard/core';
import type { RequestHandler } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_SIGNALS } from './names.js';
import { catalogWith, post, serve, signalsApp, type Served } from '../test/server.js';

const CHAT = { model: 'smart', messages: [{ role: 'user', content: 'hi' }] };

describe('built-in signals', () => {
  let server: Served;
  beforeAll(async () => {
    // 2024-01-07T20:00Z is a Sunday in UTC and already 01:30 on Monday in Kolkata (UTC+5:30).
    const catalog = catalogWith('timezone: Asia/Kolkata\n', { now: () => new Date('2024-01-07T20:00:00Z') });
    server = await serve(signalsApp({ catalog }, [ownerFromHeader, workflowInRecord]));
  });
  afterAll(() => server.close());

  const read = (names: string, body: unknown, headers?: Record<string, string>, path = '/v1/chat/completions') =>
    post(server.url, `${path}?read=${names}`, body, headers);

  it('should read max_tokens from max_completion_tokens before max_tokens', async () => {
    const both = await read('max_tokens', { ...CHAT, max_tokens: 10, max_completion_tokens: 20 });
    expect(both.body.signals.max_tokens).toEqual({ kind: 'value', value: 20 });
    const legacy = await read('max_tokens', { ...CHAT, max_tokens: 10 });
    expect(legacy.body.signals.max_tokens).toEqual({ kind: 'value', value: 10 });
  });

  it("should leave max_tokens absent when neither field is set; a mistyped one is the client's 400, naming it", async () => {
    const none = await read('max_tokens', CHAT);
    expect(none.body.signals.max_tokens).toEqual({ kind: 'absent', reason: 'not present in request' });
    // Issue 10: a field the gateway reads, mistyped, is refused before any signal reads it.
    const bad = await read('max_tokens', { ...CHAT, max_tokens: 'lots' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'invalid_field', param: 'max_tokens' });
    const fractional = await read('max_tokens', { ...CHAT, max_tokens: 1.5 });
    expect(fractional.body.error).toMatchObject({ code: 'invalid_field', param: 'max_tokens' });
  });

  it('should set has_schema only for a json_schema response format', async () => {
    const schema = { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } };
    expect((await read('has_schema', { ...CHAT, response_format: schema })).body.signals.has_schema.value).toBe(true);
    expect((await read('has_schema', { ...CHAT, response_format: { type: 'json_object' } })).body.signals.has_schema.value).toBe(
      false,
    );
    expect((await read('has_schema', CHAT)).body.signals.has_schema.value).toBe(false);
    const responses = await read('has_schema', { model: 'smart', input: 'hi', text: { format: schema } }, {}, '/v1/responses');
    expect(responses.body.signals.has_schema.value).toBe(true);
    const output = { type: 'json_schema', schema: { type: 'object' } };
    const anthropic = await read('has_schema', { ...CHAT, max_tokens: 9, output_config: { format: output } }, {}, '/v1/messages');
    expect(anthropic.body.signals.has_schema.value).toBe(true);
    const beta = await read('has_schema', { ...CHAT, max_tokens: 9, output_format: output }, {}, '/v1/messages');
    expect(beta.body.signals.has_schema.value).toBe(true);
    const plain = await read('has_schema', { ...CHAT, max_tokens: 9, output_config: { effort: 'low' } }, {}, '/v1/messages');
    expect(plain.body.signals.has_schema.value).toBe(false);
  });

  it('should set has_tools for non-empty tools or legacy functions only', async () => {
    const tool = { type: 'function', function: { name: 'f', parameters: {} } };
    expect((await read('has_tools', { ...CHAT, tools: [tool] })).body.signals.has_tools.value).toBe(true);
    expect((await read('has_tools', { ...CHAT, functions: [{ name: 'f' }] })).body.signals.has_tools.value).toBe(true);
    expect((await read('has_tools', { ...CHAT, tools: [] })).body.signals.has_tools.value).toBe(false);
    expect((await read('has_tools', CHAT)).body.signals.has_tools.value).toBe(false);
  });

  it('should find images in OpenAI, Responses and Anthropic content parts', async () => {
    const openai = {
      model: 'm',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'see' },
            { type: 'image_url', image_url: { url: 'data:' } },
          ],
        },
      ],
    };
    const responses = { model: 'm', input: [{ role: 'user', content: [{ type: 'input_image', image_url: 'https://x/y.png' }] }] };
    const anthropic = {
      model: 'm',
      messages: [
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'image', source: {} }] }] },
      ],
    };
    expect((await read('has_images', openai)).body.signals.has_images.value).toBe(true);
    expect((await read('has_images', responses, {}, '/v1/responses')).body.signals.has_images.value).toBe(true);
    expect((await read('has_images', anthropic, {}, '/v1/messages')).body.signals.has_images.value).toBe(true);
    const textOnly = { model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'image_url' }] }] };
    expect((await read('has_images', textOnly)).body.signals.has_images.value).toBe(false);
  });

  it('should read streaming from stream: true only', async () => {
    const on = await read('streaming', { ...CHAT, stream: true });
    expect(on.body.signals.streaming).toEqual({ kind: 'value', value: true });
    expect(on.body.streaming).toBe(true);
    const off = await read('streaming', { ...CHAT, stream: false });
    expect(off.body.signals.streaming).toEqual({ kind: 'value', value: false });
    expect(off.body.streaming).toBe(false);
    // Issue 10: a stream that is not a boolean is the client's 400, naming the field.
    const truthy = await read('streaming', { ...CHAT, stream: 'yes' });
    expect(truthy.status).toBe(400);
    expect(truthy.body.error).toMatchObject({ code: 'invalid_field', param: 'stream' });
  });

  it('should count messages, and /responses input items', async () => {
    const chat = {
      model: 'm',
      messages: [
        { role: 'system', content: 'a' },
        { role: 'user', content: 'b' },
        { role: 'assistant', content: 'c' },
      ],
    };
    expect((await read('messages_count', chat)).body.signals.messages_count).toEqual({ kind: 'value', value: 3 });
    const responses = {
      model: 'm',
      input: [
        { role: 'user', content: 'a' },
        { role: 'user', content: 'b' },
      ],
    };
    expect((await read('messages_count', responses, {}, '/v1/responses')).body.signals.messages_count.value).toBe(2);
    const embeddings = await read('messages_count', { model: 'e', input: 'text' }, {}, '/v1/embeddings');
    expect(embeddings.body.signals.messages_count).toEqual({ kind: 'absent', reason: 'not present in request' });
  });

  it('should read model as requested and endpoint from the path', async () => {
    const chat = await read('model,endpoint', { ...CHAT, model: 'gpt-4o-2024-08-06' });
    expect(chat.body.signals).toEqual({
      model: { kind: 'value', value: 'gpt-4o-2024-08-06' },
      endpoint: { kind: 'value', value: 'chat' },
    });
    const cases: [string, string][] = [
      ['/v1/completions', 'completions'],
      ['/v1/embeddings', 'embeddings'],
      ['/v1/responses', 'responses'],
      ['/v1/messages', 'messages'],
      ['/v1/chat/completions/', 'chat'],
      ['/v1/images/generations', 'images'],
      ['/v1/moderations', 'other'],
    ];
    for (const [path, endpoint] of cases) {
      const res = await read('endpoint', { ...CHAT, prompt: 'x', input: 'x' }, {}, path);
      expect(res.body.signals.endpoint.value, path).toBe(endpoint);
      expect(res.body.endpoint, path).toBe(endpoint);
    }
  });

  it('should read workflow from the header first, then metadata.workflow', async () => {
    const both = await read(
      'workflow',
      { ...CHAT, metadata: { workflow: 'from-body' } },
      { 'x-switchyard-workflow': 'from-header' },
    );
    expect(both.body.signals.workflow).toEqual({ kind: 'value', value: 'from-header' });
    const bodyOnly = await read('workflow', { ...CHAT, metadata: { workflow: 'from-body' } });
    expect(bodyOnly.body.signals.workflow).toEqual({ kind: 'value', value: 'from-body' });
    const none = await read('workflow', CHAT);
    expect(none.body.signals.workflow).toEqual({ kind: 'absent', reason: 'not present in request' });
    const wrong = await read('workflow', { ...CHAT, metadata: { workflow: 7 } });
    expect(wrong.body.signals.workflow).toEqual({ kind: 'absent', reason: 'expected string, got number 7' });
  });

  it('should read workflow from the record first, where workflows() resolved it (default included)', async () => {
    const resolved = await read('workflow', CHAT, { 'x-switchyard-workflow': 'asked', 'x-test-workflow': 'default' });
    expect(resolved.body.signals.workflow).toEqual({ kind: 'value', value: 'default' });
  });

  it('should read owner from the record as set by an earlier middleware', async () => {
    expect((await read('owner', CHAT)).body.signals.owner).toEqual({ kind: 'value', value: 'default' });
    expect((await read('owner', CHAT, { 'x-test-owner': 'search-team' })).body.signals.owner.value).toBe('search-team');
  });

  it('should read hour_local, time_of_day and weekday in the policy time zone', async () => {
    const res = await read('hour_local,time_of_day,weekday', CHAT);
    expect(res.body.signals).toEqual({
      hour_local: { kind: 'value', value: 1 },
      time_of_day: { kind: 'value', value: '01:30' },
      weekday: { kind: 'value', value: 'monday' },
    });
  });

  it('should record only the signals that were read', async () => {
    const res = await read('model', { ...CHAT, max_tokens: 5, tools: [{}] });
    expect(Object.keys(res.body.signals)).toEqual(['model']);
    const none = await read('', CHAT);
    expect(none.body.signals).toEqual({});
  });

  it('should give each built-in the type BUILTIN_SIGNALS declares', async () => {
    const body = {
      ...CHAT,
      max_tokens: 3,
      response_format: { type: 'json_schema' },
      metadata: { workflow: 'w' },
      stream: true,
    };
    const res = await read(Object.keys(BUILTIN_SIGNALS).join(','), body);
    const js = { int: 'number', double: 'number', bool: 'boolean', string: 'string' } as const;
    for (const [name, type] of Object.entries(BUILTIN_SIGNALS)) {
      const reading = res.body.signals[name];
      expect(reading?.kind, name).toBe('value');
      expect(typeof reading.value, name).toBe(js[type]);
      if (type === 'int') expect(Number.isInteger(reading.value), name).toBe(true);
    }
  });
});

const ownerFromHeader: RequestHandler = (req, _res, next) => {
  const owner = req.headers['x-test-owner'];
  if (typeof owner === 'string') routing(req).record.owner = owner;
  next();
};

/** Stands in for workflows(): the record's workflow, from a test header. */
const workflowInRecord: RequestHandler = (req, _res, next) => {
  const workflow = req.headers['x-test-workflow'];
  if (typeof workflow === 'string') routing(req).record.workflow = workflow;
  next();
};
