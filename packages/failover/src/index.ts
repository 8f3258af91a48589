export { ANTHROPIC_OVERLOADED, judgeAnswer, type OutputCheck, type UpstreamAnswer } from './answer.js';
export { backoffDelay } from './backoff.js';
export { CooldownRegistry } from './cooldown.js';
export {
  EVENT_COOLDOWN,
  EVENT_FALLBACK,
  EVENT_FALLBACK_SKIPPED,
  EVENT_RETRY,
  EVENT_RETRY_SKIPPED,
  EVENT_SCHEMA_INVALID,
} from './events.js';
export { RequestNeeds, unmetAttributes, type Unmet } from './needs.js';
export { firstByteLimit, type FirstByteLimit } from './first-byte.js';
export { FailoverPlan, type AttemptStep, type FinishStep, type PlanOptions, type Step } from './plan.js';
export { retryAfterMs } from './retry-after.js';
export { requestedSchema, SchemaChecker, type OutputValidator } from './schema-check.js';
export {
  isFailureStatus,
  triggerLabel,
  verdictOf,
  type AttemptReport,
  type SchemaViolation,
  type Trigger,
  type Verdict,
} from './triggers.js';
