import { SwitchyardError } from '@switchyard/core';
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../json.js';
import { toChatRequestFromResponses } from './request.js';

const MODEL = 'claude-sonnet-4-5';
const FN = { type: 'function', name: 'f', parameters: { type: 'object' } };

function translate(body: JsonObject): unknown {
  return toChatRequestFromResponses({ model: 'smart', input: 'Hi', ...body }, { model: MODEL });
}

const user = (content: unknown[]) => ({ input: [{ role: 'user', content }] });

describe('toChatRequestFromResponses() refusals', () => {
  it.each([
    ...[
      'web_search',
      'web_search_preview',
      'file_search',
      'code_interpreter',
      'computer_use_preview',
      'image_generation',
      'mcp',
    ].map((type): [string, JsonObject, string] => [`a built-in ${type} tool`, { tools: [FN, { type }] }, 'tools[1].type']),
    ['a custom (free-form) tool', { tools: [{ type: 'custom', name: 'sql' }] }, 'tools[0].type'],
    ['a tool_choice of a built-in tool', { tools: [FN], tool_choice: { type: 'web_search_preview' } }, 'tool_choice'],
    [
      'an allowed_tools tool_choice',
      { tools: [FN], tool_choice: { type: 'allowed_tools', mode: 'auto', tools: [] } },
      'tool_choice',
    ],
    ['an input_file part', user([{ type: 'input_file', file_id: 'file-1' }]), 'input[0].content[0].type'],
    [
      'an input_audio part',
      user([{ type: 'input_audio', input_audio: { data: 'AA', format: 'wav' } }]),
      'input[0].content[0].type',
    ],
    ['an image by file_id', user([{ type: 'input_image', file_id: 'file-1', detail: 'auto' }]), 'input[0].content[0].file_id'],
    [
      'an image in a developer message',
      { input: [{ role: 'developer', content: [{ type: 'input_image', image_url: 'https://example.com/a.png' }] }] },
      'input[0].content[0].type',
    ],
    [
      'a function call output that is an image',
      {
        input: [
          { type: 'function_call_output', call_id: 'c', output: [{ type: 'input_image', image_url: 'https://x.io/a.png' }] },
        ],
      },
      'input[0].output[0].type',
    ],
    ...['web_search_call', 'computer_call_output', 'mcp_call', 'custom_tool_call', 'image_generation_call'].map(
      (type): [string, JsonObject, string] => [
        `a ${type} input item`,
        {
          input: [
            { role: 'user', content: 'x' },
            { type, id: 'x' },
          ],
        },
        'input[1].type',
      ],
    ),
    ['background: true', { background: true }, 'background'],
    ['a stored prompt', { prompt: { id: 'pmpt_1', variables: {} } }, 'prompt'],
    ['include of output logprobs', { include: ['reasoning.encrypted_content', 'message.output_text.logprobs'] }, 'include'],
    ['top_logprobs', { top_logprobs: 5 }, 'top_logprobs'],
  ])('should answer 400 unsupported_parameter for %s', (_name, body, param) => {
    expect(() => translate(body)).toThrow(expect.objectContaining({ status: 400, code: 'unsupported_parameter', param }));
  });

  it.each([
    ['previous_response_id', { previous_response_id: 'resp_123' }, 'previous_response_id'],
    ['a conversation id', { conversation: 'conv_123' }, 'conversation'],
    ['a conversation object', { conversation: { id: 'conv_123' } }, 'conversation'],
    [
      'an item_reference',
      {
        input: [
          { role: 'user', content: 'Hi' },
          { type: 'item_reference', id: 'msg_1' },
        ],
      },
      'input[1].type',
    ],
  ])('should answer 400 previous_response_unsupported for %s, saying to send the whole conversation', (_name, body, param) => {
    let error: unknown;
    try {
      translate(body);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SwitchyardError);
    expect(error).toMatchObject({ status: 400, type: 'invalid_request_error', code: 'previous_response_unsupported', param });
    expect((error as Error).message).toContain('Anthropic or Gemini provider, which cannot continue a stored response');
    expect((error as Error).message).toContain('send the whole conversation in `input`');
  });

  it.each([
    ['no input', { input: undefined }, 'input'],
    ['an input that is a number', { input: 3 }, 'input'],
    ['an input item that is not an object', { input: ['Hi'] }, 'input[0]'],
    ['a tool role message', { input: [{ role: 'tool', content: 'x' }] }, 'input[0].role'],
    ['a message without a role', { input: [{ type: 'message', content: 'x' }] }, 'input[0].role'],
    ['content that is a number', { input: [{ role: 'user', content: 3 }] }, 'input[0].content'],
    ['a text part without text', user([{ type: 'input_text' }]), 'input[0].content[0].text'],
    ['a content part that is not an object', user(['x']), 'input[0].content[0]'],
    ['an image without a URL', user([{ type: 'input_image' }]), 'input[0].content[0].image_url'],
    ['an ftp image URL', user([{ type: 'input_image', image_url: 'ftp://example.com/a.png' }]), 'input[0].content[0].image_url'],
    [
      'a data: image that is not base64',
      user([{ type: 'input_image', image_url: 'data:image/png,abc' }]),
      'input[0].content[0].image_url',
    ],
    [
      'function call arguments that are not JSON',
      { input: [{ type: 'function_call', call_id: 'c', name: 'f', arguments: '{"a":' }] },
      'input[0].arguments',
    ],
    [
      'function call arguments that are not an object',
      { input: [{ type: 'function_call', call_id: 'c', name: 'f', arguments: '[1]' }] },
      'input[0].arguments',
    ],
    ['a function call without a call_id', { input: [{ type: 'function_call', name: 'f', arguments: '{}' }] }, 'input[0].call_id'],
    ['a function call without a name', { input: [{ type: 'function_call', call_id: 'c', arguments: '{}' }] }, 'input[0].name'],
    [
      'a function call output that is a number',
      { input: [{ type: 'function_call_output', call_id: 'c', output: 3 }] },
      'input[0].output',
    ],
    ['a function call output without a call_id', { input: [{ type: 'function_call_output', output: 'x' }] }, 'input[0].call_id'],
    ['instructions that are not a string', { instructions: ['x'] }, 'instructions'],
    ['tools that are not an array', { tools: FN }, 'tools'],
    ['a function tool without a name', { tools: [{ type: 'function', parameters: {} }] }, 'tools[0].name'],
    ['a function tool whose parameters are not an object', { tools: [{ ...FN, parameters: 'x' }] }, 'tools[0].parameters'],
    ['an unknown tool_choice', { tool_choice: 'sometimes' }, 'tool_choice'],
    ['a function tool_choice without a name', { tool_choice: { type: 'function' } }, 'tool_choice'],
    ['text that is not an object', { text: 'json' }, 'text'],
    ['a json_schema format without a name', { text: { format: { type: 'json_schema', schema: {} } } }, 'text.format.name'],
    ['a json_schema format without a schema', { text: { format: { type: 'json_schema', name: 'x' } } }, 'text.format.schema'],
    ['an unknown text format', { text: { format: { type: 'xml' } } }, 'text.format.type'],
    ['max_output_tokens of 0', { max_output_tokens: 0 }, 'max_output_tokens'],
    ['fractional max_output_tokens', { max_output_tokens: 1.5 }, 'max_output_tokens'],
    ['max_output_tokens as a string', { max_output_tokens: '10' }, 'max_output_tokens'],
    ['parallel_tool_calls as a string', { parallel_tool_calls: 'yes' }, 'parallel_tool_calls'],
    ['an unknown truncation', { truncation: 'middle' }, 'truncation'],
    ['include that is not a list of strings', { include: 'reasoning.encrypted_content' }, 'include'],
    ['reasoning that is not an object', { reasoning: 'high' }, 'reasoning'],
    ['a reasoning effort that is not a string', { reasoning: { effort: 3 } }, 'reasoning.effort'],
    ['a user that is not a string', { user: 5 }, 'user'],
  ])('should answer 400 invalid_request for %s', (_name, body, param) => {
    expect(() => translate(body)).toThrow(expect.objectContaining({ status: 400, code: 'invalid_request', param }));
  });

  it('should answer 400 invalid_request for a body that is not an object', () => {
    expect(() => toChatRequestFromResponses([], { model: MODEL })).toThrow(
      expect.objectContaining({ status: 400, code: 'invalid_request', param: 'body' }),
    );
  });
});
