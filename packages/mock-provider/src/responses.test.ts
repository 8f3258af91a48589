import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMockProvider } from './index.js';
import { jsonOf, postJson } from '../test/utils.js';
import type { MockProvider } from './types.js';

const MODEL = 'gpt-4.1-mini';
const weather = {
  type: 'function',
  name: 'get_weather',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

function create(mock: MockProvider, body: unknown, headers?: Record<string, string>): Promise<Response> {
  return postJson(mock, '/responses', body, { headers });
}

describe('POST /v1/responses', () => {
  let mock: MockProvider;
  beforeAll(async () => {
    mock = await startMockProvider({ apiKeys: ['sk-test'] });
  });
  afterAll(() => mock.close());
  beforeEach(() => mock.reset());
  const auth = { authorization: 'Bearer sk-test' };

  it('should answer a response object with an output_text message and usage', async () => {
    const res = await create(mock, { model: MODEL, input: 'Say hello.' }, auth);
    expect(res.status).toBe(200);
    const body = await jsonOf(res);
    expect(body).toMatchObject({
      object: 'response',
      status: 'completed',
      model: MODEL,
      error: null,
      incomplete_details: null,
      store: true,
      previous_response_id: null,
      output: [
        {
          type: 'message',
          role: 'assistant',
          status: 'completed',
          content: [{ type: 'output_text', text: `Mock reply from ${MODEL}.`, annotations: [] }],
        },
      ],
    });
    expect(body.id).toMatch(/^resp_/);
    expect(body.output[0].id).toMatch(/^msg_/);
    const { usage } = body;
    expect(usage.total_tokens).toBe(usage.input_tokens + usage.output_tokens);
    expect(usage.input_tokens_details).toEqual({ cached_tokens: 0 });
    expect(usage.output_tokens_details).toEqual({ reasoning_tokens: 0 });
    expect(mock.calls[0]).toMatchObject({ model: MODEL, path: '/v1/responses', mintedId: body.id, outcome: 'completed' });
  });

  it('should answer 401 without the key, like the other OpenAI routes', async () => {
    const res = await create(mock, { model: MODEL, input: 'hi' });
    expect(res.status).toBe(401);
    expect((await jsonOf(res)).error.code).toBe('invalid_api_key');
  });

  it('should answer a function_call when tool_choice names a function or is required', async () => {
    const named = await jsonOf(
      create(
        mock,
        { model: MODEL, input: 'Weather?', tools: [weather], tool_choice: { type: 'function', name: 'get_weather' } },
        auth,
      ),
    );
    expect(named.output).toEqual([
      {
        type: 'function_call',
        id: expect.stringMatching(/^fc_/),
        call_id: expect.stringMatching(/^call_/),
        name: 'get_weather',
        arguments: '{"city":"mock"}',
        status: 'completed',
      },
    ]);
    const required = await jsonOf(
      create(mock, { model: MODEL, input: 'Weather?', tools: [weather], tool_choice: 'required' }, auth),
    );
    expect(required.output[0].name).toBe('get_weather');
    const auto = await jsonOf(create(mock, { model: MODEL, input: 'Weather?', tools: [weather] }, auth));
    expect(auto.output[0].type).toBe('message');
  });

  it('should answer JSON built from a text.format json_schema', async () => {
    const schema = { type: 'object', properties: { n: { type: 'integer', minimum: 3 } }, required: ['n'] };
    const body = await jsonOf(
      create(mock, { model: MODEL, input: 'x', text: { format: { type: 'json_schema', name: 'out', schema } } }, auth),
    );
    expect(JSON.parse(body.output[0].content[0].text)).toEqual({ n: 3 });
    expect(body.text.format).toMatchObject({ type: 'json_schema', name: 'out' });
  });

  it('should cut the text at max_output_tokens and report the response incomplete', async () => {
    const body = await jsonOf(
      create(mock, { model: MODEL, input: 'x', max_output_tokens: 16 }, { ...auth, 'x-mock-finish-reason': 'content_filter' }),
    );
    expect(body.status).toBe('incomplete');
    expect(body.incomplete_details).toEqual({ reason: 'content_filter' });
    const long = await startMockProvider({ responsesReply: () => 'x'.repeat(200) });
    try {
      const cut = await jsonOf(create(long, { model: MODEL, input: 'x', max_output_tokens: 16 }));
      expect(cut).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } });
      expect(cut.output[0].content[0].text).toHaveLength(64);
      expect(cut.usage.output_tokens).toBe(16);
    } finally {
      await long.close();
    }
  });

  it('should report scripted cached tokens', async () => {
    mock.script(MODEL, { cachedTokens: 2 });
    const body = await jsonOf(create(mock, { model: MODEL, input: 'Say hello to everyone here.' }, auth));
    expect(body.usage.input_tokens_details.cached_tokens).toBe(2);
  });

  it.each([
    [{ input: 'x' }, 'model', 'missing_required_parameter'],
    [{ model: MODEL }, 'input', 'missing_required_parameter'],
    [{ model: MODEL, input: 'x', messages: [] }, 'messages', 'unknown_parameter'],
    [{ model: MODEL, input: 'x', response_format: { type: 'json_object' } }, 'response_format', 'unknown_parameter'],
    [{ model: MODEL, input: 'x', max_tokens: 20 }, 'max_tokens', 'unknown_parameter'],
    [{ model: MODEL, input: [{ role: 'tool', content: 'x' }] }, 'input[0].role', 'invalid_value'],
    [
      { model: MODEL, input: [{ role: 'user', content: [{ type: 'text', text: 'x' }] }] },
      'input[0].content[0].type',
      'invalid_value',
    ],
    [
      { model: MODEL, input: [{ role: 'assistant', content: [{ type: 'input_text', text: 'x' }] }] },
      'input[0].content[0]',
      'invalid_value',
    ],
    [
      { model: MODEL, input: [{ type: 'function_call', call_id: 'c', name: 'f', arguments: {} }] },
      'input[0].arguments',
      'invalid_type',
    ],
    [
      { model: MODEL, input: 'x', tools: [{ type: 'function', function: { name: 'f' } }] },
      'tools[0].name',
      'missing_required_parameter',
    ],
    [
      { model: MODEL, input: 'x', text: { format: { type: 'json_schema', schema: {} } } },
      'text.format.name',
      'missing_required_parameter',
    ],
    [{ model: MODEL, input: 'x', max_output_tokens: 10 }, 'max_output_tokens', 'integer_below_min_value'],
    [{ model: MODEL, input: 'x', temperature: 2.5 }, 'temperature', 'decimal_above_max_value'],
    [{ model: MODEL, input: 'x', store: 'yes' }, 'store', 'invalid_type'],
  ])('should refuse %j as OpenAI does (param %s)', async (body, param, code) => {
    const res = await create(mock, body, auth);
    expect(res.status).toBe(400);
    const { error } = await jsonOf(res);
    expect(error).toMatchObject({ type: 'invalid_request_error', param, code });
    expect(mock.calls[0]?.mintedId).toBeUndefined();
  });

  it('should refuse a body that is not JSON', async () => {
    const res = await create(mock, '{"model":', auth);
    expect(res.status).toBe(400);
    expect((await jsonOf(res)).error.message).toContain('could not parse the JSON body');
  });

  it('should render scripted statuses in OpenAI shape and store nothing', async () => {
    mock.script(MODEL, { status: 429, retryAfter: '3' });
    const res = await create(mock, { model: MODEL, input: 'x' }, auth);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
    expect((await jsonOf(res)).error.code).toBe('rate_limit_exceeded');
    expect(mock.calls[0]?.mintedId).toBeUndefined();
  });
});

