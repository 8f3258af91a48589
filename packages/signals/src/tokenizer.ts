// The o200k_base tokenizer, loaded on first use only: its table is large, and most requests never need it.
import { type Measure, promptSize } from './prompt.js';

// Special-token text in a prompt (e.g. "<|endoftext|>") is counted as ordinary text, as the provider
// treats user content; by default gpt-tokenizer would throw on it.
const AS_PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

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
 * any wire format's body. What the gateway answers token-counting requests with when it counts itself.
 */
export async function countPromptTokens(body: Readonly<Record<string, unknown>>): Promise<number> {
  return promptSize(body, await tokenCounter());
}
