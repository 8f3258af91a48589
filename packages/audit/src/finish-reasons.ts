// `gen_ai.response.finish_reasons`, read from a 2xx answer as it is written to the client: a byte search
// per chunk for `"finish_reason"`, never a parse of the body, never a copy of it (only the few bytes
// around a chunk boundary are joined, so a key cut in two by the network is still found).
import type { ServerResponse } from 'node:http';

const KEY = Buffer.from('"finish_reason"');
/** Longer than any `"finish_reason": "…"` pair we read, so one straddling a boundary fits in the joint. */
const CARRY = 64;
const MAX_VALUE = 32;
const MAX_REASONS = 8;

export class FinishReasons {
  #reasons: string[] | undefined;
  #tail: Buffer | undefined;

  /**
   * Reads every body chunk of a 2xx answer written to `res` from now on. It wraps `write` and `end` on this
   * one response: dispatch() writes the answer in several ways (piped, chunk by chunk, held until its end).
   */
  observe(res: ServerResponse): void {
    const see = (chunk: unknown) => {
      if (res.statusCode < 200 || res.statusCode > 299) return;
      if (Buffer.isBuffer(chunk)) this.write(chunk);
      else if (typeof chunk === 'string') this.write(Buffer.from(chunk));
      else if (chunk instanceof Uint8Array) this.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    };
    const write = res.write;
    const end = res.end;
    res.write = function observedWrite(this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
      see(chunk);
      return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
    } as ServerResponse['write'];
    res.end = function observedEnd(this: ServerResponse, chunk?: unknown, ...rest: unknown[]) {
      if (typeof chunk !== 'function') see(chunk);
      return (end as (...args: unknown[]) => ServerResponse).call(this, chunk, ...rest);
    } as ServerResponse['end'];
  }

  write(chunk: Buffer): void {
    if (this.#tail) {
      const joint = Buffer.concat([this.#tail, chunk.subarray(0, CARRY)]);
      this.#scan(joint, this.#tail.length);
    }
    this.#scan(chunk, -1);
    // The last CARRY bytes written, across chunks when they are short.
    const tail = chunk.length >= CARRY || !this.#tail ? chunk : Buffer.concat([this.#tail, chunk]);
    this.#tail = tail.length > CARRY ? tail.subarray(tail.length - CARRY) : tail;
  }

  /** The distinct reasons seen, in order; `undefined` when none was. */
  get reasons(): readonly string[] | undefined {
    return this.#reasons;
  }

  /** With `boundary` ≥ 0, only pairs that cross it count: the others were seen in one chunk alone. */
  #scan(bytes: Buffer, boundary: number): void {
    for (let at = bytes.indexOf(KEY); at !== -1; at = bytes.indexOf(KEY, at + KEY.length)) {
      if (boundary >= 0 && at >= boundary) return;
      const read = valueAt(bytes, at + KEY.length);
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
