// The instruments audit() records into: names, units and bucket boundaries per the GenAI conventions
// (open-telemetry/semantic-conventions-genai, docs/gen-ai/gen-ai-metrics.md), plus Switchyard's counters.
import { createNoopMeter, metrics, type Counter, type Histogram, type MeterProvider } from '@opentelemetry/api';
import {
  METRIC_ATTEMPTS,
  METRIC_COOLDOWNS,
  METRIC_COST,
  METRIC_FALLBACKS,
  METRIC_GEN_AI_CLIENT_OPERATION_DURATION,
  METRIC_GEN_AI_CLIENT_TOKEN_USAGE,
  METRIC_GEN_AI_SERVER_REQUEST_DURATION,
  METRIC_GEN_AI_SERVER_TIME_PER_OUTPUT_TOKEN,
  METRIC_GEN_AI_SERVER_TIME_TO_FIRST_TOKEN,
  METRIC_RATE_LIMIT_REFUSALS,
  METRIC_GEN_AI_CLIENT_TIME_PER_OUTPUT_CHUNK,
  METRIC_GEN_AI_CLIENT_TIME_TO_FIRST_CHUNK,
  METRIC_REFUSALS,
  METRIC_RETRIES,
  METRIC_SKIPS,
} from './attributes.js';
import { SCOPE_NAME, SCOPE_VERSION } from './scope.js';

/** `gen_ai.client.token.usage`. */
export const TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
/** `gen_ai.client.operation.duration` and `gen_ai.server.request.duration`, in seconds. */
export const DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
/** `gen_ai.server.time_to_first_token`, in seconds. */
export const FIRST_TOKEN_BUCKETS = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
/** `gen_ai.server.time_per_output_token`, in seconds. */
export const PER_TOKEN_BUCKETS = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5];

export interface Instruments {
  /** Per upstream attempt (the gateway as a GenAI client). */
  readonly clientDuration: Histogram;
  readonly tokens: Histogram;
  /** Per call (the gateway as a GenAI server to its clients). */
  readonly serverDuration: Histogram;
  readonly firstToken: Histogram;
  readonly perOutputToken: Histogram;
  /** Per attempt: the GenAI client metrics of streamed answers. */
  readonly firstChunk: Histogram;
  readonly perOutputChunk: Histogram;
  readonly cost: Counter;
  readonly attempts: Counter;
  readonly retries: Counter;
  readonly fallbacks: Counter;
  readonly skips: Counter;
  readonly cooldowns: Counter;
  readonly refusals: Counter;
  readonly rateLimited: Counter;
}

const NoopMeter = createNoopMeter().constructor;

/** The instruments, or `undefined` when no meter provider is registered (so requests skip the work). */
export function createInstruments(provider: MeterProvider = metrics.getMeterProvider()): Instruments | undefined {
  const meter = provider.getMeter(SCOPE_NAME, SCOPE_VERSION);
  if (meter instanceof NoopMeter) return undefined;
  const seconds = (name: string, description: string, buckets: number[]) =>
    meter.createHistogram(name, { description, unit: 's', advice: { explicitBucketBoundaries: buckets } });
  return {
    clientDuration: seconds(METRIC_GEN_AI_CLIENT_OPERATION_DURATION, 'GenAI operation duration.', DURATION_BUCKETS),
    tokens: meter.createHistogram(METRIC_GEN_AI_CLIENT_TOKEN_USAGE, {
      description: 'Number of input and output tokens used.',
      unit: '{token}',
      advice: { explicitBucketBoundaries: TOKEN_BUCKETS },
    }),
    serverDuration: seconds(
      METRIC_GEN_AI_SERVER_REQUEST_DURATION,
      'Generative AI server request duration such as time-to-last byte or last output token.',
      DURATION_BUCKETS,
    ),
    firstToken: seconds(
      METRIC_GEN_AI_SERVER_TIME_TO_FIRST_TOKEN,
      'Time to generate first token for successful responses.',
      FIRST_TOKEN_BUCKETS,
    ),
    perOutputToken: seconds(
      METRIC_GEN_AI_SERVER_TIME_PER_OUTPUT_TOKEN,
      'Time per output token generated after the first token for successful responses.',
      PER_TOKEN_BUCKETS,
    ),
    firstChunk: seconds(
      METRIC_GEN_AI_CLIENT_TIME_TO_FIRST_CHUNK,
      "Time from an attempt's start to its answer's first chunk.",
      FIRST_TOKEN_BUCKETS,
    ),
    perOutputChunk: seconds(
      METRIC_GEN_AI_CLIENT_TIME_PER_OUTPUT_CHUNK,
      'Time between the chunks of an answer after its first, at the average interval.',
      PER_TOKEN_BUCKETS,
    ),
    cost: meter.createCounter(METRIC_COST, { description: 'What calls cost, priced from their usage.', unit: 'USD' }),
    attempts: meter.createCounter(METRIC_ATTEMPTS, { description: 'Upstream attempts.', unit: '{attempt}' }),
    retries: meter.createCounter(METRIC_RETRIES, { description: 'Retries of the same model.', unit: '{retry}' }),
    fallbacks: meter.createCounter(METRIC_FALLBACKS, {
      description: "Moves to the route's next fallback model.",
      unit: '{fallback}',
    }),
    skips: meter.createCounter(METRIC_SKIPS, {
      description: 'Retries not made and fallback candidates passed over.',
      unit: '{skip}',
    }),
    cooldowns: meter.createCounter(METRIC_COOLDOWNS, {
      description: 'Model/provider pairs put in cooldown after failing in a row.',
      unit: '{cooldown}',
    }),
    refusals: meter.createCounter(METRIC_REFUSALS, {
      description: 'Calls the gateway answered with an error of its own, before any upstream answer.',
      unit: '{request}',
    }),
    rateLimited: meter.createCounter(METRIC_RATE_LIMIT_REFUSALS, {
      description: "Calls refused by a client key's rate limit.",
      unit: '{request}',
    }),
  };
}
