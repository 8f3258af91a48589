// The built-in signals: each reads the parsed body, the record or the clock, and only when asked.
import type { SignalReading } from '@switchyard/core';
import type { LocalClock } from './clock.js';
import { firstHeader } from './headers.js';
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
  SIGNAL_WEEKDAY,
  SIGNAL_WORKFLOW,
  WORKFLOW_HEADER,
  type BuiltinSignalName,
} from './names.js';
import { isObject, promptSize } from './prompt.js';
import { absent, bool, checked, messageOf, mismatch, NOT_PRESENT, value } from './readings.js';
import { tokenCounter } from './tokenizer.js';

/** The built-in signals, with time signals in `clock`'s zone. */
export function builtinSignals(clock: LocalClock): SignalDef[] {
  const computes: Record<BuiltinSignalName, ComputeSignal> = {
    [SIGNAL_INPUT_TOKENS]: inputTokens,
    [SIGNAL_MAX_TOKENS]: ({ parsed: { body } }) => {
      const max = body.max_completion_tokens ?? body.max_tokens;
      return max === undefined || max === null ? NOT_PRESENT : checked('int', max);
    },
    [SIGNAL_HAS_SCHEMA]: ({ parsed: { body } }) =>
      // `/responses` asks for structured output under text.format; Anthropic's Messages under
      // output_config.format (output_format in its beta).
      bool(
        isJsonSchema(body.response_format) ||
          (isObject(body.text) && isJsonSchema(body.text.format)) ||
          (isObject(body.output_config) && isJsonSchema(body.output_config.format)) ||
          isJsonSchema(body.output_format),
      ),
    [SIGNAL_HAS_TOOLS]: ({ parsed: { body } }) => bool(isNonEmptyArray(body.tools) || isNonEmptyArray(body.functions)),
    [SIGNAL_HAS_IMAGES]: ({ parsed: { body } }) => bool(hasImage(body.messages) || hasImage(body.input)),
    [SIGNAL_STREAMING]: ({ parsed: { body } }) => bool(body.stream === true),
    [SIGNAL_MESSAGES_COUNT]: ({ parsed: { body, endpoint } }) => {
      if (Array.isArray(body.messages)) return value(body.messages.length);
      if (endpoint === 'responses' && Array.isArray(body.input)) return value(body.input.length);
      return NOT_PRESENT;
    },
    [SIGNAL_MODEL]: ({ parsed: { body } }) => value(body.model as string),
    [SIGNAL_ENDPOINT]: ({ parsed: { endpoint } }) => value(endpoint),
    [SIGNAL_WORKFLOW]: ({ req, parsed: { body } }) => {
      const header = firstHeader(req, WORKFLOW_HEADER);
      if (header) return value(header);
      const workflow = isObject(body.metadata) ? body.metadata.workflow : undefined;
      if (workflow === undefined || workflow === null || workflow === '') return NOT_PRESENT;
      return typeof workflow === 'string' ? value(workflow) : mismatch('string', workflow);
    },
    [SIGNAL_OWNER]: ({ record }) => value(record.owner),
    [SIGNAL_HOUR_LOCAL]: (ctx) => value(clock.hour(ctx.now())),
    [SIGNAL_WEEKDAY]: (ctx) => value(clock.weekday(ctx.now())),
  };
  return (Object.keys(computes) as BuiltinSignalName[]).map((name) => ({
    name,
    type: BUILTIN_SIGNALS[name],
    compute: computes[name],
  }));
}

function inputTokens({ parsed: { body } }: SignalContext): Promise<SignalReading> {
  return tokenCounter().then(
    (countTokens) => value(promptSize(body, countTokens)),
    (err: unknown) => absent(`tokenizer unavailable: ${messageOf(err)}`),
  );
}

function isJsonSchema(format: unknown): boolean {
  return isObject(format) && format.type === 'json_schema';
}

function isNonEmptyArray(v: unknown): boolean {
  return Array.isArray(v) && v.length > 0;
}

const IMAGE_PARTS: ReadonlySet<unknown> = new Set(['image_url', 'input_image', 'image']);

/** Any image part in messages/input items, including inside Anthropic tool_result blocks. */
function hasImage(items: unknown): boolean {
  if (!Array.isArray(items)) return false;
  for (const item of items) {
    if (isObject(item) && (IMAGE_PARTS.has(item.type) || hasImagePart(item.content, 0))) return true;
  }
  return false;
}

function hasImagePart(content: unknown, depth: number): boolean {
  if (!Array.isArray(content)) return false;
  for (const part of content) {
    if (!isObject(part)) continue;
    if (IMAGE_PARTS.has(part.type)) return true;
    if (part.type === 'tool_result' && depth === 0 && hasImagePart(part.content, 1)) return true;
  }
  return false;
}
