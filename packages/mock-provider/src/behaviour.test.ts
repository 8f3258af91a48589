import { describe, expect, it } from 'vitest';
import { behaviourFromHeaders, MockHeaderError, resolveBehaviour, ScriptBook } from './behaviour.js';

describe('ScriptBook', () => {
  it('should hand out a sequence one step per call and repeat the last', () => {
    const book = new ScriptBook({ m: [{ status: 500 }, { status: 429 }, {}] });
    expect([book.take('m'), book.take('m'), book.take('m'), book.take('m')]).toEqual([{ status: 500 }, { status: 429 }, {}, {}]);
    expect(book.take('other')).toBeUndefined();
  });

  it('should restart sequences and drop runtime scripts on reset', () => {
    const book = new ScriptBook({ m: [{ status: 500 }, {}] });
    book.take('m');
    book.set('n', { hang: true });
    book.reset();
    expect(book.take('m')).toEqual({ status: 500 });
    expect(book.take('n')).toBeUndefined();
  });
});

describe('behaviourFromHeaders', () => {
  it('should return undefined without x-mock headers', () => {
    expect(behaviourFromHeaders({ authorization: 'Bearer x' })).toBeUndefined();
  });

  it('should read every x-mock header', () => {
    expect(
      behaviourFromHeaders({
        'x-mock-status': '503',
        'x-mock-retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT',
        'x-mock-latency-ms': '10',
        'x-mock-first-byte-ms': '20',
        'x-mock-chunks': '3',
        'x-mock-chunk-interval-ms': '5',
        'x-mock-drop-after-chunks': '2',
        'x-mock-fault': 'drop',
      }),
    ).toEqual({
      status: 503,
      retryAfter: 'Wed, 21 Oct 2015 07:28:00 GMT',
      latencyMs: 10,
      firstByteDelayMs: 20,
      chunks: 3,
      chunkIntervalMs: 5,
      dropAfterChunks: 2,
    });
    expect(
      behaviourFromHeaders({ 'x-mock-stream-error': '529', 'x-mock-finish-reason': 'SAFETY', 'x-mock-cached-tokens': '12' }),
    ).toEqual({ streamError: 529, finishReason: 'SAFETY', cachedTokens: 12 });
    expect(
      behaviourFromHeaders({
        'x-mock-job-queued-ms': '0',
        'x-mock-job-running-ms': '250',
        'x-mock-job-failure': 'moderation_blocked',
      }),
    ).toEqual({ jobQueuedMs: 0, jobRunningMs: 250, jobFailure: 'moderation_blocked' });
    expect(() => behaviourFromHeaders({ 'x-mock-job-running-ms': '-1' })).toThrow(MockHeaderError);
    expect(behaviourFromHeaders({ 'x-mock-fault': 'hang' })).toEqual({ hang: true });
    expect(behaviourFromHeaders({ 'x-mock-fault': 'malformed' })).toEqual({ malformed: true });
    expect(behaviourFromHeaders({ 'x-mock-fault': 'drop' })).toEqual({ dropAfterChunks: 1 });
  });

  it.each([
    ['x-mock-status', 'abc'],
    ['x-mock-status', '700'],
    ['x-mock-latency-ms', '-1'],
    ['x-mock-chunks', '0'],
    ['x-mock-fault', 'explode'],
    ['x-mock-stream-error', '200'],
    ['x-mock-cached-tokens', '-3'],
  ])('should reject %s: %s', (name, value) => {
    expect(() => behaviourFromHeaders({ [name]: value })).toThrow(MockHeaderError);
  });
});

describe('resolveBehaviour', () => {
  it('should overlay header fields on the model step and still consume the step', () => {
    const book = new ScriptBook({ m: [{ status: 500, latencyMs: 50 }, { status: 201 }] });
    expect(resolveBehaviour(book, 'm', { 'x-mock-status': '429' })).toEqual({ status: 429, latencyMs: 50 });
    expect(resolveBehaviour(book, 'm', {})).toEqual({ status: 201 });
  });
});
