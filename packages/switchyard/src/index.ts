// The umbrella package: the whole stack from one policy, and every middleware re-exported.
export * from '@switchyard/audit';
export * from '@switchyard/budget';
export * from '@switchyard/core';
export * from '@switchyard/pinning';
export * from '@switchyard/dispatch';
export * from '@switchyard/keys';
export * from '@switchyard/rules';
export * from '@switchyard/signals';
export { compilePolicy, loadPolicy, type CompiledPolicy, type CompileOptions, type LoadOptions } from './compile.js';
export {
  DEFAULT_EXPLAIN_PATH,
  EXPLAIN_PATH,
  explainRequest,
  ExplainInputError,
  givenPairs,
  type BudgetFigures,
  type BudgetTrace,
  type ExplainInput,
  type Explanation,
  type FallbackTrace,
  type GivenValues,
  type Refusal,
  type RefusalStage,
  type RuleTrace,
  type SignalTrace,
  type SimulatedAttempt,
  type SimulatedCall,
  type UpstreamOutcome,
} from './explain/index.js';
export { switchyardGateway, type Gateway, type GatewayOptions } from './gateway.js';
export * from './policy-tests/index.js';
export { POLICY_STATUS_PATH, type PolicyStatus, type RejectedReload } from './policy-status.js';
export type { WatchOptions } from './policy-watch.js';
export { EVENT_POLICY_PROBLEM, reloadLog, SPAN_POLICY_RELOAD, type ReloadResult, type ReloadTrigger } from './reload-report.js';
export { switchyard, BUDGET_REPORT_PATH, GEMINI_PATH, ROUTED_PATHS, type SwitchyardOptions } from './stack.js';
export { POLICY_HEADER, policyVersion } from './version.js';
export {
  WORKFLOWS_REPORT_PATH,
  workflowCost,
  workflowsReport,
  workflowsReportEndpoint,
  type WorkflowReport,
} from './workflows-report.js';
