// The o200k_base tokenizer, loaded on first use only: its table is large, and most requests never need it.
// A prompt past OFF_LOOP_BYTES is counted in a worker thread (token-worker.ts): 400 KB of text takes
// 20-40 ms to tokenize, time in which the event loop would serve no one else.
import { type Measure, promptSize, utf8Bytes } from './prompt.js';
import { countOffLoop } from './token-worker.js';

// Special-token text in a prompt (e.g. "<|endoftext|>") is counted as ordinary text, as the provider
// treats user content; by default gpt-tokenizer would throw on it.
const AS_PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

/** Prompts whose text is larger than this (UTF-8 bytes) are tokenized off the event loop: about 2 ms of work. */
export const OFF_LOOP_BYTES = 32 * 1024;

let loading: Promise<Measure> | undefined;

/** The token-counting measure, loading the tokenizer on the first call. Retries the load after a failure. */
export function tokenCounter(): Promise<Measure> {
  loading ??= import('gpt-tokenizer/encoding/o200k_base').then(
    ({ countTokens }): Measure =>
      (text) =>
        text.length === 0 ? 0 : countTokens(text, AS_PLAIN_TEXT),
    (err: unknown) => {
      loading = undefined;
      throw err;
    },
  );
  return loading;
}

/**
 * The prompt's tokens by the o200k tokenizer, the way `input_tokens` counts them (see `promptSize`): for
 * any wire format's body. Small prompts are counted here, large ones in the token worker.
 */
export async function countPromptTokens(body: Readonly<Record<string, unknown>>): Promise<number> {
  const texts: string[] = [];
  let bytes = 0;
  // The walk with a measure of 0 per piece leaves the overheads alone, and collects the pieces.
  const overheads = promptSize(body, (text) => {
    texts.push(text);
    bytes += utf8Bytes(text);
    return 0;
  });
  if (bytes <= OFF_LOOP_BYTES) {
    const measure = await tokenCounter();
    let tokens = overheads;
    for (const text of texts) tokens += measure(text);
    return tokens;
  }
  return overheads + (await countOffLoop(texts));
}
