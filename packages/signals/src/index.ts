// @switchyard/signals: built-in, policy-declared and plugin signals, computed only when a rule reads them.
export * from './names.js';
export * from './types.js';
export { signalCatalog } from './catalog.js';
export { DEFAULT_PLUGIN_TIMEOUT_MS, defineSignal, isSignalPlugin } from './define-signal.js';
export { signals, type SignalsHandler } from './middleware.js';
export { signalReader } from './reader.js';
export { countPromptTokens } from './tokenizer.js';
export {
  FIRST_TOKEN_MIN_SAMPLES,
  FIRST_TOKEN_SAMPLES,
  FIRST_TOKEN_TIMEOUT,
  FIRST_TOKEN_WINDOW_MS,
  FirstTokenStats,
  firstTokenSignal,
  SIGNAL_P95_FIRST_TOKEN_MS,
  type FirstTokenFigures,
} from './first-token.js';
