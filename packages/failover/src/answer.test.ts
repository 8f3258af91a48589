import { describe, expect, it } from 'vitest';
import { isRefusal, judgeAnswer, type UpstreamAnswer } from './answer.js';
import { saysUnsupportedInput } from './input-errors.js';

const answered = (status: number, more: Partial<Extract<UpstreamAnswer, { kind: 'answered' }>> = {}): UpstreamAnswer => ({
  kind: 'answered',
  status,
  headers: {},
  format: 'openai',
  ...more,
});

const error = (message: string, extra: Record<string, string> = {}) =>
  Buffer.from(JSON.stringify({ error: { message, ...extra } }));

describe('judgeAnswer', () => {
  it('should call a 2xx answer whose finish reasons say the model refused a refusal, in each format', () => {
    for (const reason of ['content_filter', 'refusal', 'SAFETY', 'PROHIBITED_CONTENT']) {
      expect(judgeAnswer(answered(200, { finishReasons: ['stop', reason] }), undefined)).toEqual({
        kind: 'answered',
        status: 200,
        headers: {},
        refusal: true,
      });
    }
  });

  it('should not call an answer a refusal for other reasons, for none, or on an error status', () => {
    expect(judgeAnswer(answered(200, { finishReasons: ['stop', 'length', 'tool_calls'] }), undefined)).toEqual({
      kind: 'answered',
      status: 200,
      headers: {},
    });
    expect(judgeAnswer(answered(200), undefined)).not.toHaveProperty('refusal');
    expect(judgeAnswer(answered(500, { finishReasons: ['content_filter'] }), undefined)).not.toHaveProperty('refusal');
  });

  it('should call a 4xx whose error says the input type is unsupported, and every 415, unsupported_input', () => {
    const image = error('Image input is not supported for this model.', { type: 'invalid_request_error' });
    expect(judgeAnswer(answered(400, { body: image }), undefined)).toEqual({
      kind: 'answered',
      status: 400,
      headers: {},
      unsupportedInput: true,
    });
    expect(judgeAnswer(answered(415), undefined)).toMatchObject({ unsupportedInput: true });
    expect(judgeAnswer(answered(400, { body: error('max_tokens is too large') }), undefined)).not.toHaveProperty(
      'unsupportedInput',
    );
    expect(judgeAnswer(answered(500, { body: image }), undefined)).not.toHaveProperty('unsupportedInput');
  });

  it("should still read Anthropic's 529 as a 503", () => {
    expect(judgeAnswer(answered(529, { format: 'anthropic' }), undefined)).toMatchObject({ status: 503 });
  });
});

describe('isRefusal', () => {
  it('should know the refusal reasons of every format and nothing else', () => {
    expect(isRefusal(undefined)).toBe(false);
    expect(isRefusal([])).toBe(false);
    expect(isRefusal(['end_turn', 'STOP', 'stop'])).toBe(false);
    expect(isRefusal(['IMAGE_SAFETY'])).toBe(true);
  });
});

describe('saysUnsupportedInput', () => {
  it.each([
    ['OpenAI', error('Invalid image.', { code: 'invalid_image_format' })],
    ['OpenAI vision', error('image_url is only supported by certain models. This model does not support image input.')],
    [
      'Anthropic',
      Buffer.from('{"type":"error","error":{"type":"invalid_request_error","message":"This model does not support PDF input."}}'),
    ],
    [
      'Gemini',
      Buffer.from('{"error":{"code":400,"message":"Unsupported MIME type: application/x-foo","status":"INVALID_ARGUMENT"}}'),
    ],
    ['a media type', error('media type image/tiff is not supported')],
  ])('should recognise %s wording', (_name, body) => {
    expect(saysUnsupportedInput(body)).toBe(true);
  });

  it.each([
    ['a token limit', error('This model maximum context length is 8192 tokens.')],
    ['a bad parameter', error("Unrecognized request argument supplied: 'foo'")],
    ['a file not found', error('No such file: file-abc')],
    ['not JSON', Buffer.from('<html>Bad Request</html>')],
    ['empty', Buffer.alloc(0)],
    ['JSON without an error', Buffer.from('["image not supported"]')],
  ])('should not mistake %s for it', (_name, body) => {
    expect(saysUnsupportedInput(body)).toBe(false);
  });

  it('should not read a body too long to be an error message', () => {
    const long = error(`Image input is not supported. ${'x'.repeat(70_000)}`);
    expect(saysUnsupportedInput(long)).toBe(false);
  });
});
