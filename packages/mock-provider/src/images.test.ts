import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMockProvider } from './index.js';
import { solidPng } from './png.js';
import { jsonOf, pngSize, postJson, postMultipartStream, sseEvents } from '../test/utils.js';
import type { MockProvider } from './types.js';

const KEY = 'sk-img';
const auth = { authorization: `Bearer ${KEY}` };

function form(entries: Record<string, string | Blob | [Blob, string]>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(entries)) {
    if (Array.isArray(value)) data.append(name, value[0], value[1]);
    else data.append(name, value);
  }
  return data;
}

function pngBlob(width = 4, height = 4): Blob {
  return new Blob([solidPng(width, height)], { type: 'image/png' });
}

describe('POST /v1/images/generations', () => {
  let mock: MockProvider;
  beforeAll(async () => {
    mock = await startMockProvider({ apiKeys: [KEY] });
  });
  afterAll(() => mock.close());
  beforeEach(() => mock.reset());

  it('should answer dall-e-2 with URLs this mock serves, as valid PNGs of the size asked', async () => {
    const body = await jsonOf(
      postJson(mock, '/images/generations', { prompt: 'a cat', n: 2, size: '256x256' }, { headers: auth }),
    );
    expect(body.data).toHaveLength(2);
    expect(body.usage).toBeUndefined();
    const url: string = body.data[0].url;
    expect(url.startsWith(`${mock.url}/mock-media/media_`)).toBe(true);
    const image = await fetch(url);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(pngSize(Buffer.from(await image.arrayBuffer()))).toEqual({ width: 256, height: 256 });
    mock.reset();
    expect((await fetch(url)).status).toBe(404);
  });

  it('should answer gpt-image-1 in b64_json with usage, size and quality', async () => {
    const body = await jsonOf(
      postJson(
        mock,
        '/images/generations',
        { model: 'gpt-image-1', prompt: 'a red fox', size: '1536x1024', quality: 'high' },
        { headers: auth },
      ),
    );
    expect(body).toMatchObject({ size: '1536x1024', quality: 'high', output_format: 'png', background: 'opaque' });
    expect(body.usage).toEqual({
      total_tokens: 6243,
      input_tokens: 3,
      output_tokens: 6240,
      input_tokens_details: { text_tokens: 3, image_tokens: 0 },
    });
    expect(pngSize(Buffer.from(body.data[0].b64_json, 'base64'))).toEqual({ width: 1536, height: 1024 });
    expect(mock.calls[0]).toMatchObject({ model: 'gpt-image-1', path: '/v1/images/generations' });
  });

  it('should add revised_prompt for dall-e-3 and honour b64_json', async () => {
    const body = await jsonOf(
      postJson(mock, '/images/generations', { model: 'dall-e-3', prompt: 'p', response_format: 'b64_json' }, { headers: auth }),
    );
    expect(Object.keys(body.data[0]).sort()).toEqual(['b64_json', 'revised_prompt']);
  });

  it.each([
    [{ prompt: 'p', model: 'gpt-image-1', response_format: 'url' }, 'response_format', 'unknown_parameter'],
    [{ prompt: 'p', model: 'dall-e-3', n: 2 }, 'n', 'integer_above_max_value'],
    [{ prompt: 'p', size: '1536x1024' }, 'size', 'invalid_value'],
    [{ prompt: 'p', model: 'gpt-image-1', quality: 'hd' }, 'quality', 'invalid_value'],
    [{ model: 'dall-e-2' }, 'prompt', 'missing_required_parameter'],
    [{ prompt: 'p', messages: [] }, 'messages', 'unknown_parameter'],
  ])('should refuse %j (param %s)', async (body, param, code) => {
    const res = await postJson(mock, '/images/generations', body, { headers: auth });
    expect(res.status).toBe(400);
    expect((await jsonOf(res)).error).toMatchObject({ param, code });
  });

  it('should stream partial images then the completed one for a token-billed model', async () => {
    const res = await postJson(
      mock,
      '/images/generations',
      { model: 'gpt-image-1', prompt: 'p', stream: true, partial_images: 2 },
      { headers: auth },
    );
    const events = sseEvents(await res.text());
    expect(events.map((event) => event.event)).toEqual([
      'image_generation.partial_image',
      'image_generation.partial_image',
      'image_generation.completed',
    ]);
    expect(events[1]?.data.partial_image_index).toBe(1);
    expect(events[2]?.data.usage.output_tokens).toBe(1056);
  });

  it('should work with the openai client', async () => {
    const client = new OpenAI({ baseURL: mock.url, apiKey: KEY, maxRetries: 0 });
    const result = await client.images.generate({ model: 'gpt-image-1', prompt: 'p', quality: 'low' });
    expect(result.usage?.output_tokens).toBe(272);
  });
});

