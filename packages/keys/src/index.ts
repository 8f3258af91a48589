// @switchyard/keys: the gateway's client keys → owners and what they may call; the admin key guard.
export { adminOnly } from './admin.js';
export { invalidKey, missingKey, notAdmin } from './errors.js';
export { clientKey, digestBytes, keyAllowList, keys, match, presentedKey, type KeysOptions } from './keys.js';
