// Checks of inline image data that both Anthropic and Gemini make before a model sees it.

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const BASE64_URL = /^[A-Za-z0-9_-]*={0,2}$/;

/** Whether `data` is standard base64 (or, with `urlSafe`, also the URL-safe alphabet); a data URL is not. */
export function isBase64(data: string, urlSafe = false): boolean {
  if (data.length % 4 !== 0 && !urlSafe) return false;
  return BASE64.test(data) || (urlSafe && BASE64_URL.test(data));
}

/** The image type the leading bytes of base64 `data` show (`image/png`, …), or `undefined` when unknown. */
export function sniffImageType(data: string): string | undefined {
  const head = Buffer.from(data.slice(0, 16), 'base64');
  if (head.length >= 4 && head[0] === 0x89 && head[1] === 0x50 && head[2] === 0x4e && head[3] === 0x47) {
    return 'image/png';
  }
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  if (head.length >= 4 && head.toString('latin1', 0, 4) === 'GIF8') return 'image/gif';
  if (head.length >= 12 && head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP') {
    return 'image/webp';
  }
  return undefined;
}
