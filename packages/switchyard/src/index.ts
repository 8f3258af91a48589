// The umbrella package: the whole stack from one policy, and every middleware re-exported.
export * from '@switchyard/audit';
export * from '@switchyard/budget';
export * from '@switchyard/core';
export * from '@switchyard/pinning';
export * from '@switchyard/dispatch';
export * from '@switchyard/keys';
export * from '@switchyard/rules';
export * from '@switchyard/signals';
export { compilePolicy, loadPolicy, type CompiledPolicy, type CompileOptions } from './compile.js';
export { switchyard, BUDGET_REPORT_PATH, GEMINI_PATH, ROUTED_PATHS, type SwitchyardOptions } from './stack.js';
