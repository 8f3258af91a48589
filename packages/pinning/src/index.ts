export { FAMILY_SHORTCUTS, familyShortcut } from './families.js';
export { modelList } from './model-list.js';
export { pin } from './pin.js';
export { availableModels, resolveModel, type ModelResolution } from './resolve.js';
export type * from './types.js';
