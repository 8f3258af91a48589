// Helpers shared by the tests of this package; excluded from the build by tsconfig.
import { request } from 'node:http';
import { crc32, inflateSync } from 'node:zlib';
import type { MockProvider } from '../src/types.js';

/** The JSON body of a response, loosely typed so tests can reach into it; assertions check the shape. */
export async function jsonOf(response: Response | Promise<Response>): Promise<any> {
  return (await response).json();
}

/** A minimal valid chat completion request body. */
export function chatBody(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello.' }], ...extra };
}

/** POSTs a JSON body to `/chat/completions` of the mock. */
export function postChat(
  mock: MockProvider,
  body: unknown,
  init: { headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<Response> {
  return fetch(`${mock.url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...init.headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: init.signal,
  });
}

/** The `data:` payloads of an SSE body, in order. */
export function sseData(text: string): string[] {
  return text
    .split('\n\n')
    .filter((event) => event.length > 0)
    .map((event) => {
      if (!event.startsWith('data: ')) throw new Error(`not an SSE data event: ${event}`);
      return event.slice('data: '.length);
    });
}

/** Reads a streamed body until it ends or breaks; returns what arrived and whether it broke. */
export async function readUntilEnd(response: Response): Promise<{ text: string; broke: boolean }> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { text, broke: false };
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    return { text, broke: true };
  }
}

/** POSTs a JSON body (or raw string) to `path` under the mock's `/v1` URL. */
export function postJson(
  mock: MockProvider,
  path: string,
  body: unknown,
  init: { headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<Response> {
  return fetch(`${mock.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...init.headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: init.signal,
  });
}

/** One `event:`/`data:` pair of a named-event stream, its data parsed. */
export interface SseEvent {
  readonly event: string;
  readonly data: any;
}

/** The events of a named-event SSE body (`event: x\ndata: {…}\n\n`), in order; throws on anything else. */
export function sseEvents(text: string): SseEvent[] {
  return text
    .split('\n\n')
    .filter((block) => block.length > 0)
    .map((block) => {
      const match = /^event: ([a-z_.]+)\ndata: (.*)$/s.exec(block);
      if (!match) throw new Error(`not a named SSE event: ${JSON.stringify(block)}`);
      return { event: match[1]!, data: JSON.parse(match[2]!) };
    });
}

/** A file streamed into a multipart body: `head` bytes, then filler up to `size` bytes, made as it is sent. */
export interface StreamedFile {
  readonly field: string;
  readonly filename: string;
  readonly contentType: string;
  readonly head: Buffer;
  readonly size: number;
}

/**
 * POSTs a multipart/form-data body over node:http, writing the file in 64 KiB pieces made on the fly, so
 * neither side needs the whole file in memory. Resolves the status and the answer text.
 */
export function postMultipartStream(
  url: string,
  fields: Readonly<Record<string, string>>,
  file: StreamedFile,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  const boundary = `mockboundary${Date.now()}`;
  let preamble = '';
  for (const [name, value] of Object.entries(fields)) {
    preamble += `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  }
  preamble +=
    `--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.filename}"\r\n` +
    `Content-Type: ${file.contentType}\r\n\r\n`;
  const closing = `\r\n--${boundary}--\r\n`;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.write(preamble);
    req.write(file.head);
    const piece = Buffer.alloc(64 * 1024, 0x41);
    let left = file.size - file.head.length;
    const pump = (): void => {
      while (left > 0) {
        const part = piece.subarray(0, Math.min(piece.length, left));
        left -= part.length;
        if (!req.write(part)) {
          req.once('drain', pump);
          return;
        }
      }
      req.end(closing);
    };
    pump();
  });
}

/** Checks that `png` is a well-formed PNG (chunk CRCs, inflatable pixels) and returns its size. */
export function pngSize(png: Buffer): { width: number; height: number } {
  if (png.subarray(0, 8).toString('hex') !== '89504e470d0a1a0a') throw new Error('not a PNG signature');
  let offset = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const data = png.subarray(offset + 8, offset + 8 + length);
    if (crc32(png.subarray(offset + 4, offset + 8 + length)) !== png.readUInt32BE(offset + 8 + length))
      throw new Error(`bad CRC in ${type}`);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
    }
    if (type === 'IDAT') idat.push(data);
    offset += 12 + length;
  }
  if (inflateSync(Buffer.concat(idat)).length !== (1 + width * 3) * height) throw new Error('pixel data of the wrong size');
  return { width, height };
}
