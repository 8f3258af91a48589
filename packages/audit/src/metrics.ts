// GenAI client metrics (per the OpenTelemetry GenAI conventions) and a cost counter, from the record.
import { createNoopMeter, metrics, type Attributes, type Counter, type Histogram, type MeterProvider } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_TOKEN_TYPE,
  ATTR_OWNER,
  ATTR_PROVIDER,
  ATTR_ROUTE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  GEN_AI_TOKEN_TYPE_INPUT,
  GEN_AI_TOKEN_TYPE_OUTPUT,
  METRIC_COST,
  METRIC_GEN_AI_CLIENT_OPERATION_DURATION,
  METRIC_GEN_AI_CLIENT_TOKEN_USAGE,
} from './attributes.js';
import type { AttemptView } from './outcome.js';
import { operationName, systemOf, type RequestFacts } from './record-attributes.js';
import { SCOPE_NAME, SCOPE_VERSION } from './scope.js';

// Bucket boundaries the GenAI conventions advise for these two histograms.
const TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
const DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];

export interface Instruments {
  readonly tokens: Histogram;
  readonly duration: Histogram;
  readonly cost: Counter;
}

const NoopMeter = createNoopMeter().constructor;

/** The instruments, or `undefined` when no meter provider is registered (so requests skip the work). */
export function createInstruments(provider: MeterProvider = metrics.getMeterProvider()): Instruments | undefined {
  const meter = provider.getMeter(SCOPE_NAME, SCOPE_VERSION);
  if (meter instanceof NoopMeter) return undefined;
  return {
    tokens: meter.createHistogram(METRIC_GEN_AI_CLIENT_TOKEN_USAGE, {
      description: 'Number of input and output tokens used',
      unit: '{token}',
      advice: { explicitBucketBoundaries: TOKEN_BUCKETS },
    }),
    duration: meter.createHistogram(METRIC_GEN_AI_CLIENT_OPERATION_DURATION, {
      description: 'GenAI operation duration: one upstream attempt',
      unit: 's',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    }),
    cost: meter.createCounter(METRIC_COST, { description: 'What calls cost, priced from their usage', unit: 'USD' }),
  };
}

/** One duration per attempt; token usage and cost once per request, for the attempt that served. */
export function recordMetrics(instruments: Instruments, facts: RequestFacts): void {
  const { record, outcome } = facts;
  for (const view of outcome.attempts) {
    const attrs = attemptMetricAttributes(view, facts);
    instruments.duration.record(Math.max(0, view.endedAt - view.attempt.startedAt) / 1000, attrs);
  }
  const served = outcome.served;
  if (record.usage && served) {
    const attrs = attemptMetricAttributes(served, facts);
    instruments.tokens.record(record.usage.inputTokens, { ...attrs, [ATTR_GEN_AI_TOKEN_TYPE]: GEN_AI_TOKEN_TYPE_INPUT });
    instruments.tokens.record(record.usage.outputTokens, { ...attrs, [ATTR_GEN_AI_TOKEN_TYPE]: GEN_AI_TOKEN_TYPE_OUTPUT });
  }
  if (record.costUsd !== undefined && Number.isFinite(record.costUsd) && record.costUsd > 0) {
    const attrs: Attributes = { [ATTR_OWNER]: record.owner };
    if (record.selection?.kind === 'route') attrs[ATTR_ROUTE] = record.selection.route;
    if (record.servedModel !== undefined) attrs[ATTR_GEN_AI_RESPONSE_MODEL] = record.servedModel;
    if (served) attrs[ATTR_PROVIDER] = served.attempt.provider;
    instruments.cost.add(record.costUsd, attrs);
  }
}

function attemptMetricAttributes(view: AttemptView, facts: RequestFacts): Attributes {
  const { provider, model } = view.attempt;
  const attrs: Attributes = { [ATTR_PROVIDER]: provider, [ATTR_GEN_AI_REQUEST_MODEL]: model };
  const operation = operationName(facts.record.endpoint);
  if (operation) attrs[ATTR_GEN_AI_OPERATION_NAME] = operation;
  const system = systemOf(provider, facts);
  if (system) attrs[ATTR_GEN_AI_PROVIDER_NAME] = system;
  const where = facts.providers.get(provider);
  if (where?.address !== undefined) attrs[ATTR_SERVER_ADDRESS] = where.address;
  if (where?.port !== undefined) attrs[ATTR_SERVER_PORT] = where.port;
  if (view === facts.outcome.served) attrs[ATTR_GEN_AI_RESPONSE_MODEL] = model;
  if (view.errorClass !== undefined) attrs[ATTR_ERROR_TYPE] = view.errorClass;
  return attrs;
}
