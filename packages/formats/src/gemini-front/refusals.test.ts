// What the Gemini front door refuses (valid Gemini that no other format can carry: 400
// unsupported_parameter) and rejects (not valid Gemini: 400 invalid_request), with the field at fault;
// the gateway's own errors in Google's shape; countTokens; the method paths.
import { SwitchyardError } from '@switchyard/core';
import { describe, expect, it } from 'vitest';
import { countTokensAnswer, geminiCountTokensBody, toChatRequestFromCountTokens } from './count-tokens.js';
import { fromOpenAIStreamError, googleError } from './errors.js';
import { geminiPath, readGeminiPath } from './path.js';
import { toChatRequestFromGemini } from './request.js';

const MODEL = 'gpt-4o-2024-08-06';
const HI = [{ role: 'user', parts: [{ text: 'Hi' }] }];
const user = (...parts: unknown[]) => ({ contents: [{ role: 'user', parts }] });
const PING = { functionDeclarations: [{ name: 'ping' }] };
const translate = (body: unknown) => toChatRequestFromGemini(body, { model: MODEL, stream: false });
const deep = (depth: number): unknown => (depth === 0 ? 1 : { a: deep(depth - 1) });

describe('Gemini front door refusals', () => {
  it.each([
    [
      'executable code',
      user({ executableCode: { language: 'PYTHON', code: 'print(1)' } }),
      'contents[0].parts[0].executableCode',
    ],
    [
      'a code execution result',
      user({ codeExecutionResult: { outcome: 'OUTCOME_OK' } }),
      'contents[0].parts[0].codeExecutionResult',
    ],
    ['audio inlineData', user({ inlineData: { mimeType: 'audio/mp3', data: 'AA' } }), 'contents[0].parts[0].inlineData.mimeType'],
    ['a PDF', user({ inlineData: { mimeType: 'application/pdf', data: 'AA' } }), 'contents[0].parts[0].inlineData.mimeType'],
    [
      'a video file',
      user({ fileData: { mimeType: 'video/mp4', fileUri: 'https://e.com/v.mp4' } }),
      'contents[0].parts[0].fileData.mimeType',
    ],
    ['a file of no known type', user({ fileData: { fileUri: 'https://youtu.be/x' } }), 'contents[0].parts[0].fileData.mimeType'],
    [
      'a gs:// file',
      user({ fileData: { mimeType: 'image/png', fileUri: 'gs://b/a.png' } }),
      'contents[0].parts[0].fileData.fileUri',
    ],
    [
      'a Files API file',
      user({ fileData: { mimeType: 'image/png', fileUri: 'https://generativelanguage.googleapis.com/v1beta/files/abc' } }),
      'contents[0].parts[0].fileData.fileUri',
    ],
    [
      'an image in a model turn',
      { contents: [...HI, { role: 'model', parts: [{ inlineData: { mimeType: 'image/png', data: 'AA' } }] }] },
      'contents[1].parts[0].inlineData',
    ],
    [
      'a function response with media parts',
      {
        contents: [
          { role: 'model', parts: [{ functionCall: { name: 'f' } }] },
          { role: 'user', parts: [{ functionResponse: { name: 'f', response: {}, parts: [{ inlineData: {} }] } }] },
        ],
      },
      'contents[1].parts[0].functionResponse.parts',
    ],
    ['googleSearch', { contents: HI, tools: [{ googleSearch: {} }] }, 'tools[0].googleSearch'],
    ['codeExecution', { contents: HI, tools: [PING, { codeExecution: {} }] }, 'tools[1].codeExecution'],
    ['urlContext beside functions', { contents: HI, tools: [{ ...PING, urlContext: {} }] }, 'tools[0].urlContext'],
    ['cachedContent', { contents: HI, cachedContent: 'cachedContents/abc' }, 'cachedContent'],
    ['a continuation token', { contents: HI, continuationToken: 'abc' }, 'continuationToken'],
    ['candidateCount 2', { contents: HI, generationConfig: { candidateCount: 2 } }, 'generationConfig.candidateCount'],
    [
      'an enum answer',
      { contents: HI, generationConfig: { responseMimeType: 'text/x.enum' } },
      'generationConfig.responseMimeType',
    ],
    [
      'image output',
      { contents: HI, generationConfig: { responseModalities: ['TEXT', 'IMAGE'] } },
      'generationConfig.responseModalities',
    ],
    ['log probabilities', { contents: HI, generationConfig: { responseLogprobs: true } }, 'generationConfig.responseLogprobs'],
    ['top log probabilities', { contents: HI, generationConfig: { logprobs: 3 } }, 'generationConfig.logprobs'],
    ['speech', { contents: HI, generationConfig: { speechConfig: { voiceConfig: {} } } }, 'generationConfig.speechConfig'],
    [
      'a system instruction with an image',
      { contents: HI, systemInstruction: { parts: [{ inlineData: { mimeType: 'image/png', data: 'AA' } }] } },
      'systemInstruction.parts[0]',
    ],
  ])('should answer 400 unsupported_parameter for %s', (_name, body, param) => {
    expect(() => translate(body)).toThrow(expect.objectContaining({ status: 400, code: 'unsupported_parameter', param }));
  });

  it.each([
    ['a body that is not an object', [], 'body'],
    ['no contents', {}, 'contents'],
    ['empty contents', { contents: [] }, 'contents'],
    ['a content without parts', { contents: [{ role: 'user', parts: [] }] }, 'contents[0].parts'],
    ['an unknown role', { contents: [{ role: 'system', parts: [{ text: 'x' }] }] }, 'contents[0].role'],
    ['an empty part', user({}), 'contents[0].parts[0]'],
    [
      'a part with two kinds of data',
      user({ text: 'x', inlineData: { mimeType: 'image/png', data: 'AA' } }),
      'contents[0].parts[0]',
    ],
    ['a text that is not a string', user({ text: 3 }), 'contents[0].parts[0].text'],
    ['inlineData without data', user({ inlineData: { mimeType: 'image/png' } }), 'contents[0].parts[0].inlineData'],
    ['a function call in a user turn', user({ functionCall: { name: 'f' } }), 'contents[0].parts[0]'],
    [
      'a function response in a model turn',
      { contents: [{ role: 'model', parts: [{ functionResponse: { name: 'f', response: {} } }] }] },
      'contents[0].parts[0]',
    ],
    [
      'a function response to no call',
      user({ functionResponse: { name: 'f', response: {} } }),
      'contents[0].parts[0].functionResponse',
    ],
    [
      'a function response without its response',
      {
        contents: [
          { role: 'model', parts: [{ functionCall: { name: 'f' } }] },
          user({ functionResponse: { name: 'f' } }).contents[0],
        ],
      },
      'contents[1].parts[0].functionResponse.response',
    ],
    [
      'call args that are not an object',
      { contents: [{ role: 'model', parts: [{ functionCall: { name: 'f', args: [1] } }] }] },
      'contents[0].parts[0].functionCall.args',
    ],
    [
      'call args nested too deep',
      { contents: [{ role: 'model', parts: [{ functionCall: { name: 'f', args: deep(80) } }] }] },
      'contents[0].parts[0].functionCall.args',
    ],
    ['only thoughts', { contents: [{ role: 'model', parts: [{ text: 'hm', thought: true }] }] }, 'contents'],
    [
      'a declaration without a name',
      { contents: HI, tools: [{ functionDeclarations: [{ description: 'x' }] }] },
      'tools[0].functionDeclarations[0].name',
    ],
    [
      'both parameter schemas',
      {
        contents: HI,
        tools: [{ functionDeclarations: [{ name: 'f', parameters: { type: 'OBJECT' }, parametersJsonSchema: {} }] }],
      },
      'tools[0].functionDeclarations[0]',
    ],
    [
      'a schema type Gemini does not know',
      { contents: HI, tools: [{ functionDeclarations: [{ name: 'f', parameters: { type: 'TUPLE' } }] }] },
      'tools[0].functionDeclarations[0].parameters.type',
    ],
    [
      'a schema nested too deep',
      { contents: HI, generationConfig: { responseMimeType: 'application/json', responseJsonSchema: deep(80) } },
      'generationConfig.responseJsonSchema',
    ],
    [
      'an allowed name no declaration declares',
      { contents: HI, tools: [PING], toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['pong'] } } },
      'toolConfig.functionCallingConfig.allowedFunctionNames',
    ],
    [
      'allowed names under AUTO',
      { contents: HI, tools: [PING], toolConfig: { functionCallingConfig: { mode: 'AUTO', allowedFunctionNames: ['ping'] } } },
      'toolConfig.functionCallingConfig.allowedFunctionNames',
    ],
    [
      'an unknown mode',
      { contents: HI, tools: [PING], toolConfig: { functionCallingConfig: { mode: 'SOMETIMES' } } },
      'toolConfig.functionCallingConfig.mode',
    ],
    [
      'a schema without the JSON mime type',
      { contents: HI, generationConfig: { responseSchema: { type: 'STRING' } } },
      'generationConfig.responseSchema',
    ],
    [
      'both response schemas',
      { contents: HI, generationConfig: { responseMimeType: 'application/json', responseSchema: {}, responseJsonSchema: {} } },
      'generationConfig',
    ],
    [
      'a temperature that is not a number',
      { contents: HI, generationConfig: { temperature: 'hot' } },
      'generationConfig.temperature',
    ],
    ['maxOutputTokens 0', { contents: HI, generationConfig: { maxOutputTokens: 0 } }, 'generationConfig.maxOutputTokens'],
    ['a fractional seed', { contents: HI, generationConfig: { seed: 1.5 } }, 'generationConfig.seed'],
    [
      'stop sequences that are not strings',
      { contents: HI, generationConfig: { stopSequences: [1] } },
      'generationConfig.stopSequences',
    ],
    ['a system instruction string', { contents: HI, systemInstruction: 'Be brief' }, 'systemInstruction'],
  ])('should answer 400 invalid_request for %s', (_name, body, param) => {
    expect(() => translate(body)).toThrow(expect.objectContaining({ status: 400, code: 'invalid_request', param }));
  });
});

