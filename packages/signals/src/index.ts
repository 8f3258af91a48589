// @switchyard/signals: built-in, policy-declared and plugin signals, computed only when a rule reads them.
export * from './names.js';
export * from './types.js';
export { signalCatalog } from './catalog.js';
export { DEFAULT_PLUGIN_TIMEOUT_MS, defineSignal, isSignalPlugin } from './define-signal.js';
export { signals, type SignalsHandler } from './middleware.js';
export { signalReader } from './reader.js';
export { countPromptTokens } from './tokenizer.js';
