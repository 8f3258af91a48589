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
        const result = match(request.body);
        // Bounded: a document too large or too deep to search leaves the signal absent, saying so.
        if (result.kind === 'stopped') return absent(result.reason);
        return coerced(type, result.kind === 'found' ? result.value : undefined);
      } catch (err) {
        return absent(`JSONPath failed: ${messageOf(err)}`);
      }
    },
  };
}
