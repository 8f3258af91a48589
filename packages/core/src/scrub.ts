// Every byte the gateway sends back or records is scrubbed of the policy's provider credentials: a provider
// that echoes the key it was sent (some do, in a 401) must not hand it to the client or to the traces.
import type { Policy } from './policy/types.js';

/** What stands for a scrubbed credential. */
export const REDACTED = '[redacted]';
const REDACTED_BYTES = Buffer.from(REDACTED);

/** Credentials shorter than this are not scrubbed: too short to be a real key, too likely to hit ordinary text. */
const MIN_SECRET_LENGTH = 8;

export class Scrubber {
  readonly #secrets: readonly Buffer[];
  readonly #texts: readonly string[];

  private constructor(secrets: readonly string[]) {
    this.#texts = [...new Set(secrets)].filter((secret) => secret.length >= MIN_SECRET_LENGTH);
    this.#secrets = this.#texts.map((secret) => Buffer.from(secret));
  }

  /** The scrubber of `policy`'s provider credentials (those set). */
  static of(policy: Policy): Scrubber {
    const secrets: string[] = [];
    for (const provider of policy.providers.values()) {
      for (const { secret } of provider.credentials) if (secret.isSet) secrets.push(secret.reveal());
    }
    return new Scrubber(secrets);
  }

  /** Whether there is anything to scrub at all. */
  get empty(): boolean {
    return this.#secrets.length === 0;
  }

  /** `text` with every credential replaced. */
  text(text: string): string {
    let out = text;
    for (const secret of this.#texts) if (out.includes(secret)) out = out.replaceAll(secret, REDACTED);
    return out;
  }

  /** `bytes` with every credential replaced; `bytes` itself when none is in it. */
  bytes(bytes: Buffer): Buffer {
    let out = bytes;
    for (const secret of this.#secrets) out = replaceAll(out, secret);
    return out;
  }

  /** A scrubber for a body that arrives in chunks: a credential cut in two by a chunk boundary is caught too. */
  stream(): ChunkScrubber {
    return new ChunkScrubber(this.#secrets);
  }
}

/** Scrubs a body chunk by chunk, holding back only a chunk's end that could begin a credential. */
export class ChunkScrubber {
  readonly #secrets: readonly Buffer[];
  #held: Buffer | undefined;

  constructor(secrets: readonly Buffer[]) {
    this.#secrets = secrets;
  }

  /** What of `chunk` (after what was held back) goes out now. */
  push(chunk: Buffer): Buffer {
    if (this.#secrets.length === 0) return chunk;
    let bytes = this.#held ? Buffer.concat([this.#held, chunk]) : chunk;
    for (const secret of this.#secrets) bytes = replaceAll(bytes, secret);
    const keep = this.#tailStart(bytes);
    this.#held = keep < bytes.length ? bytes.subarray(keep) : undefined;
    return keep < bytes.length ? bytes.subarray(0, keep) : bytes;
  }

  /** What was held back, once the body has ended. */
  end(): Buffer {
    const held = this.#held;
    this.#held = undefined;
    return held ?? EMPTY;
  }

  /** Where the part of `bytes` that could be the start of a credential begins (`bytes.length`: none). */
  #tailStart(bytes: Buffer): number {
    let start = bytes.length;
    for (const secret of this.#secrets) {
      for (let at = Math.max(0, bytes.length - secret.length + 1); at < start; at++) {
        if (bytes[at] === secret[0] && bytes.subarray(at).equals(secret.subarray(0, bytes.length - at))) {
          start = at;
          break;
        }
      }
    }
    return start;
  }
}

const EMPTY = Buffer.alloc(0);

function replaceAll(bytes: Buffer, secret: Buffer): Buffer {
  let at = bytes.indexOf(secret);
  if (at === -1) return bytes;
  const parts: Buffer[] = [];
  let from = 0;
  while (at !== -1) {
    parts.push(bytes.subarray(from, at), REDACTED_BYTES);
    from = at + secret.length;
    at = bytes.indexOf(secret, from);
  }
  parts.push(bytes.subarray(from));
  return Buffer.concat(parts);
}
