// Errors of the Responses API translation. Its clients read the same `{error:{message,type,param,code}}` body
// as chat clients, so upstream errors need no translation of their own: an OpenAI-format provider's pass as
// they are, and Anthropic's and Gemini's go through `fromAnthropicError` / `fromGeminiError`.
import { SwitchyardError } from '@switchyard/core';

/** The code of a request that asks to continue state stored by OpenAI (a response, a conversation, an item). */
export const PREVIOUS_RESPONSE_UNSUPPORTED = 'previous_response_unsupported';

/**
 * 400 `previous_response_unsupported`: `what` refers to state OpenAI stores, which a provider of another
 * format never saw; nothing is stored by a translation either.
 */
export function storedStateUnsupported(param: string, what: string): SwitchyardError {
  return new SwitchyardError({
    status: 400,
    type: 'invalid_request_error',
    code: PREVIOUS_RESPONSE_UNSUPPORTED,
    param,
    message:
      `${what} cannot be honoured: this route is served by an Anthropic or Gemini provider, which cannot continue ` +
      'a stored response; send the whole conversation in `input` (with the AI SDK: providerOptions.openai.store = false).',
  });
}
