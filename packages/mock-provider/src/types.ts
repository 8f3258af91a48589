import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AnthropicMessagesRequest } from './anthropic-types.js';
import type { GeminiGenerateContentRequest } from './gemini-types.js';

/**
 * How the mock answers one call. Every field is optional; `{}` answers normally.
 * Scripted per model (`script` option, `MockProvider.script()`) or per request with `x-mock-*` headers.
 */
export interface Behaviour {
  /** Delay in ms before the response headers are sent. Default 0. */
  readonly latencyMs?: number;
  /**
   * Streams: headers go out at once, then this delay (ms) passes before the first chunk.
   * Non-stream responses treat it like extra `latencyMs`. Default 0.
   */
  readonly firstByteDelayMs?: number;
  /** Answer with this HTTP status. 4xx/5xx send an OpenAI-shaped error body typed for the status. Default 200. */
  readonly status?: number;
  /** Sent as the `Retry-After` header, e.g. `"1"` or an HTTP date. Default: no header. */
  readonly retryAfter?: string;
  /** Accept the request and never answer, until the client goes away or the server closes. Default false. */
  readonly hang?: boolean;
  /**
   * Streams: send the role chunk and this many content deltas, then destroy the socket without `[DONE]`.
   * Non-stream: send half of the body, then destroy the socket. Default: no drop.
   */
  readonly dropAfterChunks?: number;
  /** Status 200 with a body that is not valid JSON, or a stream with one corrupt `data:` line. Default false. */
  readonly malformed?: boolean;
  /** Number of content deltas a stream sends. Default 4. */
  readonly chunks?: number;
  /** Delay in ms between stream chunks. Default 0. */
  readonly chunkIntervalMs?: number;
  /**
   * Streams: after `dropAfterChunks` content deltas (default 1), send this status's error in the
   * surface's own stream shape (OpenAI `data: {"error":…}`, Anthropic `event: error`, Gemini
   * `data: {"error":…}`) and end the response. Default: no mid-stream error.
   */
  readonly streamError?: number;
  /**
   * Report this stop reason instead of the computed one, verbatim in the surface's own field
   * (`finish_reason`, `stop_reason`, `finishReason`), e.g. `content_filter`, `refusal`, `SAFETY`. Default: computed.
   */
  readonly finishReason?: string;
  /**
   * Report this many prompt tokens as read from the provider's cache (capped at the prompt's tokens):
   * OpenAI `cached_tokens`, Anthropic `cache_read_input_tokens`, Gemini `cachedContentTokenCount`. Default 0.
   */
  readonly cachedTokens?: number;
  /**
   * Asynchronous jobs (videos, vendor tasks) created by this call stay `queued` this long (ms). Default: the
   * `jobSteps` option's `queuedMs`.
   */
  readonly jobQueuedMs?: number;
  /** Asynchronous jobs created by this call then stay `in_progress` this long (ms). Default: `jobSteps.runningMs`. */
  readonly jobRunningMs?: number;
  /**
   * Asynchronous jobs created by this call end `failed` with this error code (e.g. `moderation_blocked`)
   * instead of `completed`. Default: they complete.
   */
  readonly jobFailure?: string;
}

/** One behaviour for every call, or a sequence consumed one per call whose last step repeats. */
export type BehaviourScript = Behaviour | readonly Behaviour[];

/** The fields of an OpenAI chat completion request the mock reads. Other fields are accepted and ignored. */
export interface ChatCompletionRequest {
  readonly model: string;
  readonly messages: readonly unknown[];
  readonly stream?: boolean | null;
  readonly stream_options?: { readonly include_usage?: boolean } | null;
  readonly max_tokens?: number | null;
  readonly max_completion_tokens?: number | null;
  readonly tools?: readonly unknown[];
  readonly tool_choice?: unknown;
  readonly response_format?: unknown;
  readonly [field: string]: unknown;
}

/** Produces the assistant text for a chat completion. */
export type ReplyFunction = (request: ChatCompletionRequest, req: IncomingMessage) => string;

/** Produces the assistant text of an Anthropic Messages call. */
export type AnthropicReplyFunction = (request: AnthropicMessagesRequest, req: IncomingMessage) => string;

