import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promptSize, REPLY_PRIMING_TOKENS, TOKENS_PER_MESSAGE, TOKENS_PER_NAME, utf8Bytes, type Measure } from './prompt.js';
import { catalogWith, post, serve, signalsApp, type Served } from '../test/server.js';
import { tokenCounter } from './tokenizer.js';

let countTokens: Measure;
beforeAll(async () => {
  countTokens = await tokenCounter();
});

describe('the o200k_base token counter', () => {
  it('should count known strings as tiktoken o200k_base does', () => {
    expect(countTokens('hello world')).toBe(2);
    expect(countTokens('Hello, world!')).toBe(4);
    expect(countTokens('tiktoken is great!')).toBe(6);
    expect(countTokens('你好，世界')).toBe(3);
    expect(countTokens('')).toBe(0);
  });

  it('should count special-token text as plain text instead of throwing', () => {
    expect(countTokens('<|endoftext|>')).toBe(7);
  });
});

describe('promptSize', () => {
  it('should add the per-message overhead, names and reply priming to the content tokens', () => {
    const body = {
      model: 'm',
      messages: [
        { role: 'system', content: 'hello world' },
        {
          role: 'user',
          name: 'ada',
          content: [
            { type: 'text', text: 'Hello, world!' },
            { type: 'image_url', image_url: { url: 'https://example.com/a-long-image-url.png' } },
          ],
        },
      ],
    };
    const expected = 2 * TOKENS_PER_MESSAGE + 2 + countTokens('ada') + TOKENS_PER_NAME + 4 + REPLY_PRIMING_TOKENS;
    expect(promptSize(body, countTokens)).toBe(expected);
  });

  it('should count tools, Anthropic system blocks, tool calls and tool results', () => {
    const tools = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }];
    const body = {
      model: 'm',
      system: [{ type: 'text', text: 'hello world' }],
      tools,
      messages: [
        { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'get_weather', input: { city: 'Paris' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'text', text: 'sunny' }] }] },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }],
        },
      ],
    };
    const expected =
      2 + // system
      countTokens(JSON.stringify(tools)) +
      3 * TOKENS_PER_MESSAGE +
      countTokens('{"city":"Paris"}') +
      countTokens('sunny') +
      countTokens('f') +
      countTokens('{"a":1}') +
      REPLY_PRIMING_TOKENS;
    expect(promptSize(body, countTokens)).toBe(expected);
  });

  it('should count prompt and input strings, lists and token-ID arrays', () => {
    expect(promptSize({ model: 'm', prompt: 'hello world' }, countTokens)).toBe(2);
    expect(promptSize({ model: 'm', prompt: ['hello world', 'Hello, world!'] }, countTokens)).toBe(6);
    expect(promptSize({ model: 'm', input: [1, 2, 3] }, countTokens)).toBe(3);
    expect(
      promptSize(
        {
          model: 'm',
          input: [
            [1, 2],
            [3, 4, 5],
          ],
        },
        countTokens,
      ),
    ).toBe(5);
    expect(promptSize({ model: 'm', input: 'hello world', instructions: 'Hello, world!' }, countTokens)).toBe(6);
    const items = { model: 'm', input: [{ role: 'user', content: [{ type: 'input_text', text: 'hello world' }] }] };
    expect(promptSize(items, countTokens)).toBe(TOKENS_PER_MESSAGE + 2 + REPLY_PRIMING_TOKENS);
  });

  it('should ignore fields of the wrong shape instead of throwing', () => {
    const odd = {
      model: 'm',
      messages: [null, 3, 'x', { content: 5 }, { content: [null, 'y', { text: 9 }] }],
      tools: 'no',
      prompt: { a: 1 },
    };
    expect(promptSize(odd, countTokens)).toBe(2 * TOKENS_PER_MESSAGE + REPLY_PRIMING_TOKENS);
    expect(promptSize(odd, countTokens)).toBe(promptSize(odd, utf8Bytes));
  });
});

