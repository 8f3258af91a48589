// The Gemini front door's wires: what goes up to each provider format, and how each answer comes back.
import type { ParsedRequest, ProviderFormat } from '@switchyard/core';
import type { Transform } from 'node:stream';
import { describe, expect, it } from 'vitest';
// Through the package's entry point, as its users load it: answers.ts and wires.ts import each other.
import { GEMINI_FRONT_ANTHROPIC_ANSWERS, GEMINI_FRONT_OPENAI_ANSWERS, GEMINI_FRONT_WIRES, toAnthropicRequest } from '../index.js';
import { modelConfig, parsedRequest, providerConfig } from '../../test/fixtures.js';
import { anthropicEvents, dataEvents } from '../../test/sse.js';

const HI = [{ role: 'user', parts: [{ text: 'Hi' }] }];
const BODY = { contents: HI, generationConfig: { temperature: 0.5 } };

function request(path: string, body: Record<string, unknown> = BODY): ParsedRequest {
  return parsedRequest(path, body);
}
const model = modelConfig;
const provider = providerConfig;
const wire = (format: ProviderFormat) => GEMINI_FRONT_WIRES.get(format)!;
const json = (buffer: Buffer) => JSON.parse(buffer.toString('utf8'));

describe('GEMINI_FRONT_WIRES', () => {
  it("should pass a Gemini provider the client's bytes, on the chosen model's path", () => {
    const gemini = provider('gemini', 'https://generativelanguage.googleapis.com/v1beta');
    const plain = request('/models/smart:generateContent');
    expect(wire('gemini').outgoing(plain, model('gemini-2.5-pro'), gemini)).toStrictEqual({
      path: '/models/gemini-2.5-pro:generateContent',
      body: plain.raw,
    });
    const streamed = request('/models/smart:streamGenerateContent');
    expect(wire('gemini').outgoing(streamed, model('gemini-2.5-pro'), gemini).path).toBe(
      '/models/gemini-2.5-pro:streamGenerateContent?alt=sse',
    );
    const count = request('/models/smart:countTokens', { generateContentRequest: { model: 'models/smart', contents: HI } });
    const out = wire('gemini').outgoing(count, model('gemini-2.5-pro'), gemini);
    expect(out.path).toBe('/models/gemini-2.5-pro:countTokens');
    expect(json(out.body)).toStrictEqual({ generateContentRequest: { model: 'models/gemini-2.5-pro', contents: HI } });
    expect(wire('gemini').answer).toBeUndefined();
  });

  it('should send an OpenAI-format provider the chat request, streaming as the method says', () => {
    const openai = provider('openai', 'https://api.openai.com/v1');
    const out = wire('openai').outgoing(request('/models/smart:streamGenerateContent'), model('gpt-4o'), openai);
    expect(out.path).toBe('/chat/completions');
    expect(json(out.body)).toStrictEqual({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'Hi' }],
      temperature: 0.5,
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(wire('openai').answer).toBe(GEMINI_FRONT_OPENAI_ANSWERS);
  });

  it('should send an Anthropic provider the chat request translated on, with the model’s output cap', () => {
    const anthropic = provider('anthropic', 'https://api.anthropic.com');
    const out = wire('anthropic').outgoing(request('/models/smart:generateContent'), model('claude-x', 2048), anthropic);
    expect(out.path).toBe('/v1/messages');
    expect(json(out.body)).toStrictEqual(
      toAnthropicRequest(
        { model: 'claude-x', messages: [{ role: 'user', content: 'Hi' }], temperature: 0.5 },
        { model: 'claude-x', defaultMaxTokens: 2048 },
      ),
    );
    expect(json(out.body)).toMatchObject({ model: 'claude-x', max_tokens: 2048, messages: [{ role: 'user' }] });
    expect(wire('anthropic').answer).toBe(GEMINI_FRONT_ANTHROPIC_ANSWERS);
  });

  it('should refuse countTokens and a path that names no Gemini method with a 400', () => {
    const openai = provider('openai', 'https://api.openai.com/v1');
    expect(() => wire('openai').outgoing(request('/models/smart:countTokens'), model('gpt-4o'), openai)).toThrow(
      expect.objectContaining({ status: 400, param: 'countTokens' }),
    );
    // No client request reaches the Gemini wires on another path: the gateway would not; the wire still refuses.
    const elsewhere = { ...request('/models/smart:generateContent'), path: '/chat/completions' };
    expect(() => wire('gemini').outgoing(elsewhere, model('gemini-2.5-pro'), openai)).toThrow(
      expect.objectContaining({ status: 400, param: 'path' }),
    );
  });
});