/** Produces the model text of a Gemini `generateContent` call; `model` comes from the path. */
export type GeminiReplyFunction = (request: GeminiGenerateContentRequest, model: string, req: IncomingMessage) => string;

/** Produces the output text of a Responses API call. */
export type ResponsesReplyFunction = (request: ResponsesRequest, req: IncomingMessage) => string;

/** The fields of a `POST /v1/responses` body the mock reads; the others are checked by name. */
export interface ResponsesRequest {
  readonly model: string;
  readonly input: string | readonly unknown[];
  readonly instructions?: string | null;
  readonly stream?: boolean | null;
  readonly store?: boolean | null;
  readonly previous_response_id?: string | null;
  readonly max_output_tokens?: number | null;
  readonly tools?: readonly unknown[];
  readonly tool_choice?: unknown;
  readonly text?: { readonly format?: unknown; readonly [field: string]: unknown } | null;
  readonly [field: string]: unknown;
}

/** How long asynchronous jobs (videos, vendor tasks) stay in each phase before they complete. */
export interface JobSteps {
  /** Milliseconds in `queued`. Default 50. */
  readonly queuedMs?: number;
  /** Milliseconds in `in_progress` after that. Default 100. */
  readonly runningMs?: number;
}

/**
 * The paths of the generic vendor task API (Suno-style music and other media vendors), relative to the
 * server root; `{id}` stands for the task ID. A leading `/v1` is optional, as for every route.
 */
export interface TaskPaths {
  /** `POST`: creates a task. Default `/v1/music/generate`. */
  readonly create: string;
  /** `GET`: the task's status. Default `/v1/music/tasks/{id}`. */
  readonly get: string;
}

/** Options of {@link createMockHandler}. */
export interface MockHandlerOptions {
  /**
   * When set, requests must carry one of these keys where each API expects it: `Authorization: Bearer`
   * (OpenAI, else 401 `invalid_api_key`), `x-api-key` (Anthropic, else 401 `authentication_error`),
   * `x-goog-api-key` or `?key=` (Gemini, else 403 `PERMISSION_DENIED` when absent, 400 `API_KEY_INVALID`
   * when wrong). Default: open (no key checked).
   */
  readonly apiKeys?: readonly string[];
  /** Model IDs listed by `GET /v1/models`. Default `['gpt-4o-mini', 'gpt-4o-2024-08-06']`. */
  readonly models?: readonly string[];
  /**
   * Answer chat, Messages and Gemini requests for models outside `models` with each API's 404. Default false.
   */
  readonly strictModels?: boolean;
  /** Behaviour per model ID; the key `*` applies to models without their own entry. Default: none. */
  readonly script?: Readonly<Record<string, BehaviourScript>>;
  /** Completion text. Default `Mock reply from <model>.` (JSON built from the schema for `json_schema` requests). */
  readonly reply?: ReplyFunction;
  /** Text of Anthropic Messages answers. Default `Mock reply from <model>.` (JSON for `output_format`). */
  readonly anthropicReply?: AnthropicReplyFunction;
  /** Text of Gemini answers. Default `Mock reply from <model>.` (JSON for `responseMimeType: application/json`). */
  readonly geminiReply?: GeminiReplyFunction;
  /** Text of Responses API answers. Default `Mock reply from <model>.` (JSON for a `text.format` json_schema). */
  readonly responsesReply?: ResponsesReplyFunction;
  /** Record every call in `calls`. Turn off for long benchmark runs so memory stays flat. Default true. */
  readonly recordCalls?: boolean;
  /** Phase durations of videos and vendor tasks; scripts override them per call. Default `{queuedMs: 50, runningMs: 100}`. */
  readonly jobSteps?: JobSteps;
  /** Paths of the generic vendor task API. Default `{create: '/v1/music/generate', get: '/v1/music/tasks/{id}'}`. */
  readonly taskPaths?: TaskPaths;
  /**
   * Largest uploaded file (bytes) the multipart endpoints accept, else 413. Default: as upstream, 25 MiB for
   * audio files and 50 MiB for images and video references.
   */
  readonly uploadLimitBytes?: number;
  /** Epoch milliseconds now, read for job phases and `created` fields. Default `Date.now`; tests pass a fake clock. */
  readonly clock?: () => number;
}

