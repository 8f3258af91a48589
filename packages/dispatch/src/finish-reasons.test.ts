import { describe, expect, it } from 'vitest';
import { FinishReasons } from './finish-reasons.js';

function read(...chunks: string[]): readonly string[] | undefined {
  const reasons = new FinishReasons('openai');
  for (const chunk of chunks) reasons.write(Buffer.from(chunk));
  return reasons.reasons;
}

const STREAM = [
  'data: {"choices":[{"index":0,"delta":{"role":"assistant"},"finish_reason":null}]}\n\n',
  'data: {"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}\n\n',
  'data: {"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}\n\n',
  'data: [DONE]\n\n',
].join('');

describe('FinishReasons', () => {
  it('should read the reason of a JSON answer and skip the nulls of a stream', () => {
    expect(read('{"choices":[{"index":0,"message":{"content":"x"},"finish_reason":"stop"}],"usage":{}}')).toEqual(['stop']);
    expect(read(STREAM)).toEqual(['tool_calls']);
    expect(read('{"choices":[{"finish_reason" : \n "length"}]}')).toEqual(['length']);
  });

  it('should find a reason wherever a chunk boundary cuts it, exactly once', () => {
    for (let cut = 1; cut < STREAM.length; cut++) {
      expect(read(STREAM.slice(0, cut), STREAM.slice(cut)), `cut at ${cut}`).toEqual(['tool_calls']);
    }
    const oneByteAtATime = new FinishReasons('openai');
    for (const byte of Buffer.from(STREAM)) oneByteAtATime.write(Buffer.from([byte]));
    expect(oneByteAtATime.reasons).toEqual(['tool_calls']);
  });

  it('should list distinct reasons of several choices in order', () => {
    const body = '{"choices":[{"finish_reason":"stop"},{"finish_reason":"length"},{"finish_reason":"stop"}]}';
    expect(read(body)).toEqual(['stop', 'length']);
  });

  it('should not take text the model wrote for a reason, nor read past a cut-short value', () => {
    expect(read('{"choices":[{"message":{"content":"say \\"finish_reason\\":\\"hacked\\""},"finish_reason":"stop"}]}')).toEqual([
      'stop',
    ]);
    expect(read('{"finish_reason":"stop')).toBeUndefined();
    expect(read('{"finish_reason":12}')).toBeUndefined();
    expect(read(`{"finish_reason":"${'x'.repeat(40)}"}`)).toBeUndefined();
    expect(read('{"choices":[]}')).toBeUndefined();
  });
});