/** Writes `upstream` into the first transform and answers what comes out of the last. */
async function throughChain(chain: Transform[], upstream: string): Promise<string> {
  let last = chain[0]!;
  for (const next of chain.slice(1)) last = last.pipe(next);
  const out: Buffer[] = [];
  last.on('data', (c: Buffer) => out.push(c));
  const done = new Promise((resolve) => last.on('end', resolve));
  const bytes = Buffer.from(upstream);
  for (let at = 0; at < bytes.length; at += 5) chain[0]!.write(bytes.subarray(at, at + 5));
  chain[0]!.end();
  await done;
  return Buffer.concat(out).toString('utf8');
}

const parsed = request('/models/smart:streamGenerateContent');

describe('GEMINI_FRONT_OPENAI_ANSWERS', () => {
  it("should translate a completion, an error in Google's shape, and a stream", async () => {
    const completion = {
      id: 'c1',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hi!' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
    };
    expect(json(GEMINI_FRONT_OPENAI_ANSWERS.json(Buffer.from(JSON.stringify(completion)), 'gpt-4o'))).toStrictEqual({
      candidates: [{ content: { parts: [{ text: 'Hi!' }], role: 'model' }, finishReason: 'STOP', index: 0 }],
      usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 2, totalTokenCount: 5 },
      modelVersion: 'gpt-4o',
      responseId: 'c1',
    });
    expect(() => GEMINI_FRONT_OPENAI_ANSWERS.json(Buffer.from('<html>'), 'gpt-4o')).toThrow(
      expect.objectContaining({ status: 502 }),
    );
    const error = GEMINI_FRONT_OPENAI_ANSWERS.error(429, Buffer.from('{"error":{"message":"slow down","type":"requests"}}'));
    expect({ status: error.status, body: json(error.body) }).toStrictEqual({
      status: 429,
      body: { error: { code: 429, message: 'slow down', status: 'RESOURCE_EXHAUSTED' } },
    });
    const chain = GEMINI_FRONT_OPENAI_ANSWERS.stream('gpt-4o', parsed);
    const upstream = dataEvents([
      { id: 'c1', choices: [{ index: 0, delta: { content: 'Hi' }, finish_reason: 'stop' }] },
      '[DONE]',
    ]);
    expect(await throughChain(chain, upstream)).toBe(
      dataEvents(
        [
          {
            candidates: [{ content: { parts: [{ text: 'Hi' }], role: 'model' }, index: 0 }],
            modelVersion: 'gpt-4o',
            responseId: 'c1',
          },
          {
            candidates: [{ content: { parts: [{ text: '' }], role: 'model' }, finishReason: 'STOP', index: 0 }],
            modelVersion: 'gpt-4o',
            responseId: 'c1',
          },
        ],
        '\r\n',
      ),
    );
  });
});

const CLAUDE = 'claude-sonnet-4-5-20250929';
const START = {
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
};
const anthropicStream = (...events: Record<string, unknown>[]) => anthropicEvents([START, ...events]);
const textBlock = (t: string) => [
  { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
  { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: t } },
  { type: 'content_block_stop', index: 0 },
];

