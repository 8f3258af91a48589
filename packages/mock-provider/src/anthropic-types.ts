/** A content block of an Anthropic message (`text`, `image`, `tool_use`, `tool_result`, …); checked by `type`. */
export interface AnthropicContentBlock {
  readonly type: string;
  readonly [field: string]: unknown;
}

/** One turn of an Anthropic Messages request. */
export interface AnthropicMessageParam {
  readonly role: 'user' | 'assistant';
  readonly content: string | readonly AnthropicContentBlock[];
}

/** A custom tool the model may call. */
export interface AnthropicTool {
  readonly name: string;
  readonly description?: string;
  readonly input_schema: Readonly<Record<string, unknown>>;
  readonly [field: string]: unknown;
}

/** How the model must use the tools: `auto`, `any` (some tool), `tool` (the named one) or `none`. */
export interface AnthropicToolChoice {
  readonly type: 'auto' | 'any' | 'tool' | 'none';
  readonly name?: string;
  readonly disable_parallel_tool_use?: boolean;
}

/** The fields of a `POST /v1/messages` body the mock reads; the others are checked by name and ignored. */
export interface AnthropicMessagesRequest {
  readonly model: string;
  readonly max_tokens: number;
  readonly messages: readonly AnthropicMessageParam[];
  readonly system?: string | readonly AnthropicContentBlock[];
  readonly stop_sequences?: readonly string[];
  readonly stream?: boolean;
  readonly temperature?: number;
  readonly top_p?: number;
  readonly top_k?: number;
  readonly tools?: readonly AnthropicTool[];
  readonly tool_choice?: AnthropicToolChoice;
  /** Structured outputs (beta): `{ type: "json_schema", schema }` answers with JSON built from the schema. */
  readonly output_format?: { readonly type: string; readonly schema?: unknown } | null;
  /** Structured outputs: `format` as `output_format`. */
  readonly output_config?: {
    readonly format?: { readonly type: string; readonly schema?: unknown } | null;
    readonly [field: string]: unknown;
  };
  readonly [field: string]: unknown;
}
