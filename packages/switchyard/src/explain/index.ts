// Explain: what the gateway would do with a request, without calling any provider.
export { checkBudget, type BudgetFigures, type BudgetTrace } from './budget-check.js';
export { DEFAULT_EXPLAIN_PATH, explainRequest } from './explain.js';
export { EXPLAIN_PATH, explainEndpoint } from './endpoint.js';
export { givenPairs, parseGiven, type GivenValues } from './given.js';
export { ExplainInputError } from './input-error.js';
export {
  simulateCall,
  type SimulatedAttempt,
  type SimulatedCall,
  type SimulationInput,
  type UpstreamOutcome,
} from './simulate.js';
export { checkUpstreamScript, type UpstreamScript } from './upstream-script.js';
export type * from './types.js';
