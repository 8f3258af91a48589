// Names and CEL types of the built-in signals; shared with rules and audit through these constants.
import type { SignalType } from '@switchyard/core';

/** Prompt tokens by the o200k_base tokenizer (images not counted). */
export const SIGNAL_INPUT_TOKENS = 'input_tokens';
/** The request's output limit (core's `ParsedRequest.maxOutputTokens`); absent when unset. */
export const SIGNAL_MAX_TOKENS = 'max_tokens';
/** Whether the request asks for a JSON-schema structured output. */
export const SIGNAL_HAS_SCHEMA = 'has_schema';
/** Whether the request offers tools (`tools`, or legacy `functions`). */
export const SIGNAL_HAS_TOOLS = 'has_tools';
/** Whether any message carries an image part. */
export const SIGNAL_HAS_IMAGES = 'has_images';
/** Whether the client asked for a streamed response (`stream: true`). */
export const SIGNAL_STREAMING = 'streaming';
/** The number of messages (or of `input` items on `/responses`). */
export const SIGNAL_MESSAGES_COUNT = 'messages_count';
/** The `model` the client sent. */
export const SIGNAL_MODEL = 'model';
/** The API surface: `chat`, `completions`, `embeddings`, `responses`, `messages` or `other`. */
export const SIGNAL_ENDPOINT = 'endpoint';
/**
 * The workflow the call runs as: what workflows() resolved (`default` for a call naming none), else header
 * `x-switchyard-workflow`, else the body's string `metadata.workflow`.
 */
export const SIGNAL_WORKFLOW = 'workflow';
/** Who the call is billed to (`record.owner`). */
export const SIGNAL_OWNER = 'owner';
/** The hour, 0–23, in the policy's time zone. */
export const SIGNAL_HOUR_LOCAL = 'hour_local';
/** The day of the week (`monday` … `sunday`) in the policy's time zone. */
export const SIGNAL_WEEKDAY = 'weekday';
/** The time of day as `HH:MM` (24-hour, zero-padded) in the policy's time zone: `time_of_day >= "09:30"`. */
export const SIGNAL_TIME_OF_DAY = 'time_of_day';

/** The header that names the caller's workflow. */
export { WORKFLOW_HEADER } from '@switchyard/core';

/** Every built-in signal and its CEL type. */
export const BUILTIN_SIGNALS = Object.freeze({
  [SIGNAL_INPUT_TOKENS]: 'int',
  [SIGNAL_MAX_TOKENS]: 'int',
  [SIGNAL_HAS_SCHEMA]: 'bool',
  [SIGNAL_HAS_TOOLS]: 'bool',
  [SIGNAL_HAS_IMAGES]: 'bool',
  [SIGNAL_STREAMING]: 'bool',
  [SIGNAL_MESSAGES_COUNT]: 'int',
  [SIGNAL_MODEL]: 'string',
  [SIGNAL_ENDPOINT]: 'string',
  [SIGNAL_WORKFLOW]: 'string',
  [SIGNAL_OWNER]: 'string',
  [SIGNAL_HOUR_LOCAL]: 'int',
  [SIGNAL_WEEKDAY]: 'string',
  [SIGNAL_TIME_OF_DAY]: 'string',
} as const satisfies Record<string, SignalType>) satisfies Readonly<Record<string, SignalType>>;

export type BuiltinSignalName = keyof typeof BUILTIN_SIGNALS;

export function isBuiltinSignal(name: string): name is BuiltinSignalName {
  return Object.hasOwn(BUILTIN_SIGNALS, name);
}
