// Whatever timing and usage a record holds (they come from upstream answers and from fields core is only
// gaining), the metrics get finite, non-negative values, and the first-token metrics only when they mean something.
import type { Attributes, Counter, Histogram } from '@opentelemetry/api';
import { createRecord, type AnswerShape, type Usage } from '@switchyard/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Instruments } from './instruments.js';
import { recordMetrics } from './metrics.js';
import type { RequestFacts } from './record-attributes.js';

type Recorded = { readonly instrument: keyof Instruments; readonly value: number; readonly attributes: Attributes | undefined };

function fakeInstruments(log: Recorded[]): Instruments {
  const histogram = (instrument: keyof Instruments) =>
    ({ record: (value: number, attributes?: Attributes) => log.push({ instrument, value, attributes }) }) as Histogram;
  const counter = (instrument: keyof Instruments) =>
    ({ add: (value: number, attributes?: Attributes) => log.push({ instrument, value, attributes }) }) as Counter;
  return {
    clientDuration: histogram('clientDuration'),
    tokens: histogram('tokens'),
    serverDuration: histogram('serverDuration'),
    firstToken: histogram('firstToken'),
    perOutputToken: histogram('perOutputToken'),
    firstChunk: histogram('firstChunk'),
    perOutputChunk: histogram('perOutputChunk'),
    cost: counter('cost'),
    attempts: counter('attempts'),
    retries: counter('retries'),
    fallbacks: counter('fallbacks'),
    skips: counter('skips'),
    cooldowns: counter('cooldowns'),
    refusals: counter('refusals'),
    rateLimited: counter('rateLimited'),
  };
}

const START = 1_767_225_600_000;
/** A time field as it may arrive: absent, nonsense, or somewhere around the call. */
const instantLike = fc.oneof(
  fc.constant(undefined),
  fc.constant(Number.NaN),
  fc.constant(Number.POSITIVE_INFINITY),
  fc.double(),
  fc.integer({ min: -10_000, max: 10_000_000 }).map((offset) => START + offset),
);

const valid = (t: number | undefined): t is number => t !== undefined && Number.isFinite(t) && t > 0;

describe('recordMetrics() on any timing', () => {
  it('should record finite, non-negative values, and first-token metrics only for a successful, timed answer', () => {
    fc.assert(
      fc.property(
        instantLike,
        instantLike,
        fc.oneof(fc.integer({ min: -3, max: 100_000 }), fc.double()),
        fc.integer({ min: -1000, max: 1_000_000 }),
        fc.boolean(),
        (firstTokenAt, endedAt, outputTokens, closedOffset, failed) => {
          const record = createRecord(START);
          record.endpoint = 'chat';
          const usage: Usage = { inputTokens: 10, outputTokens };
          record.usage = usage;
          const answer: AnswerShape = { kind: 'stream', complete: !failed, events: 2, firstTokenAt, endedAt };
          record.answer = answer;
          const facts: RequestFacts = {
            record,
            signalNames: [],
            outcome: {
              endedAt: START + closedOffset,
              status: 200,
              attempts: [],
              served: undefined,
              errorType: failed ? 'stream_cut' : undefined,
              errorMessage: undefined,
            },
            providers: new Map(),
            maxTokens: undefined,
            finishReasons: undefined,
            workflow: undefined,
          };
          const log: Recorded[] = [];
          recordMetrics(fakeInstruments(log), facts);

          for (const { value } of log) expect(Number.isFinite(value) && value >= 0).toBe(true);
          const of = (instrument: keyof Instruments) => log.filter((r) => r.instrument === instrument);
          expect(of('serverDuration')).toHaveLength(1);
          const timed = !failed && valid(firstTokenAt) && firstTokenAt >= START;
          expect(of('firstToken')).toHaveLength(timed ? 1 : 0);
          const perToken =
            timed && valid(endedAt) && endedAt >= firstTokenAt && Number.isInteger(outputTokens) && outputTokens > 1;
          expect(of('perOutputToken')).toHaveLength(perToken ? 1 : 0);
        },
      ),
      { numRuns: 500 },
    );
  });
});
