// 400 capability_missing: the chosen model cannot serve the request, and no allowed fallback can either.
import { SwitchyardError, type ModelConfig } from '@switchyard/core';
import type { Unmet } from './needs.js';

/** What the request does that needs each capability, for messages. */
const BECAUSE: Readonly<Record<string, string>> = {
  tools: 'the request offers tools',
  json_schema: 'the request asks for a JSON schema',
  vision: 'the request holds images',
  streaming: 'the request asks for a stream',
};

/**
 * The error for a request that `model` cannot serve (it lacks `unmet`) when no allowed fallback can: a 400
 * `capability_missing` naming the model and what it lacks, never a call to a model that would ignore it.
 */
export function capabilityMissing(model: ModelConfig, unmet: Unmet): SwitchyardError {
  const why =
    unmet.reason === 'missing_capability'
      ? `lacks the capability "${unmet.capability}", which ${unmet.workflow === undefined ? BECAUSE[unmet.capability] : `workflow "${unmet.workflow}" requires`}`
      : unmet.workflow === undefined
        ? `has a context window of ${unmet.contextWindow} tokens, smaller than the ${unmet.needed} the request needs (its input plus its max output)`
        : `has a context window of ${unmet.contextWindow} tokens, smaller than the ${unmet.needed} workflow "${unmet.workflow}" requires`;
  return new SwitchyardError({
    status: 400,
    type: 'invalid_request_error',
    code: 'capability_missing',
    message: `Model "${model.id}" ${why}; no allowed fallback can serve the request either.`,
  });
}