describe('stored responses', () => {
  let mock: MockProvider;
  beforeAll(async () => {
    mock = await startMockProvider();
  });
  afterAll(() => mock.close());
  beforeEach(() => mock.reset());

  it('should keep a response for GET and forget it after DELETE', async () => {
    const created = await jsonOf(create(mock, { model: MODEL, input: 'hi' }));
    const got = await fetch(`${mock.url}/responses/${created.id}`);
    expect(got.status).toBe(200);
    expect(await jsonOf(got)).toEqual(created);

    const deleted = await fetch(`${mock.url}/responses/${created.id}`, { method: 'DELETE' });
    expect(await jsonOf(deleted)).toEqual({ id: created.id, object: 'response', deleted: true });
    const gone = await fetch(`${mock.url}/responses/${created.id}`);
    expect(gone.status).toBe(404);
    expect((await jsonOf(gone)).error).toMatchObject({
      type: 'invalid_request_error',
      message: expect.stringContaining(created.id),
    });
    expect(mock.callsFor(created.id).map((call) => `${call.method} ${call.status}`)).toEqual([
      'POST 200',
      'GET 200',
      'DELETE 200',
      'GET 404',
    ]);
  });

  it('should not keep a response created with store: false', async () => {
    const created = await jsonOf(create(mock, { model: MODEL, input: 'hi', store: false }));
    expect(created.store).toBe(false);
    expect((await fetch(`${mock.url}/responses/${created.id}`)).status).toBe(404);
  });

  it('should chain previous_response_id, count the earlier turn as input, and record the reference', async () => {
    const first = await jsonOf(create(mock, { model: MODEL, input: 'hi' }));
    const second = await jsonOf(create(mock, { model: MODEL, input: 'hi', previous_response_id: first.id }));
    expect(second.previous_response_id).toBe(first.id);
    expect(second.usage.input_tokens).toBe(first.usage.input_tokens + first.usage.total_tokens);
    expect(mock.calls[1]).toMatchObject({ referencedId: first.id, mintedId: second.id });
  });

  it('should refuse an unknown previous_response_id with previous_response_not_found', async () => {
    const res = await create(mock, { model: MODEL, input: 'hi', previous_response_id: 'resp_elsewhere' });
    expect(res.status).toBe(400);
    expect((await jsonOf(res)).error).toEqual({
      message: "Previous response with id 'resp_elsewhere' not found.",
      type: 'invalid_request_error',
      param: 'previous_response_id',
      code: 'previous_response_not_found',
    });
    expect(mock.calls[0]?.referencedId).toBe('resp_elsewhere');
  });

  it('should accept a function_call_output only for a call it knows, from the input or the previous response', async () => {
    const tools = [weather];
    const asked = await jsonOf(create(mock, { model: MODEL, input: 'Weather?', tools, tool_choice: 'required' }));
    const callId = asked.output[0].call_id;
    const output = { type: 'function_call_output', call_id: callId, output: '{"temp":20}' };
    const answered = await create(mock, { model: MODEL, input: [output], tools, previous_response_id: asked.id });
    expect(answered.status).toBe(200);

    const orphan = await create(mock, { model: MODEL, input: [output], tools });
    expect(orphan.status).toBe(400);
    expect((await jsonOf(orphan)).error.message).toBe(`No tool call found for function call output with call_id ${callId}.`);

    const inline = [
      { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{}' },
      { ...output, call_id: 'call_1' },
    ];
    expect((await create(mock, { model: MODEL, input: inline, tools })).status).toBe(200);
  });

  it('should forget stored responses on reset()', async () => {
    const created = await jsonOf(create(mock, { model: MODEL, input: 'hi' }));
    mock.reset();
    expect((await fetch(`${mock.url}/responses/${created.id}`)).status).toBe(404);
  });

  it('should play the stored model script on GET', async () => {
    const created = await jsonOf(create(mock, { model: MODEL, input: 'hi' }));
    mock.script(MODEL, { status: 503 });
    const res = await fetch(`${mock.url}/responses/${created.id}`);
    expect(res.status).toBe(503);
    expect(mock.calls[1]?.model).toBe(MODEL);
  });
});

describe('the openai client on the Responses API', () => {
  let mock: MockProvider;
  beforeAll(async () => {
    mock = await startMockProvider();
  });
  afterAll(() => mock.close());

  it('should create, retrieve and delete with the SDK', async () => {
    const client = new OpenAI({ baseURL: mock.url, apiKey: 'sk-test', maxRetries: 0 });
    const response = await client.responses.create({ model: MODEL, input: 'hi', instructions: 'Be brief.' });
    expect(response.output_text).toBe(`Mock reply from ${MODEL}.`);
    expect((await client.responses.retrieve(response.id)).id).toBe(response.id);
    await client.responses.delete(response.id);
    await expect(client.responses.retrieve(response.id)).rejects.toThrow(/404/);
  });
});