describe("the gateway's errors in Google's shape", () => {
  it.each([
    [400, 'INVALID_ARGUMENT'],
    [401, 'UNAUTHENTICATED'],
    [403, 'PERMISSION_DENIED'],
    [404, 'NOT_FOUND'],
    [413, 'INVALID_ARGUMENT'],
    [415, 'INVALID_ARGUMENT'],
    [429, 'RESOURCE_EXHAUSTED'],
    [500, 'INTERNAL'],
    [501, 'UNIMPLEMENTED'],
    [502, 'UNAVAILABLE'],
    [503, 'UNAVAILABLE'],
    [504, 'DEADLINE_EXCEEDED'],
  ])('should render a %i SwitchyardError with status %s', (status, name) => {
    const err = new SwitchyardError({ status, type: 'api_error', code: 'some_code', message: 'Something.' });
    expect(googleError(err)).toStrictEqual({ status, body: { error: { code: status, message: 'Something.', status: name } } });
  });

  it.each([
    [{ error: { message: 'm', type: 'server_error', code: null } }, 500, 'INTERNAL'],
    [{ error: { message: 'm', type: 'rate_limit_error', code: 'rate_limit_exceeded' } }, 429, 'RESOURCE_EXHAUSTED'],
    [{ error: { message: 'm', type: 'api_error', code: 'overloaded_error' } }, 503, 'UNAVAILABLE'],
    [{ error: { message: 'm', type: 'invalid_request_error', code: 'context_length_exceeded' } }, 400, 'INVALID_ARGUMENT'],
    [{ error: { message: 'm', type: 'api_error', code: 'upstream_stream_incomplete' } }, 502, 'UNAVAILABLE'],
    [{ error: { message: 'm', code: 408 } }, 408, 'DEADLINE_EXCEEDED'],
    [{ error: { message: 'm', type: 'toString', code: 'constructor' } }, 500, 'INTERNAL'],
  ])('should read a mid-stream OpenAI error %j as %i %s', (data, code, status) => {
    expect(fromOpenAIStreamError(data)).toStrictEqual({ error: { code, message: 'm', status } });
  });
});

