// Signals declared under `signals:` in the policy: a JSONPath into the body or a header, coerced to the type;
// the policy's `default:` when the request does not carry it.
import type { DeclaredSignal, SignalReading } from '@switchyard/core';
import type { SignalDef } from './internal-types.js';
import { firstMatch } from './jsonpath.js';
import { absent, coerced, messageOf, NOT_PRESENT, value } from './readings.js';

/**
 * The signal for `declared`, whose JSONPath (if any) has already been checked. A request that does not carry
 * it reads as the declared `default` when there is one; a value of the wrong type stays absent, with why.
 */
export function declaredSignal(declared: DeclaredSignal): SignalDef {
  const { name, type, from } = declared;
  const fallback = declared.default === undefined ? undefined : value(declared.default);
  const coerce = fallback ? (v: unknown) => orDefault(coerced(type, v), fallback) : (v: unknown) => coerced(type, v);
  if (from.kind === 'header') {
    const header = from.header.toLowerCase();
    return { name, type, compute: ({ request }) => coerce(request.header(header)) };
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
        return coerce(result.kind === 'found' ? result.value : undefined);
      } catch (err) {
        return absent(`JSONPath failed: ${messageOf(err)}`);
      }
    },
  };
}

function orDefault(reading: SignalReading, fallback: SignalReading): SignalReading {
  return reading === NOT_PRESENT ? fallback : reading;
}