describe('the byte-length bound', () => {
  const samples = [
    'hello world',
    'The quick brown fox jumps over the lazy dog. '.repeat(50),
    '你好，世界。今天天气很好，我们去公园散步吧。',
    '日本語のテキストと English が混ざった文章です。',
    '🎉🚀👩‍👩‍👧‍👦🏳️‍🌈'.repeat(20),
    ' '.repeat(1000),
    '\n\n\t\t  \r\n'.repeat(100),
    'a\u0301e\u0301 combining marks, zero\u200bwidth and \ud800 a lone surrogate',
    'x',
    '',
    JSON.stringify({ deeply: { nested: [1, 2, { json: 'values' }] } }),
    '<|endoftext|><|im_start|>',
    'аБвГд Ελληνικά עברית العربية हिन्दी',
  ];

  it('should never be below the exact count, piece by piece', () => {
    for (const text of samples) {
      expect(countTokens(text), JSON.stringify(text.slice(0, 20))).toBeLessThanOrEqual(utf8Bytes(text));
    }
  });

  it('should never be below the exact count over whole requests of varied text', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pick = () => samples[Math.floor(random() * samples.length)] as string;
    for (let i = 0; i < 40; i++) {
      const messages = Array.from({ length: 1 + Math.floor(random() * 5) }, (_, j) =>
        j % 2 === 0
          ? { role: 'user', name: 'u', content: pick() + pick() }
          : {
              role: 'assistant',
              content: [
                { type: 'text', text: pick() },
                { type: 'text', text: pick() },
              ],
            },
      );
      const body = {
        model: 'm',
        system: pick(),
        messages,
        tools: i % 3 === 0 ? [{ type: 'function', function: { name: pick() } }] : undefined,
      };
      const exact = promptSize(body, countTokens);
      const bound = promptSize(body, utf8Bytes);
      expect(exact).toBeGreaterThan(0);
      expect(exact).toBeLessThanOrEqual(bound);
    }
  });

  it('should be loose for ASCII and tight for CJK, so it settles large thresholds only', () => {
    const ascii = 'The quick brown fox jumps over the lazy dog. '.repeat(50);
    expect(utf8Bytes(ascii) / countTokens(ascii)).toBeGreaterThan(3);
    expect(utf8Bytes('🎉🎉🎉')).toBe(12);
  });
});

describe('input_tokens through signals()', () => {
  let server: Served;
  beforeAll(async () => {
    server = await serve(signalsApp({ catalog: catalogWith() }));
  });
  afterAll(() => server.close());

  it('should record the exact count and expose the byte bound over the same pieces', async () => {
    const body = {
      model: 'smart',
      messages: [
        { role: 'user', content: '你好，世界' },
        { role: 'user', content: 'hello world' },
      ],
    };
    const res = await post(server.url, '/v1/chat/completions?read=input_tokens', body);
    expect(res.status).toBe(200);
    const overhead = 2 * TOKENS_PER_MESSAGE + REPLY_PRIMING_TOKENS;
    expect(res.body.signals.input_tokens).toEqual({ kind: 'value', value: 3 + 2 + overhead });
    expect(res.body.bound).toBe(15 + 11 + overhead);
  });

  it('should count Anthropic system text on /messages', async () => {
    const body = { model: 'smart', system: 'hello world', messages: [{ role: 'user', content: 'hello world' }] };
    const res = await post(server.url, '/v1/messages?read=input_tokens', body);
    expect(res.body.signals.input_tokens.value).toBe(2 + TOKENS_PER_MESSAGE + 2 + REPLY_PRIMING_TOKENS);
  });

  it('should count embeddings input', async () => {
    const res = await post(server.url, '/v1/embeddings?read=input_tokens', {
      model: 'e',
      input: ['hello world', 'tiktoken is great!'],
    });
    expect(res.body.signals.input_tokens.value).toBe(8);
    expect(res.body.bound).toBe(29);
  });
});
