// Finish reasons read from an answer's bytes: a byte search for the key, never a parse of the answer.
import type { ProviderFormat } from '@switchyard/core';

/** Longer than any `"finish_reason": "…"` pair we read, so one straddling a chunk boundary fits in the joint. */
const CARRY = 64;
const MAX_VALUE = 32;
const MAX_REASONS = 8;

const KEYS: Readonly<Record<ProviderFormat, Buffer>> = {
  openai: Buffer.from('"finish_reason"'),
  anthropic: Buffer.from('"stop_reason"'),
  gemini: Buffer.from('"finishReason"'),
};

/** The distinct finish reasons of one answer, in the vocabulary of the client's wire format. */
export class FinishReasons {
  readonly #key: Buffer;
  #reasons: string[] | undefined;
  #tail: Buffer | undefined;

  constructor(format: ProviderFormat) {
    this.#key = KEYS[format];
  }

  /** The distinct reasons seen, in order; `undefined` when none was. */
  get reasons(): readonly string[] | undefined {
    return this.#reasons;
  }

  /** Whether `bytes` may hold a reason: worth scanning line by line. */
  mayHold(bytes: Buffer): boolean {
    return bytes.indexOf(this.#key) !== -1;
  }

  /** Reads every reason in `bytes`, which are whole (complete lines of a stream). */
  scan(bytes: Buffer): void {
    this.#scan(bytes, -1);
  }

  /**
   * Reads the next chunk of a body written in pieces: reasons cut in two by a chunk boundary are found in
   * the few bytes joined around it (never a copy of the body).
   */
  write(chunk: Buffer): void {
    if (this.#tail) this.#scan(Buffer.concat([this.#tail, chunk.subarray(0, CARRY)]), this.#tail.length);
    this.#scan(chunk, -1);
    const tail = chunk.length >= CARRY || !this.#tail ? chunk : Buffer.concat([this.#tail, chunk]);
    this.#tail = tail.length > CARRY ? tail.subarray(tail.length - CARRY) : tail;
  }

  /** With `boundary` ≥ 0, only pairs that cross it count: the others were seen in one chunk alone. */
  #scan(bytes: Buffer, boundary: number): void {
    const key = this.#key;
    for (let at = bytes.indexOf(key); at !== -1; at = bytes.indexOf(key, at + key.length)) {
      if (boundary >= 0 && at >= boundary) return;
      const read = valueAt(bytes, at + key.length);
      if (!read || (boundary >= 0 && read.end <= boundary)) continue;
      if (read.value !== undefined) this.#add(read.value);
    }
  }

  #add(reason: string): void {
    const reasons = (this.#reasons ??= []);
    if (reasons.length < MAX_REASONS && !reasons.includes(reason)) reasons.push(reason);
  }
}

/** The string after `:` at `from` (`undefined` for `null`), and where it ends; nothing if cut short. */
function valueAt(bytes: Buffer, from: number): { value: string | undefined; end: number } | undefined {
  let i = skipSpaces(bytes, from);
  if (bytes[i] !== 0x3a /* : */) return undefined;
  i = skipSpaces(bytes, i + 1);
  if (bytes[i] === 0x6e /* n */) return i + 4 <= bytes.length ? { value: undefined, end: i + 4 } : undefined;
  if (bytes[i] !== 0x22 /* " */) return undefined;
  const close = bytes.indexOf(0x22, i + 1);
  if (close === -1 || close - i - 1 > MAX_VALUE) return undefined;
  return { value: bytes.toString('latin1', i + 1, close), end: close + 1 };
}

function skipSpaces(bytes: Buffer, from: number): number {
  let i = from;
  while (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09) i++;
  return i;
}
