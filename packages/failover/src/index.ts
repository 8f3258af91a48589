export {
  ANTHROPIC_OVERLOADED,
  isRefusal,
  judgeAnswer,
  REFUSAL_REASONS,
  type OutputCheck,
  type UpstreamAnswer,
} from './answer.js';
export { capabilityMissing } from './capability-error.js';
export { backoffDelay } from './backoff.js';
export { CooldownRegistry } from './cooldown.js';
export {
  EVENT_COOLDOWN,
  EVENT_FALLBACK,
  EVENT_FALLBACK_SKIPPED,
  EVENT_RETRY,
  EVENT_RETRY_SKIPPED,
  EVENT_SCHEMA_INVALID,
  EVENT_TRANSITION,
} from './events.js';
export { RequestNeeds, unmetAttributes, workflowUnmet, type Unmet } from './needs.js';
export { saysUnsupportedInput } from './input-errors.js';
export { firstByteLimit, type FirstByteLimit, type FirstByteSetting } from './first-byte.js';
export { FailoverPlan, type AttemptStep, type FinishStep, type PlanOptions, type Step } from './plan.js';
export { retryAfterMs } from './retry-after.js';
export type { SkipReason } from './fallback-queue.js';
export { outcomesOf, TransitionTable, type FoundTransition } from './transitions.js';
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
