// @switchyard/budget: owners, prices, monthly windows, reservations, stores (memory, Redis).
export * from './types.js';
export { budget, ceilingOf, COST_HEADER, type BudgetHandler } from './budget.js';
export { highestWorstCase, requestSize } from './estimate.js';
export {
  BudgetLedger,
  DEFAULT_RESERVATION_TTL_MS,
  RUN_KEY_PREFIX,
  RUN_TTL_MS,
  WORKFLOW_KEY_PREFIX,
  type BudgetLedgerOptions,
  type OwnerSpend,
} from './ledger.js';
export { giveBack, reserveAll, type HoldKind, type HoldSpec, type HoldsResult } from './holds.js';
export { MemoryStore, type MemoryStoreOptions } from './memory-store.js';
export { costOf, worstCase, type RequestSize } from './pricing.js';
export { CLAUDE_IMAGE_TOKENS, imageTokens, UNKNOWN_IMAGE_TOKENS, type ImageTokens } from './images.js';
export { BUILT_IN_TOOL_TOKENS, requestShape, TOOLS_OVERHEAD_TOKENS } from './shape.js';
export { DEFAULT_REDIS_PREFIX, RedisStore, StoreUnavailableError, type RedisStoreOptions } from './redis-store.js';
export { budgetReport, reportJson, spendReport, type BudgetReportOptions, type SpendReport } from './report.js';
export { budgetSignals, SIGNAL_ESTIMATED_COST_USD, SIGNAL_MONTHLY_SPEND_PCT, SIGNAL_WORKFLOW_SPEND_PCT } from './signals.js';
export { monthlyWindows, type MonthlyWindows } from './window.js';
export {
  DEFAULT_VIDEO_SECONDS,
  imagePrice,
  isMediaPriced,
  MAX_VIDEO_SECONDS,
  mediaCost,
  mediaWorstCase,
  TRANSCRIPTION_BYTES_PER_SECOND,
} from './media-pricing.js';
