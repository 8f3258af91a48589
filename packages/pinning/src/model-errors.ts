// The errors a client gets for a model it cannot have, each telling it what it can have instead.
import { SwitchyardError } from '@switchyard/core';

/** How many names a message lists before `… and N more`: errors end up in log lines. */
const LISTED_NAMES = 20;
/** How much of a requested name a message echoes: the name is client input of any length. */
const ECHOED_CHARS = 100;

/** `Use one of: a, b, … and N more.`, or a plain statement when nothing is available. */
export function useOneOf(names: readonly string[]): string {
  if (names.length === 0) return 'No model is available to this client.';
  const rest = names.length - LISTED_NAMES;
  return `Use one of: ${names.slice(0, LISTED_NAMES).join(', ')}${rest > 0 ? ` … and ${rest} more` : ''}.`;
}

/** 404 for a family shortcut such as `gpt`. */
export function familyShortcutError(requested: string, hint: string): SwitchyardError {
  return notFound(`${quote(requested)} is a model family, not a model: this gateway pins exact, versioned model IDs. ${hint}`);
}

/** 404 for a name the policy does not serve. */
export function unknownModelError(requested: string, hint: string): SwitchyardError {
  return notFound(`The model ${quote(requested)} is not served by this gateway. ${hint}`);
}

/** 403 for a route or model the caller may not use. */
export function modelNotAllowedError(name: string, hint: string): SwitchyardError {
  return new SwitchyardError({
    status: 403,
    type: 'permission_error',
    code: 'model_not_allowed',
    param: 'model',
    message: `The model ${quote(name)} is not available to this client. ${hint}`,
  });
}

function notFound(message: string): SwitchyardError {
  return new SwitchyardError({ status: 404, type: 'invalid_request_error', code: 'model_not_found', param: 'model', message });
}

// JSON quoting escapes control characters, so a hostile name cannot forge a line in a log.
function quote(name: string): string {
  return JSON.stringify(name.length > ECHOED_CHARS ? `${name.slice(0, ECHOED_CHARS)}…` : name);
}