describe('countTokens', () => {
  it('should turn contents into the chat request the gateway would send', () => {
    expect(toChatRequestFromCountTokens({ contents: HI }, { model: MODEL })).toStrictEqual({
      model: MODEL,
      messages: [{ role: 'user', content: 'Hi' }],
    });
  });

  it('should count a whole generateContentRequest: system instruction and tools included', () => {
    const body = {
      generateContentRequest: {
        model: 'models/smart',
        contents: HI,
        systemInstruction: { parts: [{ text: 'Brief.' }] },
        tools: [PING],
      },
    };
    expect(toChatRequestFromCountTokens(body, { model: MODEL })).toStrictEqual({
      model: MODEL,
      messages: [
        { role: 'system', content: 'Brief.' },
        { role: 'user', content: 'Hi' },
      ],
      tools: [{ type: 'function', function: { name: 'ping' } }],
    });
  });

  it.each([
    ['neither', {}, 'contents'],
    ['both', { contents: HI, generateContentRequest: { contents: HI } }, 'contents'],
    ['a request that is not an object', { generateContentRequest: 'x' }, 'generateContentRequest'],
    ['a request without contents', { generateContentRequest: {} }, 'contents'],
  ])('should answer 400 for %s', (_name, body, param) => {
    expect(() => toChatRequestFromCountTokens(body, { model: MODEL })).toThrow(expect.objectContaining({ status: 400, param }));
  });

  it("should answer in Google's shape, and name the provider's model inside a generateContentRequest", () => {
    expect(countTokensAnswer(42)).toStrictEqual({ totalTokens: 42 });
    const raw = Buffer.from(JSON.stringify({ contents: HI }));
    expect(geminiCountTokensBody({ contents: HI }, raw, 'gemini-2.5-pro')).toBe(raw);
    const nested = { generateContentRequest: { model: 'models/smart', contents: HI } };
    expect(JSON.parse(geminiCountTokensBody(nested, Buffer.from('{}'), 'gemini-2.5-pro').toString())).toStrictEqual({
      generateContentRequest: { model: 'models/gemini-2.5-pro', contents: HI },
    });
  });
});

