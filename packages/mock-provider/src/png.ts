import { crc32, deflateSync } from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const cache = new Map<string, Buffer>();
const CACHE_LIMIT = 16;

/**
 * A valid PNG of `width` × `height` pixels in one grey (8-bit RGB, deflated rows), made once per size: even
 * 1792×1024 compresses to a few kilobytes.
 */
export function solidPng(width: number, height: number): Buffer {
  const key = `${width}x${height}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const row = 1 + width * 3; // filter byte 0, then RGB
  const pixels = Buffer.alloc(row * height, 0x80);
  for (let y = 0; y < height; y += 1) pixels[y * row] = 0;
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type RGB
  const png = Buffer.concat([
    SIGNATURE,
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(pixels)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, png);
  return png;
}

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}
