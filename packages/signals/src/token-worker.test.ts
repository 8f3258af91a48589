import { beforeAll, describe, expect, it } from 'vitest';
import { type Measure, promptSize } from './prompt.js';
import { countPromptTokens, OFF_LOOP_BYTES, tokenCounter } from './tokenizer.js';

let countTokens: Measure;
beforeAll(async () => {
  countTokens = await tokenCounter();
});

/** A chat body whose user message is about `bytes` of varied English-like text. */
function chat(bytes: number) {
  const words = ['oak', 'shelf', 'lacquer', 'ninety', 'centimetres', 'sagging', 'books', 'café', '書架', 'über'];
  let text = '';
  for (let i = 0; text.length < bytes; i++) text += `${words[(i * 7) % words.length]}${i % 13 === 0 ? '.\n' : ' '}`;
  return {
    model: 'm',
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: text, name: 'ann' },
    ],
  };
}

describe('countPromptTokens()', () => {
  it('should count a prompt past the off-loop size in the worker exactly as on the loop', async () => {
    const body = chat(OFF_LOOP_BYTES * 8);
    expect(await countPromptTokens(body)).toBe(promptSize(body, countTokens));
  });

  it('should count a small prompt as promptSize does', async () => {
    const body = chat(200);
    expect(await countPromptTokens(body)).toBe(promptSize(body, countTokens));
  });

  it('should leave the event loop free while a large prompt is counted', async () => {
    const body = chat(1024 * 1024);
    let loopTurned = false;
    setImmediate(() => {
      loopTurned = true;
    });
    // Counted on the loop, the count would be done (synchronously, in a microtask) before the loop turns.
    const turnedBeforeCount = await countPromptTokens(body).then(() => loopTurned);
    expect(turnedBeforeCount).toBe(true);
  });

  it('should count concurrent large prompts, each its own', async () => {
    const bodies = [chat(OFF_LOOP_BYTES * 2), chat(OFF_LOOP_BYTES * 3), chat(OFF_LOOP_BYTES * 4)];
    const counts = await Promise.all(bodies.map((b) => countPromptTokens(b)));
    expect(counts).toEqual(bodies.map((b) => promptSize(b, countTokens)));
  });
});
