export { compileRules } from './compile.js';
export { DEFAULT_LIMITS } from './environment.js';
export { evaluateRoute } from './evaluate.js';
export { rules, type RulesHandler } from './middleware.js';
export { MAX_PROGRAM_SIZE, MAX_RUNTIME_PATTERN_LENGTH } from './regex.js';
export type * from './types.js';
export { EVENT_WORKFLOW_UNKNOWN, RUN_HEADER, unknownWorkflow, workflows, type WorkflowsOptions } from './workflows.js';
