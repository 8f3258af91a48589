// The Responses API's wires end to end inside formats: the request through the chat pivot to Anthropic and
// Gemini, and their answers (JSON, errors, streams) back through chat into the Responses shape.
import type { ParsedRequest, ProviderFormat } from '@switchyard/core';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { modelConfig, parsedRequest, providerConfig } from '../../test/fixtures.js';
import { anthropicEvents, dataEvents, everySplit, piped, runPieces, serveTranslated } from '../../test/sse.js';
// Through the package's entry, as its users load it: answers.ts and wires.ts depend on each other's order there.
import { ANTHROPIC_TO_RESPONSES_ANSWERS, GEMINI_TO_RESPONSES_ANSWERS, wiresFor } from '../index.js';
import type { JsonObject } from '../json.js';

const CLAUDE = 'claude-sonnet-4-5';
const GEMINI = 'gemini-2.5-pro';
const RESP_ID = /^resp_[0-9a-f]{48}$/;

function parsed(body: JsonObject): ParsedRequest {
  return parsedRequest('/responses', body);
}
const model = modelConfig;
const provider = providerConfig;
const wire = (format: ProviderFormat) => wiresFor('responses').get(format)!;
const decode = (body: Buffer) => JSON.parse(body.toString('utf8')) as JsonObject;

/** The events of a Responses stream, parsed, with the minted ids and the clock taken out. */
function events(out: string): JsonObject[] {
  const stable = out.replace(/(resp|msg|fc)_[0-9a-f]{48}/g, '$1_X').replace(/"created_at":\d+/g, '"created_at":0');
  return stable
    .trim()
    .split('\n\n')
    .map((event) => {
      const [name, data] = event.split('\n');
      const parsedData = JSON.parse(data!.slice('data: '.length)) as JsonObject;
      expect(name).toBe(`event: ${String(parsedData.type)}`);
      return parsedData;
    });
}