/** Options of {@link startMockProvider}. */
export interface MockProviderOptions extends MockHandlerOptions {
  /** Interface to listen on. Default `127.0.0.1`. */
  readonly host?: string;
  /** Port to listen on; 0 picks a free one. Default 0. */
  readonly port?: number;
}

/**
 * How a recorded call ended. `pending` while it runs; `completed` when the whole response was written;
 * `aborted` when the client (or `close()`) closed the connection first; `error` when the mock cut the
 * response on purpose (`dropAfterChunks`) or failed.
 */
export type CallOutcome = 'pending' | 'completed' | 'aborted' | 'error';

/** One request the mock received. */
export interface RecordedCall {
  /** The `model` of the request body, when there is one. */
  readonly model: string | undefined;
  /** The request path without the query string, as received. */
  readonly path: string;
  readonly method: string;
  /** Request headers, lowercased, `authorization` included. */
  readonly headers: IncomingHttpHeaders;
  /**
   * The parsed JSON body, the raw string when it is not JSON, `undefined` when empty. For a multipart/form-data
   * request: its text fields (see `upload` for the files).
   */
  readonly body: unknown;
  /** What a multipart/form-data request carried: text fields, files and their sizes. `undefined` for other bodies. */
  readonly upload: UploadSummary | undefined;
  /** The ID of the object this call created (`resp_…`, `video_…`, a task ID), when it created one. */
  readonly mintedId: string | undefined;
  /** The ID of a mock-made object this call named: the `{id}` of its path, `previous_response_id`, `remix` source. */
  readonly referencedId: string | undefined;
  /** Whether the request asked for a stream. */
  readonly stream: boolean;
  /** Epoch ms when the request arrived. */
  readonly startedAt: number;
  /** Epoch ms when the response ended or the connection closed. */
  readonly endedAt: number | undefined;
  /** The status the mock sent, once headers are out. */
  readonly status: number | undefined;
  readonly outcome: CallOutcome;
}

/** One file of a multipart/form-data upload, as it streamed through (its bytes are counted, not kept). */
export interface UploadedFile {
  /** The form field, e.g. `file`, `image`, `image[]`, `mask`, `input_reference`. */
  readonly field: string;
  /** The file name the client sent, when it sent one. */
  readonly filename: string | undefined;
  /** The part's declared content type. */
  readonly contentType: string;
  /** Bytes received. */
  readonly bytes: number;
}

/** What a multipart/form-data request carried. */
export interface UploadSummary {
  /** Text fields by name; a name sent more than once (`timestamp_granularities[]`) maps to all its values. */
  readonly fields: Readonly<Record<string, string | readonly string[]>>;
  readonly files: readonly UploadedFile[];
  /** Bytes of all files together. */
  readonly fileBytes: number;
}

/** Recorded calls and scripts shared by a handler and the server around it. */
export interface MockControls {
  /** Calls received so far, oldest first. The array is live: it grows as calls arrive. */
  readonly calls: readonly RecordedCall[];
  /**
   * The recorded calls that minted `id` or named it (path `{id}`, `previous_response_id`, remix source), oldest
   * first: a test checks that a follow-up reached the mock that made the ID.
   */
  callsFor(id: string): readonly RecordedCall[];
  /**
   * Forget recorded calls, Anthropic prompt-cache entries, stored responses, videos, tasks and served media;
   * go back to the option scripts (sequences restart).
   */
  reset(): void;
  /** Replace the script of one model (`*` for any model); its sequence restarts. */
  script(model: string, behaviours: BehaviourScript): void;
}

/** A node request handler that serves the OpenAI, Anthropic and Gemini APIs, with its controls attached. */
export type MockHandler = ((req: IncomingMessage, res: ServerResponse) => void) & MockControls;

/** A started mock provider. */
export interface MockProvider extends MockControls {
  /** Base URL including `/v1`, e.g. `http://127.0.0.1:41234/v1`: the OpenAI client's `baseURL`. */
  readonly url: string;
  /**
   * Scheme, host and port without a path, e.g. `http://127.0.0.1:41234`: the Anthropic client's `baseURL`;
   * Gemini lives under `${origin}/v1beta`.
   */
  readonly origin: string;
  readonly port: number;
  /** Stop listening and destroy every open connection, hanging requests included. */
  close(): Promise<void>;
}
