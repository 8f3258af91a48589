import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMockProvider } from './index.js';
import { geminiBody, PNG_1X1, postGemini } from '../test/native.js';
import { jsonOf } from '../test/utils.js';
import type { MockProvider } from './types.js';

const user = (...parts: unknown[]) => ({ role: 'user', parts });
const model = (...parts: unknown[]) => ({ role: 'model', parts });
const call = (name: string) => ({ functionCall: { name, args: {} } });
const answer = (name: string) => ({ functionResponse: { name, response: { ok: true } } });
const LOOKUP = { functionDeclarations: [{ name: 'lookup', parameters: { type: 'OBJECT', properties: {} } }] };

describe('gemini validation', () => {
  let mock: MockProvider;
  beforeAll(async () => {
    mock = await startMockProvider();
  });
  afterAll(() => mock.close());

  it.each<[string, unknown, string]>([
    ['a body that is not JSON', '{"contents":', 'Invalid JSON payload received. Unexpected token.'],
    ['a body that is an array', [], 'Invalid JSON payload received. Unknown name "": Root element must be a message.'],
    [
      'OpenAI messages',
      { messages: [{ role: 'user', content: 'hi' }] },
      'Invalid JSON payload received. Unknown name "messages": Cannot find field.',
    ],
    ['no contents', {}, '* GenerateContentRequest.contents: contents is not specified\n'],
    ['empty contents', { contents: [] }, '* GenerateContentRequest.contents: contents is not specified\n'],
    ['an assistant role', { contents: [{ role: 'assistant', parts: [{ text: 'x' }] }] }, 'Please use a valid role: user, model.'],
    [
      'a system role',
      { contents: [{ role: 'system', parts: [{ text: 'x' }] }, user({ text: 'y' })] },
      'Please use a valid role: user, model.',
    ],
    ['empty parts', { contents: [user()] }, '* GenerateContentRequest.contents[0].parts: contents.parts must not be empty.\n'],
    [
      'OpenAI content instead of parts',
      { contents: [{ role: 'user', content: 'hi' }] },
      'Invalid JSON payload received. Unknown name "content" at \'contents[0]\': Cannot find field.',
    ],
    [
      'an empty part',
      { contents: [user({})] },
      "* GenerateContentRequest.contents[0].parts[0].data: required oneof field 'data' must have one initialized field\n",
    ],
    [
      'a part with two data fields',
      { contents: [user({ text: 'a', functionCall: { name: 'f' } })] },
      "Invalid JSON payload received. Oneof field 'data' is already set.",
    ],
    [
      'an OpenAI part',
      { contents: [user({ type: 'text', text: 'a' })] },
      'Invalid JSON payload received. Unknown name "type" at \'contents[0].parts[0]\': Cannot find field.',
    ],
    [
      'a data URL as inline data',
      { contents: [user({ inlineData: { mimeType: 'image/png', data: `data:image/png;base64,${PNG_1X1}` } })] },
      "Invalid value at 'contents[0].parts[0].inline_data.data' (TYPE_BYTES), Base64 decoding failed",
    ],
    [
      'inline data without mimeType',
      { contents: [user({ inlineData: { data: PNG_1X1 } })] },
      '* GenerateContentRequest.contents[0].parts[0].inline_data.mime_type: mime_type must be specified\n',
    ],
    [
      'functionCall args as a JSON string',
      { contents: [user({ text: 'q' }), model({ functionCall: { name: 'lookup', args: '{}' } }), user(answer('lookup'))] },
      'Invalid value at \'contents[1].parts[0].function_call.args\' (type.googleapis.com/google.protobuf.Struct), "{}"',
    ],
    [
      'a function call first',
      { contents: [model(call('lookup')), user(answer('lookup'))] },
      'Please ensure that function call turn comes immediately after a user turn or after a function response turn.',
    ],
    [
      'a function call after a model turn',
      { contents: [user({ text: 'q' }), model({ text: 'thinking' }), model(call('lookup'))] },
      'Please ensure that function call turn comes immediately after a user turn or after a function response turn.',
    ],
    [
      'a function response without its call',
      { contents: [user({ text: 'q' }), model({ text: 'a' }), user(answer('lookup'))] },
      'Please ensure that function response turn comes immediately after a function call turn.',
    ],
    [
      'fewer function responses than calls',
      { contents: [user({ text: 'q' }), model(call('lookup'), call('lookup')), user(answer('lookup'))] },
      'Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.',
    ],
    [
      'a function response that is not an object',
      { contents: [user({ text: 'q' }), model(call('lookup')), user({ functionResponse: { name: 'lookup', response: 'ok' } })] },
      "Invalid value at 'contents[2].parts[0].function_response.response'",
    ],
    [
      'OpenAI max_tokens in generationConfig',
      geminiBody({ generationConfig: { max_tokens: 5 } }),
      'Invalid JSON payload received. Unknown name "max_tokens" at \'generation_config\': Cannot find field.',
    ],
    [
      'a response schema outside JSON mode',
      geminiBody({ generationConfig: { responseSchema: { type: 'OBJECT' } } }),
      '* GenerateContentRequest.generation_config.response_mime_type: response_mime_type must be one of',
    ],
    [
      'additionalProperties in responseSchema',
      geminiBody({
        generationConfig: {
          responseMimeType: 'application/json',
          responseSchema: { type: 'object', properties: { a: { type: 'object', additionalProperties: false } } },
        },
      }),
      'Invalid JSON payload received. Unknown name "additionalProperties" at \'generation_config.response_schema.properties[0].value\': Cannot find field.',
    ],
    [
      'a type array in responseSchema',
      geminiBody({ generationConfig: { responseMimeType: 'application/json', responseSchema: { type: ['string', 'null'] } } }),
      'Invalid JSON payload received. Unknown name "type" at \'generation_config.response_schema\': Proto field is not repeating, cannot start list.',
    ],
    [
      'an unknown mime type',
      geminiBody({ generationConfig: { responseMimeType: 'application/jsonl' } }),
      '* GenerateContentRequest.generation_config.response_mime_type: allowed mimetypes are',
    ],
    [
      'an OpenAI tool',
      geminiBody({ tools: [{ type: 'function', function: { name: 'f' } }] }),
      'Invalid JSON payload received. Unknown name "type" at \'tools[0]\': Cannot find field.',
    ],
    [
      '$schema in function parameters',
      geminiBody({ tools: [{ functionDeclarations: [{ name: 'f', parameters: { $schema: 'x', type: 'object' } }] }] }),
      'Invalid JSON payload received. Unknown name "$schema" at \'tools[0].function_declarations[0].parameters\': Cannot find field.',
    ],
    [
      'a function name with spaces',
      geminiBody({ tools: [{ functionDeclarations: [{ name: 'get weather' }] }] }),
      '* GenerateContentRequest.tools[0].function_declarations[0].name: Invalid function name.',
    ],
    [
      'a lower-case calling mode',
      geminiBody({ tools: [LOOKUP], toolConfig: { functionCallingConfig: { mode: 'any' } } }),
      'Invalid value at \'tool_config.function_calling_config.mode\' (type.googleapis.com/google.ai.generativelanguage.v1beta.FunctionCallingConfig.Mode), "any"',
    ],
    [
      'a system instruction without parts',
      geminiBody({ systemInstruction: { parts: [] } }),
      '* GenerateContentRequest.system_instruction.parts: contents.parts must not be empty.\n',
    ],
  ])('should answer 400 INVALID_ARGUMENT for %s', async (_case, body, message) => {
    const res = await postGemini(mock, body);
    expect(res.status).toBe(400);
    const { error } = await jsonOf(res);
    expect(error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
    expect(error.message.startsWith(message)).toBe(true);
  });

  it('should accept a full tool round trip, images, snake_case fields, JSON schemas and a role-less single turn', async () => {
    const ok = [
      {
        system_instruction: { parts: [{ text: 'Be brief.' }] },
        contents: [
          user({ text: 'Look' }, { inline_data: { mime_type: 'image/png', data: PNG_1X1 } }),
          model({ text: 'Calling.' }, call('lookup'), call('lookup')),
          user(answer('lookup'), answer('lookup')),
          model({ text: 'Done.' }),
          user({ text: 'Thanks' }),
        ],
        tools: [LOOKUP],
        tool_config: { function_calling_config: { mode: 'AUTO' } },
        generation_config: { max_output_tokens: 50, temperature: 0.3, top_p: 0.9, stop_sequences: ['END'] },
      },
      geminiBody({
        generationConfig: {
          responseMimeType: 'application/json',
          responseJsonSchema: { type: 'object', additionalProperties: false },
        },
      }),
      { contents: [{ parts: [{ text: 'no role' }] }] },
    ];
    for (const body of ok) expect((await postGemini(mock, body)).status).toBe(200);
  });
});

describe('gemini statuses and routing', () => {
  let mock: MockProvider;
  beforeAll(async () => {
    mock = await startMockProvider({ models: ['gemini-known'], strictModels: true });
  });
  afterAll(() => mock.close());
  beforeEach(() => mock.reset());

  it.each([
    [400, 'INVALID_ARGUMENT'],
    [401, 'UNAUTHENTICATED'],
    [403, 'PERMISSION_DENIED'],
    [404, 'NOT_FOUND'],
    [429, 'RESOURCE_EXHAUSTED'],
    [500, 'INTERNAL'],
    [502, 'INTERNAL'],
    [503, 'UNAVAILABLE'],
    [504, 'DEADLINE_EXCEEDED'],
  ])('should shape a scripted %i as %s', async (status, name) => {
    mock.script('gemini-known', { status });
    const res = await postGemini(mock, geminiBody(), { model: 'gemini-known' });
    expect(res.status).toBe(status);
    expect(await jsonOf(res)).toEqual({ error: { code: status, message: expect.any(String), status: name } });
  });

  it('should answer 404 NOT_FOUND for a model outside the list with strictModels', async () => {
    const res = await postGemini(mock, geminiBody(), { model: 'gemini-nope' });
    expect(res.status).toBe(404);
    expect((await jsonOf(res)).error).toEqual({
      code: 404,
      message:
        'models/gemini-nope is not found for API version v1beta, or is not supported for generateContent. ' +
        'Call ListModels to see the list of available models and their supported methods.',
      status: 'NOT_FOUND',
    });
  });

  it('should answer unknown methods and paths under /v1beta in Google shape', async () => {
    const method = await postGemini(mock, geminiBody(), { model: 'gemini-known', method: 'embedContent' });
    expect(method.status).toBe(404);
    expect((await jsonOf(method)).error.status).toBe('NOT_FOUND');
    const path = await fetch(`${mock.origin}/v1beta/cachedContents`, { method: 'POST', body: '{}' });
    expect(path.status).toBe(404);
    expect((await jsonOf(path)).error).toMatchObject({ code: 404, status: 'NOT_FOUND' });
  });

  it('should answer an invalid x-mock header with a Google 400', async () => {
    const res = await postGemini(mock, geminiBody(), { model: 'gemini-known', headers: { 'x-mock-chunks': '0' } });
    expect(res.status).toBe(400);
    expect((await jsonOf(res)).error.status).toBe('INVALID_ARGUMENT');
  });

  it('should cut a non-stream body when malformed', async () => {
    const res = await postGemini(mock, geminiBody(), { model: 'gemini-known', headers: { 'x-mock-fault': 'malformed' } });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text.startsWith('{"candidates":')).toBe(true);
    expect(() => JSON.parse(text)).toThrow();
  });
});
