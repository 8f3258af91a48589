// The request's shape as the budget prices it: completions asked for, images, overheads, and what is unbounded.
import { parseRequest } from '@switchyard/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_TOOL_TOKENS, requestShape, TOOLS_OVERHEAD_TOKENS } from './shape.js';

const PATHS = { chat: '/chat/completions', completions: '/completions', responses: '/responses', messages: '/messages' };

function shape(endpoint: keyof typeof PATHS, body: Record<string, unknown>) {
  const text = JSON.stringify(body);
  return requestShape(parseRequest({ path: PATHS[endpoint], body, raw: Buffer.from(text), headers: {}, rawHeaders: [] }));
}

const chat = (extra: Record<string, unknown> = {}, content: unknown = 'Hi') =>
  shape('chat', { model: 'm', messages: [{ role: 'user', content }], ...extra });

const PNG = `data:image/png;base64,${'A'.repeat(3000)}`;

describe('requestShape()', () => {
  it('should count every completion a call asks for: n, best_of, and each prompt of a completions call', () => {
    expect(chat().completions).toBe(1);
    expect(chat({ n: 128 }).completions).toBe(128);
    // A count that is not a whole number, 1 or more, never gets here: core's parse refuses it (issue 10).
    expect(() => chat({ n: '3' })).toThrow(/"n" must be a whole number/);
    expect(shape('completions', { model: 'm', prompt: 'a', n: 2, best_of: 5 }).completions).toBe(5);
    expect(shape('completions', { model: 'm', prompt: ['a', 'b', 'c'], n: 4 }).completions).toBe(12);
    expect(shape('completions', { model: 'm', prompt: [1, 2, 3], n: 2 }).completions).toBe(2);
    expect(shape('completions', { model: 'm', prompt: [[1, 2], [3]], best_of: 2 }).completions).toBe(4);
    // Only chat and completions make several answers.
    expect(shape('responses', { model: 'm', input: 'x', n: 9 }).completions).toBe(1);
    expect(shape('messages', { model: 'm', messages: [{ role: 'user', content: 'x' }], n: 9 }).completions).toBe(1);
  });

  it('should cap the output at the highest limit the body sets in any field', () => {
    expect(chat().maxOutputTokens).toBeUndefined();
    expect(chat({ max_tokens: 100, max_completion_tokens: 30 }).maxOutputTokens).toBe(100);
    expect(chat({ max_completion_tokens: 30 }).maxOutputTokens).toBe(30);
    expect(() => chat({ max_tokens: '100' })).toThrow(/"max_tokens" must be a whole number/);
    expect(shape('responses', { model: 'm', input: 'x', max_output_tokens: 64 }).maxOutputTokens).toBe(64);
  });

  it('should count images by detail and take their payload out of the text bound', () => {
    const s = chat({}, [
      { type: 'text', text: 'what is this?' },
      { type: 'image_url', image_url: { url: PNG, detail: 'low' } },
      { type: 'image_url', image_url: { url: PNG } },
      { type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'auto' } },
    ]);
    expect(s.images).toEqual({ low: 1, high: 2 });
    expect(s.unbounded).toBeUndefined();
    const text = chat({}, [{ type: 'text', text: 'what is this?' }]);
    expect(s.inputTokens).toBeLessThan(text.inputTokens + 300);

    const responses = shape('responses', {
      model: 'm',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_image', image_url: PNG, detail: 'low' },
            { type: 'input_image', file_id: 'f' },
          ],
        },
        { type: 'function_call_output', call_id: 'c', output: [{ type: 'input_image', image_url: PNG }] },
      ],
    });
    expect(responses.images).toEqual({ low: 1, high: 2 });

    const anthropic = shape('messages', {
      model: 'm',
      max_tokens: 10,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'A'.repeat(3000) } },
            {
              type: 'tool_result',
              tool_use_id: 't',
              content: [{ type: 'image', source: { type: 'url', url: 'https://x/y.png' } }],
            },
          ],
        },
      ],
    });
    expect(anthropic.images).toEqual({ low: 0, high: 2 });
    expect(anthropic.inputTokens).toBeLessThan(300);
  });

  it('should add the tool-use overheads: once for any tools, and per Anthropic built-in client tool', () => {
    const fn = { type: 'function', function: { name: 'f', parameters: { type: 'object' } } };
    expect(chat({ tools: [fn] }).inputTokens - chat().inputTokens).toBe(
      TOOLS_OVERHEAD_TOKENS + Buffer.byteLength(`,"tools":[${JSON.stringify(fn)}]`),
    );
    const base = { model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] };
    const tools = [
      { name: 'f', input_schema: { type: 'object' } },
      { type: 'bash_20250124', name: 'bash' },
    ];
    const withTools = shape('messages', { ...base, tools });
    expect(withTools.unbounded).toBeUndefined();
    expect(withTools.inputTokens - shape('messages', base).inputTokens).toBe(
      TOOLS_OVERHEAD_TOKENS + BUILT_IN_TOOL_TOKENS + Buffer.byteLength(`,"tools":${JSON.stringify(tools)}`),
    );
  });

  it("should bill a prediction's text as output, and the whole body when it nests too deep to measure", () => {
    expect(chat({ prediction: { type: 'content', content: 'abcdef' } }).extraOutputTokens).toBe(8);
    expect(chat().extraOutputTokens).toBe(0);
    const depth = 50_000;
    const raw = `{"model":"m","messages":[{"role":"user","content":"x"}],"prediction":{"content":${'['.repeat(depth)}${']'.repeat(depth)}}}`;
    const body = JSON.parse(raw) as Record<string, unknown>;
    const deep = requestShape(parseRequest({ path: PATHS.chat, body, raw: Buffer.from(raw), headers: {}, rawHeaders: [] }));
    expect(deep.extraOutputTokens).toBe(raw.length);
  });

  it('should name what the upstream can bill without bound', () => {
    const cases: Array<[string, ReturnType<typeof shape>]> = [
      ['previous_response_id', shape('responses', { model: 'm', input: 'x', previous_response_id: 'resp_1' })],
      ['conversation', shape('responses', { model: 'm', input: 'x', conversation: 'conv_1' })],
      ['a stored prompt', shape('responses', { model: 'm', prompt: { id: 'pmpt_1' } })],
      ['a file part', chat({}, [{ type: 'file', file: { file_id: 'f' } }])],
      [
        'a input_file part',
        shape('responses', { model: 'm', input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'f' }] }] }),
      ],
      ['audio input', chat({}, [{ type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } }])],
      ['audio output', chat({ modalities: ['text', 'audio'], audio: { voice: 'alloy', format: 'wav' } })],
      ['the built-in tool "web_search"', shape('responses', { model: 'm', input: 'x', tools: [{ type: 'web_search' }] })],
      ['web_search_options', chat({ web_search_options: {} })],
      [
        'the built-in tool "web_search_20250305"',
        shape('messages', {
          model: 'm',
          max_tokens: 5,
          messages: [{ role: 'user', content: 'x' }],
          tools: [{ type: 'web_search_20250305', name: 'web_search' }],
        }),
      ],
      [
        'mcp_servers',
        shape('messages', {
          model: 'm',
          max_tokens: 5,
          messages: [{ role: 'user', content: 'x' }],
          mcp_servers: [{ type: 'url', url: 'https://x', name: 'x' }],
        }),
      ],
      [
        'a document part',
        shape('messages', {
          model: 'm',
          max_tokens: 5,
          messages: [
            {
              role: 'user',
              content: [{ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBE' } }],
            },
          ],
        }),
      ],
    ];
    for (const [what, s] of cases) expect(s.unbounded, what).toMatch(new RegExp(`^${what.replace(/[()]/g, '\\$&')}`));
    // A document given as text is in the body's bytes: bounded.
    const textDoc = shape('messages', {
      model: 'm',
      max_tokens: 5,
      messages: [
        { role: 'user', content: [{ type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'hi' } }] },
      ],
    });
    expect(textDoc.unbounded).toBeUndefined();
    // A `prompt` on completions is the prompt, not a stored one.
    expect(shape('completions', { model: 'm', prompt: 'x' }).unbounded).toBeUndefined();
  });

  it("should bound the input by at least every text's UTF-8 bytes, whatever the text and wherever it sits", () => {
    const text = fc.string({ unit: 'binary', maxLength: 200 });
    const message = fc.record({
      role: fc.constantFrom('system', 'user', 'assistant', 'tool'),
      content: fc.oneof(text, fc.array(fc.record({ type: fc.constant('text'), text }), { maxLength: 4 })),
      name: fc.option(text, { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 8 }), text, (messages, extra) => {
        const s = chat({
          messages,
          response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { description: extra } } },
        });
        const strings: string[] = [extra];
        for (const m of messages) {
          if (m.name !== undefined) strings.push(m.name);
          if (typeof m.content === 'string') strings.push(m.content);
          else for (const part of m.content) strings.push(part.text);
        }
        const bytes = strings.reduce((sum, t) => sum + Buffer.byteLength(t, 'utf8'), 0);
        return s.inputTokens >= bytes + 3 * messages.length + 3;
      }),
      { numRuns: 200 },
    );
  });
});
