// The OpenAI Responses API shapes the translation writes: the `response` object, its output items and
// usage. Only the fields a translation can fill from a chat completion; the request is read as untyped JSON.

export type ResponseStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed';

/** Why a response is `incomplete`: the output cap was reached, or the provider's filter stopped it. */
export type IncompleteReason = 'max_output_tokens' | 'content_filter';

export type ItemStatus = 'in_progress' | 'completed' | 'incomplete';

export interface OutputText {
  type: 'output_text';
  text: string;
  annotations: [];
  logprobs: [];
}

export interface Refusal {
  type: 'refusal';
  refusal: string;
}

export type MessageContent = OutputText | Refusal;

export interface OutputMessage {
  id: string;
  type: 'message';
  status: ItemStatus;
  content: MessageContent[];
  role: 'assistant';
}

export interface FunctionCall {
  id: string;
  type: 'function_call';
  status: ItemStatus;
  arguments: string;
  call_id: string;
  name: string;
}

export type OutputItem = OutputMessage | FunctionCall;

export interface ResponsesUsage {
  /** Every prompt token, cached ones included (as OpenAI counts them). */
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

/** The `response` object, as `POST /v1/responses` answers it and as its stream's lifecycle events carry it. */
export interface ResponsesResponse {
  id: string;
  object: 'response';
  created_at: number;
  status: ResponseStatus;
  error: { code: string; message: string } | null;
  incomplete_details: { reason: IncompleteReason } | null;
  model: string;
  output: OutputItem[];
  /** `null` until the response is over. Written last: the gateway's usage tap reads a body's end. */
  usage: ResponsesUsage | null;
}