describe('GEMINI_FRONT_ANTHROPIC_ANSWERS', () => {
  it('should translate a Message with a tool call through the chat shape', () => {
    const message = {
      id: 'msg_01',
      type: 'message',
      role: 'assistant',
      model: CLAUDE,
      content: [
        { type: 'text', text: 'Checking.' },
        { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
      ],
      stop_reason: 'tool_use',
      usage: { input_tokens: 25, cache_read_input_tokens: 10, output_tokens: 7 },
    };
    expect(json(GEMINI_FRONT_ANTHROPIC_ANSWERS.json(Buffer.from(JSON.stringify(message)), CLAUDE))).toStrictEqual({
      candidates: [
        {
          content: {
            parts: [{ text: 'Checking.' }, { functionCall: { id: 'toolu_1', name: 'get_weather', args: { city: 'Paris' } } }],
            role: 'model',
          },
          finishReason: 'STOP',
          index: 0,
        },
      ],
      usageMetadata: { promptTokenCount: 35, candidatesTokenCount: 7, totalTokenCount: 42, cachedContentTokenCount: 10 },
      modelVersion: CLAUDE,
      responseId: 'msg_01',
    });
  });

  it("should answer Anthropic's 529 as 503 UNAVAILABLE", () => {
    const error = GEMINI_FRONT_ANTHROPIC_ANSWERS.error(
      529,
      Buffer.from('{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}'),
    );
    expect({ status: error.status, body: json(error.body) }).toStrictEqual({
      status: 503,
      body: { error: { code: 503, message: 'Overloaded', status: 'UNAVAILABLE' } },
    });
  });

  it('should stream through both translators, the first reporting usage and how the upstream ended', async () => {
    const chain = GEMINI_FRONT_ANTHROPIC_ANSWERS.stream(CLAUDE, parsed);
    const upstream = anthropicStream(
      ...textBlock('Héllo'),
      { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 4 } },
      { type: 'message_stop' },
    );
    const stamp = { modelVersion: CLAUDE, responseId: 'msg_01' };
    expect(await throughChain(chain, upstream)).toBe(
      dataEvents(
        [
          { candidates: [{ content: { parts: [{ text: 'Héllo' }], role: 'model' }, index: 0 }], ...stamp },
          {
            candidates: [{ content: { parts: [{ text: '' }], role: 'model' }, finishReason: 'STOP', index: 0 }],
            usageMetadata: { promptTokenCount: 35, candidatesTokenCount: 4, totalTokenCount: 39, cachedContentTokenCount: 10 },
            ...stamp,
          },
        ],
        '\r\n',
      ),
    );
    const first = chain[0] as unknown as { usage: unknown; ended: unknown };
    expect(first.usage).toStrictEqual({ inputTokens: 35, outputTokens: 4, cachedInputTokens: 10 });
    expect(first.ended).toBe('done');
  });

  it("should end with Google's error on an Anthropic error event, and on a stream cut before message_stop", async () => {
    const overloaded = GEMINI_FRONT_ANTHROPIC_ANSWERS.stream(CLAUDE, parsed);
    const failed = anthropicStream(...textBlock('Hel'), {
      type: 'error',
      error: { type: 'overloaded_error', message: 'Overloaded' },
    });
    expect(await throughChain(overloaded, failed)).toMatch(
      /"responseId":"msg_01"}\r\n\r\ndata: {"error":{"code":503,"message":"Overloaded","status":"UNAVAILABLE"}}\r\n\r\n$/,
    );
    expect((overloaded[0] as unknown as { ended: unknown }).ended).toBe('upstream_error');
    const cut = GEMINI_FRONT_ANTHROPIC_ANSWERS.stream(CLAUDE, parsed);
    expect(await throughChain(cut, anthropicStream(...textBlock('Hel')))).toMatch(
      /data: {"error":{"code":502,"message":"The Anthropic stream ended before the answer was complete.","status":"UNAVAILABLE"}}\r\n\r\n$/,
    );
    expect((cut[0] as unknown as { ended: unknown }).ended).toBe('incomplete');
  });
});
