// The built-in signals: each reads the parsed body, the record or the clock, and only when asked.
import type { SignalReading } from '@switchyard/core';
import type { LocalClock } from './clock.js';
import type { ComputeSignal, SignalContext, SignalDef } from './internal-types.js';
import {
  BUILTIN_SIGNALS,
  SIGNAL_ENDPOINT,
  SIGNAL_HAS_IMAGES,
  SIGNAL_HAS_SCHEMA,
  SIGNAL_HAS_TOOLS,
  SIGNAL_HOUR_LOCAL,
  SIGNAL_INPUT_TOKENS,
  SIGNAL_MAX_TOKENS,
  SIGNAL_MESSAGES_COUNT,
  SIGNAL_MODEL,
  SIGNAL_OWNER,
  SIGNAL_STREAMING,
  SIGNAL_TIME_OF_DAY,
  SIGNAL_WEEKDAY,
  SIGNAL_WORKFLOW,
  type BuiltinSignalName,
} from './names.js';
import { isObject } from './prompt.js';
import { absent, bool, messageOf, mismatch, NOT_PRESENT, value } from './readings.js';
import { countPromptTokens } from './tokenizer.js';

/** The built-in signals, with time signals in `clock`'s zone. */
export function builtinSignals(clock: LocalClock): SignalDef[] {
  const computes: Record<BuiltinSignalName, ComputeSignal> = {
    [SIGNAL_INPUT_TOKENS]: inputTokens,
    [SIGNAL_MAX_TOKENS]: ({ request }) => (request.maxOutputTokens === undefined ? NOT_PRESENT : value(request.maxOutputTokens)),
    [SIGNAL_HAS_SCHEMA]: ({ request }) => bool(request.hasSchema),
    [SIGNAL_HAS_TOOLS]: ({ request }) => bool(request.hasTools),
    [SIGNAL_HAS_IMAGES]: ({ request }) => bool(request.hasImages),
    [SIGNAL_STREAMING]: ({ request }) => bool(request.stream),
    [SIGNAL_MESSAGES_COUNT]: ({ request: { body, endpoint } }) => {
      if (Array.isArray(body.messages)) return value(body.messages.length);
      if (endpoint === 'responses' && Array.isArray(body.input)) return value(body.input.length);
      return NOT_PRESENT;
    },
    [SIGNAL_MODEL]: ({ request }) => value(request.model),
    [SIGNAL_ENDPOINT]: ({ request }) => value(request.endpoint),
    [SIGNAL_WORKFLOW]: ({ request, record }) => {
      if (record.workflow !== undefined) return value(record.workflow);
      if (request.workflow !== undefined) return value(request.workflow);
      const named = isObject(request.body.metadata) ? request.body.metadata.workflow : undefined;
      // Set, but not to a name: say what arrived rather than that nothing did.
      return named === undefined || named === null || named === '' ? NOT_PRESENT : mismatch('string', named);
    },
    [SIGNAL_OWNER]: ({ record }) => value(record.owner),
    [SIGNAL_HOUR_LOCAL]: (ctx) => value(clock.hour(ctx.now())),
    [SIGNAL_WEEKDAY]: (ctx) => value(clock.weekday(ctx.now())),
    [SIGNAL_TIME_OF_DAY]: (ctx) => value(clock.timeOfDay(ctx.now())),
  };
  return (Object.keys(computes) as BuiltinSignalName[]).map((name) => ({
    name,
    type: BUILTIN_SIGNALS[name],
    compute: computes[name],
  }));
}

function inputTokens({ request: { body } }: SignalContext): Promise<SignalReading> {
  return countPromptTokens(body).then(
    (tokens) => value(tokens),
    (err: unknown) => absent(`tokenizer unavailable: ${messageOf(err)}`),
  );
}