describe('Gemini method paths', () => {
  it.each([
    ['/models/smart:generateContent', { model: 'smart', method: 'generateContent', stream: false }],
    ['/v1beta/models/smart:streamGenerateContent?alt=sse', { model: 'smart', method: 'streamGenerateContent', stream: true }],
    ['/models/gemini-2.5-pro:countTokens', { model: 'gemini-2.5-pro', method: 'countTokens', stream: false }],
    ['/models/a%2Fb:generateContent', { model: 'a/b', method: 'generateContent', stream: false }],
    ['/models/smart:embedContent', undefined],
    ['/models/:generateContent', undefined],
    ['/models/%E0%A4%A:generateContent', undefined],
    ['/chat/completions', undefined],
  ])('should read %s', (path, target) => {
    expect(readGeminiPath(path)).toStrictEqual(target);
  });

  it('should build the paths toGeminiRequest builds', () => {
    expect(geminiPath('gemini-2.5-pro', 'generateContent')).toBe('/models/gemini-2.5-pro:generateContent');
    expect(geminiPath('gemini-2.5-pro', 'streamGenerateContent')).toBe('/models/gemini-2.5-pro:streamGenerateContent?alt=sse');
    expect(geminiPath('tuned/x', 'countTokens')).toBe('/models/tuned%2Fx:countTokens');
  });
});
