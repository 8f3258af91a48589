// The refusals of keys() and adminOnly(): typed, with stable codes; core's errorHandler() renders them in
// the client's wire format.
import { SwitchyardError } from '@switchyard/core';

/** 401 `missing_api_key`: no key in `Authorization: Bearer …` or `x-api-key`. */
export function missingKey(): SwitchyardError {
  return new SwitchyardError({
    status: 401,
    type: 'authentication_error',
    code: 'missing_api_key',
    message: 'This gateway needs an API key: send it as "Authorization: Bearer <key>" or "x-api-key: <key>".',
  });
}

/** 401 `invalid_api_key`: a key this gateway does not know. The key itself is never echoed. */
export function invalidKey(): SwitchyardError {
  return new SwitchyardError({
    status: 401,
    type: 'authentication_error',
    code: 'invalid_api_key',
    message: 'The API key is not valid for this gateway.',
  });
}

/** 403 for the admin endpoint called without the admin key. */
export function notAdmin(): SwitchyardError {
  return new SwitchyardError({
    status: 403,
    type: 'permission_error',
    code: 'admin_key_required',
    message: 'This endpoint needs the admin key (budgets.admin_key).',
  });
}