describe("the Responses API's wires", () => {
  it('should serve /v1/responses for every format: OpenAI as sent, Anthropic and Gemini translated', () => {
    const wires = wiresFor('responses');
    expect([...wires.keys()].sort()).toStrictEqual(['anthropic', 'gemini', 'openai']);
    expect(wires.get('openai')!.answer).toBeUndefined();
    expect(wires.get('anthropic')!.answer).toBe(ANTHROPIC_TO_RESPONSES_ANSWERS);
    expect(wires.get('gemini')!.answer).toBe(GEMINI_TO_RESPONSES_ANSWERS);
    const body = { model: 'smart', input: 'Hi', previous_response_id: 'resp_1' };
    const out = wires.get('openai')!.outgoing(parsed(body), model('gpt-4o'), provider('openai', 'https://api.openai.com/v1'));
    expect(out.path).toBe('/responses');
    expect(decode(out.body)).toStrictEqual({ ...body, model: 'gpt-4o' });
    expect([...wiresFor('completions').keys()]).toStrictEqual(['openai']);
  });

  it("should send Anthropic a Messages request, with the model's output cap when the client sets none", () => {
    const request = parsed({ model: 'smart', instructions: 'Be brief.', input: 'Hi', stream: true, store: false });
    const out = wire('anthropic').outgoing(request, model(CLAUDE, 64000), provider('anthropic', 'https://api.anthropic.com'));
    expect(out.path).toBe('/v1/messages');
    expect(decode(out.body)).toStrictEqual({
      model: CLAUDE,
      max_tokens: 64000,
      system: 'Be brief.',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
      stream: true,
    });
  });

  it('should send Gemini a generateContent request', () => {
    const request = parsed({ model: 'smart', input: 'Hi', max_output_tokens: 50 });
    const out = wire('gemini').outgoing(request, model(GEMINI), provider('gemini', 'https://g.example/v1beta'));
    expect(out.path).toBe(`/models/${GEMINI}:generateContent`);
    expect(decode(out.body)).toStrictEqual({
      contents: [{ role: 'user', parts: [{ text: 'Hi' }] }],
      generationConfig: { maxOutputTokens: 50 },
    });
  });

  it.each(['anthropic', 'gemini'] as const)('should refuse previous_response_id for %s before any upstream call', (format) => {
    const request = parsed({ model: 'smart', input: 'Hi', previous_response_id: 'resp_1' });
    expect(() => wire(format).outgoing(request, model('m'), provider(format, 'https://x.example'))).toThrow(
      expect.objectContaining({ status: 400, code: 'previous_response_unsupported', param: 'previous_response_id' }),
    );
  });

  it("should answer an Anthropic Message as a response: text, tool calls, usage counting Anthropic's cache", () => {
    const message = {
      id: 'msg_01',
      type: 'message',
      role: 'assistant',
      model: CLAUDE,
      content: [
        { type: 'thinking', thinking: 'hmm', signature: 's' },
        { type: 'text', text: 'Checking.' },
        { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 10, output_tokens: 7, cache_read_input_tokens: 20, cache_creation_input_tokens: 5 },
    };
    const out = decode(ANTHROPIC_TO_RESPONSES_ANSWERS.json(Buffer.from(JSON.stringify(message)), CLAUDE));
    expect(out).toStrictEqual({
      id: expect.stringMatching(RESP_ID),
      object: 'response',
      created_at: expect.any(Number),
      status: 'completed',
      error: null,
      incomplete_details: null,
      model: CLAUDE,
      output: [
        {
          id: expect.stringMatching(/^msg_[0-9a-f]{48}_0$/),
          type: 'message',
          status: 'completed',
          content: [{ type: 'output_text', text: 'Checking.', annotations: [], logprobs: [] }],
          role: 'assistant',
        },
        {
          id: expect.stringMatching(/^fc_[0-9a-f]{48}_1$/),
          type: 'function_call',
          status: 'completed',
          arguments: '{"city":"Paris"}',
          call_id: 'toolu_1',
          name: 'get_weather',
        },
      ],
      usage: {
        input_tokens: 35,
        input_tokens_details: { cached_tokens: 20 },
        output_tokens: 7,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: 42,
      },
    });
  });

  it('should answer a Gemini answer cut at the output cap as an incomplete response', () => {
    const answer = {
      candidates: [{ content: { role: 'model', parts: [{ text: 'Hel' }] }, finishReason: 'MAX_TOKENS', index: 0 }],
      usageMetadata: { promptTokenCount: 4, candidatesTokenCount: 3, thoughtsTokenCount: 2, totalTokenCount: 9 },
      responseId: 'r1',
    };
    const out = decode(GEMINI_TO_RESPONSES_ANSWERS.json(Buffer.from(JSON.stringify(answer)), GEMINI));
    expect(out).toMatchObject({
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
      output: [{ type: 'message', status: 'incomplete', content: [{ type: 'output_text', text: 'Hel' }] }],
      usage: { input_tokens: 4, output_tokens: 5, output_tokens_details: { reasoning_tokens: 2 }, total_tokens: 9 },
    });
  });

  it.each([
    ['an object that is not a Message', ANTHROPIC_TO_RESPONSES_ANSWERS, CLAUDE, '{"unexpected":true}'],
    ['a body that is not a Gemini answer', GEMINI_TO_RESPONSES_ANSWERS, GEMINI, '["unexpected"]'],
  ])('should throw 502 upstream_bad_response for %s', (_name, answers, id, body) => {
    expect(() => answers.json(Buffer.from(body), id)).toThrow(
      expect.objectContaining({ status: 502, code: 'upstream_bad_response' }),
    );
  });

  it("should answer upstream errors in OpenAI's error shape, which Responses clients read", () => {
    const anthropic = { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } };
    const fromAnthropic = ANTHROPIC_TO_RESPONSES_ANSWERS.error(529, Buffer.from(JSON.stringify(anthropic)));
    expect({ status: fromAnthropic.status, body: decode(fromAnthropic.body) }).toStrictEqual({
      status: 503,
      body: { error: { message: 'Overloaded', type: 'api_error', param: null, code: 'overloaded_error' } },
    });
    const gemini = { error: { code: 429, message: 'Quota', status: 'RESOURCE_EXHAUSTED' } };
    const fromGemini = GEMINI_TO_RESPONSES_ANSWERS.error(429, Buffer.from(JSON.stringify(gemini)));
    expect({ status: fromGemini.status, body: decode(fromGemini.body) }).toStrictEqual({
      status: 429,
      body: { error: { message: 'Quota', type: 'rate_limit_error', param: null, code: 'resource_exhausted' } },
    });
  });
});

const ANTHROPIC_STREAM = anthropicEvents([
  {
    type: 'message_start',
    message: {
      id: 'msg_01',
      type: 'message',
      role: 'assistant',
      content: [],
      model: CLAUDE,
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 25, cache_read_input_tokens: 10, cache_creation_input_tokens: 0, output_tokens: 1 },
    },
  },
  { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
  { type: 'ping' },
  { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Héllo ✓ 🎉' } },
  { type: 'content_block_stop', index: 0 },
  { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: {} } },
  { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"city": ' } },
  { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '"Paris"}' } },
  { type: 'content_block_stop', index: 1 },
  { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 42 } },
  { type: 'message_stop' },
]);

