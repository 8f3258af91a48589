// adminOnly(): lets through only requests that carry the gateway's admin key.
import type { Secret } from '@switchyard/core';
import type { RequestHandler } from 'express';
import { missingKey, notAdmin } from './errors.js';
import { digestBytes, match, presentedKey } from './keys.js';

/**
 * Guards the gateway's own endpoints (the budget report, …): the admin key in `Authorization: Bearer` or
 * `x-api-key`, compared as a SHA-256 digest in constant time. 401 `missing_api_key` without a key, 403
 * `admin_key_required` with another one.
 * @param adminKeyDigest the policy's admin key digest (`budgets.admin_key`), as loaded.
 */
export function adminOnly(adminKeyDigest: Secret): RequestHandler {
  const known = [{ digest: digestBytes(adminKeyDigest) }];
  return function switchyardAdminOnly(req, _res, next) {
    const presented = presentedKey(req);
    if (presented === undefined) return next(missingKey());
    if (!match(known, presented)) return next(notAdmin());
    next();
  };
}
