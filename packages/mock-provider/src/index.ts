export { createMockHandler } from './handler.js';
export { startMockProvider } from './server.js';
export { ANY_MODEL, MOCK_FAULTS, MOCK_HEADERS } from './behaviour.js';
export { DEFAULT_MODELS } from './config.js';
export type * from './types.js';
export type * from './anthropic-types.js';
export type * from './gemini-types.js';
