export { compileRules } from './compile.js';
export { DEFAULT_LIMITS } from './environment.js';
export { evaluateRoute } from './evaluate.js';
export { rules, type RulesHandler } from './middleware.js';
export type * from './types.js';
