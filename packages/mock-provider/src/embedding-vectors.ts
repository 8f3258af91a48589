import { createHash } from 'node:crypto';

/**
 * A deterministic unit vector of `dimensions` floats for `text` under `model`: the same input always maps
 * to the same vector, different inputs to (almost surely) different ones. Built from SHA-256 blocks.
 */
export function embeddingVector(model: string, text: string, dimensions: number): number[] {
  const values: number[] = [];
  for (let block = 0; values.length < dimensions; block += 1) {
    const digest = createHash('sha256').update(`${model}\u0000${block}\u0000${text}`).digest();
    for (let offset = 0; offset + 4 <= digest.length && values.length < dimensions; offset += 4) {
      values.push(digest.readUInt32LE(offset) / 0x7fffffff - 1);
    }
  }
  const norm = Math.hypot(...values) || 1;
  // Rounded to float32 precision so the float and base64 encodings carry the same numbers.
  return values.map((value) => Math.fround(value / norm));
}

/** The `base64` encoding of an embedding: its floats as little-endian float32 bytes. */
export function embeddingBase64(vector: readonly number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  for (const [i, value] of vector.entries()) bytes.writeFloatLE(value, i * 4);
  return bytes.toString('base64');
}