describe('POST /v1/images/edits and /variations (multipart)', () => {
  let mock: MockProvider;
  beforeAll(async () => {
    mock = await startMockProvider({ apiKeys: [KEY], uploadLimitBytes: 30 * 1024 * 1024 });
  });
  afterAll(() => mock.close());
  beforeEach(() => mock.reset());

  const post = (path: string, data: FormData, headers: Record<string, string> = auth): Promise<Response> =>
    fetch(`${mock.url}${path}`, { method: 'POST', headers, body: data });

  it('should edit with the SDK and record fields, file names, sizes and model', async () => {
    const client = new OpenAI({ baseURL: mock.url, apiKey: KEY, maxRetries: 0 });
    const image = await toFile(solidPng(8, 8), 'cat.png', { type: 'image/png' });
    const mask = await toFile(solidPng(8, 8), 'mask.png', { type: 'image/png' });
    const result = await client.images.edit({ model: 'gpt-image-1', image, mask, prompt: 'add a hat' });
    expect(result.usage?.input_tokens_details?.image_tokens).toBe(194);
    const [call] = mock.calls;
    expect(call).toMatchObject({ model: 'gpt-image-1', path: '/v1/images/edits', status: 200 });
    expect(call?.body).toMatchObject({ model: 'gpt-image-1', prompt: 'add a hat' });
    expect(call?.upload?.files.map((file) => [file.field, file.filename, file.bytes])).toEqual([
      ['image', 'cat.png', solidPng(8, 8).length],
      ['mask', 'mask.png', solidPng(8, 8).length],
    ]);
    expect(call?.upload?.fileBytes).toBe(2 * solidPng(8, 8).length);
  });

  it('should take several images as image[]', async () => {
    const data = form({ model: 'gpt-image-1', prompt: 'merge' });
    data.append('image[]', pngBlob(), 'a.png');
    data.append('image[]', pngBlob(), 'b.png');
    const body = await jsonOf(post('/images/edits', data));
    expect(body.usage.input_tokens_details.image_tokens).toBe(2 * 194);
  });

  it('should refuse an image that is not JPEG, PNG or WebP, by its bytes', async () => {
    const res = await post('/images/edits', form({ model: 'gpt-image-1', prompt: 'p', image: [new Blob(['hello']), 'x.png'] }));
    expect(res.status).toBe(400);
    expect((await jsonOf(res)).error).toMatchObject({ param: 'image', code: 'unsupported_file_mimetype' });
  });

  it.each([
    ['no image', { prompt: 'p' }, "Missing required parameter: 'image'."],
    ['no prompt', { image: [pngBlob(), 'a.png'] }, "Missing required parameter: 'prompt'."],
    ['an unknown field', { prompt: 'p', image: [pngBlob(), 'a.png'], messages: 'x' }, "Unknown parameter: 'messages'."],
  ] as const)('should refuse an edit with %s', async (_name, entries, message) => {
    const res = await post('/images/edits', form(entries as Record<string, string | [Blob, string]>));
    expect(res.status).toBe(400);
    expect((await jsonOf(res)).error.message).toBe(message);
  });

  it('should refuse a JSON body on a multipart endpoint', async () => {
    const res = await postJson(mock, '/images/edits', { prompt: 'p' }, { headers: auth });
    expect(res.status).toBe(400);
    expect((await jsonOf(res)).error.message).toMatch(
      /^Invalid Content-Type header \(application\/json\), expected multipart\/form-data/,
    );
  });

  it('should answer 401 on a multipart endpoint without reading the upload', async () => {
    const res = await post('/images/edits', form({ prompt: 'p', image: [pngBlob(), 'a.png'] }), {});
    expect(res.status).toBe(401);
    expect(mock.calls[0]?.upload).toBeUndefined();
  });

  it('should make variations of a PNG with dall-e-2 only', async () => {
    const client = new OpenAI({ baseURL: mock.url, apiKey: KEY, maxRetries: 0 });
    const result = await client.images.createVariation({ image: await toFile(solidPng(4, 4), 'a.png'), n: 3, size: '512x512' });
    expect(result.data).toHaveLength(3);
    const wrong = await post('/images/variations', form({ model: 'gpt-image-1', image: [pngBlob(), 'a.png'] }));
    expect((await jsonOf(wrong)).error).toMatchObject({ param: 'model', code: 'invalid_value' });
  });

  it('should stream a 25 MiB upload through and count its bytes', async () => {
    const size = 25 * 1024 * 1024;
    const head = solidPng(2, 2).subarray(0, 16);
    const file = { field: 'image', filename: 'big.png', contentType: 'image/png', head, size };
    const res = await postMultipartStream(`${mock.url}/images/edits`, { model: 'gpt-image-1', prompt: 'p' }, file, auth);
    expect(res.status).toBe(200);
    expect(mock.calls[0]?.upload?.files[0]).toEqual({
      field: 'image',
      filename: 'big.png',
      contentType: 'image/png',
      bytes: size,
    });
  });

  it('should answer 413 for a file over the upload limit', async () => {
    const file = {
      field: 'image',
      filename: 'huge.png',
      contentType: 'image/png',
      head: solidPng(2, 2).subarray(0, 16),
      size: 31 * 1024 * 1024,
    };
    const res = await postMultipartStream(`${mock.url}/images/edits`, { prompt: 'p' }, file, auth);
    expect(res.status).toBe(413);
    expect(JSON.parse(res.text).error.message).toContain('Maximum content size limit (31457280) exceeded');
  });

  it('should play scripted faults after reading the upload', async () => {
    mock.script('gpt-image-1', { status: 500 });
    const res = await post('/images/edits', form({ model: 'gpt-image-1', prompt: 'p', image: [pngBlob(), 'a.png'] }));
    expect(res.status).toBe(500);
    expect(mock.calls[0]?.upload?.files).toHaveLength(1);
  });
});
