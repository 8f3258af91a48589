import { createHash, type Hash } from 'node:crypto';
import type { PromptSegment } from './anthropic-prompt.js';

// Enough for any test or demo; past it the cache starts over rather than grow without bound.
const MAX_ENTRIES = 10_000;

/** Cache tokens of one request: read from earlier writes, and written now. */
export interface CacheUse {
  readonly read: number;
  readonly write: number;
}

const NO_USE: CacheUse = Object.freeze({ read: 0, write: 0 });

/**
 * Emulates Anthropic prompt caching: the prefix up to each `cache_control` breakpoint is written the first
 * time it is seen and read on later calls (the longest prefix seen wins). Unlike upstream, prefixes of any
 * length are cached and entries never expire, so tests stay small and deterministic.
 */
export class PromptCache {
  readonly #seen = new Set<string>();

  /** Accounts the breakpoints of `segments` and remembers their prefixes. */
  use(segments: readonly PromptSegment[]): CacheUse {
    if (!segments.some((segment) => segment.marked)) return NO_USE;
    const hash: Hash = createHash('sha256');
    const breakpoints: Array<{ key: string; tokens: number }> = [];
    let chars = 0;
    for (const segment of segments) {
      hash.update(JSON.stringify(segment.value) ?? '').update('\u0000');
      chars += segment.chars;
      if (segment.marked) breakpoints.push({ key: hash.copy().digest('base64'), tokens: Math.ceil(chars / 4) });
    }
    let read = 0;
    for (const { key, tokens } of breakpoints) if (this.#seen.has(key)) read = tokens;
    const last = breakpoints.at(-1)!;
    const write = this.#seen.has(last.key) ? 0 : last.tokens - read;
    if (this.#seen.size + breakpoints.length > MAX_ENTRIES) this.#seen.clear();
    for (const { key } of breakpoints) this.#seen.add(key);
    return { read, write };
  }

  /** Forgets every cached prefix. */
  clear(): void {
    this.#seen.clear();
  }
}