const GEMINI_STREAM = dataEvents(
  [
    { candidates: [{ content: { role: 'model', parts: [{ text: 'Bon' }] }, index: 0 }], responseId: 'r1' },
    {
      candidates: [{ content: { role: 'model', parts: [{ text: 'jour' }] }, finishReason: 'STOP', index: 0 }],
      usageMetadata: { promptTokenCount: 4, candidatesTokenCount: 2, totalTokenCount: 6 },
      responseId: 'r1',
    },
  ],
  '\r\n',
);

const request = parsed({ model: 'smart', input: 'Hi', stream: true });
const anthropicChain = () => {
  const [first, ...rest] = ANTHROPIC_TO_RESPONSES_ANSWERS.stream(CLAUDE, request);
  return { first: first!, stream: piped(first!, ...rest) };
};
const geminiChain = () => {
  const [first, ...rest] = GEMINI_TO_RESPONSES_ANSWERS.stream(GEMINI, request);
  return { first: first!, stream: piped(first!, ...rest) };
};

describe("the Responses API's streams from other formats", () => {
  it('should turn an Anthropic stream into the Responses events, the first translator reporting usage and the end', async () => {
    const { first, stream } = anthropicChain();
    const out = events(await runPieces(stream, [ANTHROPIC_STREAM]));
    expect(out.map((e) => e.type)).toStrictEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(out.map((e) => e.sequence_number)).toStrictEqual(out.map((_, i) => i));
    expect(out.at(-1)).toStrictEqual({
      type: 'response.completed',
      response: {
        id: 'resp_X',
        object: 'response',
        created_at: 0,
        status: 'completed',
        error: null,
        incomplete_details: null,
        model: CLAUDE,
        output: [
          {
            id: 'msg_X_0',
            type: 'message',
            status: 'completed',
            content: [{ type: 'output_text', text: 'Héllo ✓ 🎉', annotations: [], logprobs: [] }],
            role: 'assistant',
          },
          {
            id: 'fc_X_1',
            type: 'function_call',
            status: 'completed',
            arguments: '{"city": "Paris"}',
            call_id: 'toolu_1',
            name: 'get_weather',
          },
        ],
        usage: {
          input_tokens: 35,
          input_tokens_details: { cached_tokens: 10 },
          output_tokens: 42,
          output_tokens_details: { reasoning_tokens: 0 },
          total_tokens: 77,
        },
      },
      sequence_number: 13,
    });
    expect(first.usage).toStrictEqual({ inputTokens: 35, outputTokens: 42, cachedInputTokens: 10 });
    expect(first.ended).toBe('done');
  });

  it('should put out the same events whatever byte the Anthropic stream splits at', async () => {
    const whole = events(await runPieces(anthropicChain().stream, [ANTHROPIC_STREAM]));
    const { splits, bytewise } = await everySplit(ANTHROPIC_STREAM, () => anthropicChain().stream);
    for (const out of [...splits, bytewise]) expect(events(out)).toStrictEqual(whole);
  });

  it('should end with an error event, no response.completed, when Anthropic sends an error mid-stream', async () => {
    const upstream = ANTHROPIC_STREAM.split('event: content_block_stop')[0]!.concat(
      anthropicEvents([{ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }]),
    );
    const { first, stream } = anthropicChain();
    const out = events(await runPieces(stream, [upstream]));
    expect(out.map((e) => e.type).slice(-2)).toStrictEqual(['error', 'response.failed']);
    expect(out.at(-2)).toMatchObject({ code: 'overloaded_error', message: 'Overloaded', error: { type: 'api_error' } });
    expect(first.ended).toBe('upstream_error');
  });

  it('should turn a Gemini stream into a response the official OpenAI client reads', async () => {
    const baseURL = await serveTranslated(GEMINI_STREAM, () => geminiChain().stream);
    const client = new OpenAI({ baseURL, apiKey: 'unused', maxRetries: 0 });
    const final = await client.responses.stream({ model: 'smart', input: 'Hi' }).finalResponse();
    expect(final).toMatchObject({
      model: GEMINI,
      status: 'completed',
      output: [{ type: 'message', content: [{ type: 'output_text', text: 'Bonjour' }] }],
      usage: { input_tokens: 4, output_tokens: 2, total_tokens: 6 },
    });
    expect(final.id).toMatch(RESP_ID);
    expect(final.output_text).toBe('Bonjour');
  });

  it('should make the official OpenAI client throw when the Gemini stream ends before its finish', async () => {
    const cut = GEMINI_STREAM.split('\r\n\r\n')[0]!.concat('\r\n\r\n');
    const baseURL = await serveTranslated(cut, () => geminiChain().stream);
    const client = new OpenAI({ baseURL, apiKey: 'unused', maxRetries: 0 });
    await expect(client.responses.stream({ model: 'smart', input: 'Hi' }).finalResponse()).rejects.toThrow(
      'The Gemini stream ended before the answer was complete.',
    );
  });
});
