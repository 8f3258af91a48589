// Signals declared under `signals:` in the policy: a JSONPath into the body or a header, coerced to the type.
import type { DeclaredSignal } from '@switchyard/core';
import type { SignalDef } from './internal-types.js';
import { firstMatch } from './jsonpath.js';
import { absent, coerced, messageOf } from './readings.js';

/** The signal for `declared`, whose JSONPath (if any) has already been checked. */
export function declaredSignal(declared: DeclaredSignal): SignalDef {
  const { name, type, from } = declared;
  if (from.kind === 'header') {
    const header = from.header.toLowerCase();
    return { name, type, compute: ({ request }) => coerced(type, request.header(header)) };
  }
  const match = firstMatch(from.path);
  return {
    name,
    type,
    compute: ({ request }) => {
      try {
        return coerced(type, match(request.body));
      } catch (err) {
        return absent(`JSONPath failed: ${messageOf(err)}`);
      }
    },
  };
}
