import type {
  AnthropicReplyFunction,
  GeminiReplyFunction,
  MockHandlerOptions,
  ReplyFunction,
  ResponsesReplyFunction,
  TaskPaths,
} from './types.js';

/** Models `GET /v1/models` lists when the options name none. */
export const DEFAULT_MODELS: readonly string[] = ['gpt-4o-mini', 'gpt-4o-2024-08-06'];

/** Paths of the generic vendor task API when the options name none. */
export const DEFAULT_TASK_PATHS: TaskPaths = { create: '/v1/music/generate', get: '/v1/music/tasks/{id}' };

const DEFAULT_QUEUED_MS = 50;
const DEFAULT_RUNNING_MS = 100;

/** Options with defaults filled in and lookups precomputed, built once per handler. */
export interface MockConfig {
  /** Accepted bearer keys; `undefined` means every request is let in. */
  readonly apiKeys: ReadonlySet<string> | undefined;
  readonly models: readonly string[];
  readonly modelSet: ReadonlySet<string>;
  readonly strictModels: boolean;
  readonly reply: ReplyFunction | undefined;
  readonly anthropicReply: AnthropicReplyFunction | undefined;
  readonly geminiReply: GeminiReplyFunction | undefined;
  readonly responsesReply: ResponsesReplyFunction | undefined;
  readonly jobSteps: { readonly queuedMs: number; readonly runningMs: number };
  readonly taskPaths: TaskPaths;
  /** Per-file upload cap overriding the per-endpoint defaults, when set. */
  readonly uploadLimitBytes: number | undefined;
  readonly clock: () => number;
}

/** Fills in defaults and checks the option types a JavaScript caller could get wrong. */
export function resolveConfig(options: MockHandlerOptions): MockConfig {
  const models = options.models ?? DEFAULT_MODELS;
  if (!Array.isArray(models) || models.some((model) => typeof model !== 'string')) {
    throw new TypeError('mock-provider: `models` must be an array of strings.');
  }
  const apiKeys = options.apiKeys;
  if (apiKeys !== undefined && (!Array.isArray(apiKeys) || apiKeys.some((key) => typeof key !== 'string'))) {
    throw new TypeError('mock-provider: `apiKeys` must be an array of strings.');
  }
  const queuedMs = options.jobSteps?.queuedMs ?? DEFAULT_QUEUED_MS;
  const runningMs = options.jobSteps?.runningMs ?? DEFAULT_RUNNING_MS;
  if (!isDuration(queuedMs) || !isDuration(runningMs)) {
    throw new TypeError('mock-provider: `jobSteps.queuedMs` and `jobSteps.runningMs` must be non-negative numbers.');
  }
  const taskPaths = options.taskPaths ?? DEFAULT_TASK_PATHS;
  if (!taskPaths.create.startsWith('/') || !taskPaths.get.startsWith('/') || !taskPaths.get.includes('{id}')) {
    throw new TypeError('mock-provider: `taskPaths` must be absolute paths, and `get` must hold `{id}`.');
  }
  const uploadLimitBytes = options.uploadLimitBytes;
  if (uploadLimitBytes !== undefined && !(Number.isInteger(uploadLimitBytes) && uploadLimitBytes > 0)) {
    throw new TypeError('mock-provider: `uploadLimitBytes` must be a positive integer.');
  }
  return {
    apiKeys: apiKeys === undefined ? undefined : new Set(apiKeys),
    models,
    modelSet: new Set(models),
    strictModels: options.strictModels ?? false,
    reply: options.reply,
    anthropicReply: options.anthropicReply,
    geminiReply: options.geminiReply,
    responsesReply: options.responsesReply,
    jobSteps: { queuedMs, runningMs },
    taskPaths,
    uploadLimitBytes,
    clock: options.clock ?? Date.now,
  };
}

function isDuration(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}
