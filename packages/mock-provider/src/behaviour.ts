import type { IncomingHttpHeaders } from 'node:http';
import type { Behaviour, BehaviourScript } from './types.js';

/** The request headers that script one call; they win over the model's script field by field. */
export const MOCK_HEADERS = {
  status: 'x-mock-status',
  retryAfter: 'x-mock-retry-after',
  latencyMs: 'x-mock-latency-ms',
  firstByteDelayMs: 'x-mock-first-byte-ms',
  fault: 'x-mock-fault',
  chunks: 'x-mock-chunks',
  chunkIntervalMs: 'x-mock-chunk-interval-ms',
  dropAfterChunks: 'x-mock-drop-after-chunks',
  streamError: 'x-mock-stream-error',
  finishReason: 'x-mock-finish-reason',
  cachedTokens: 'x-mock-cached-tokens',
  jobQueuedMs: 'x-mock-job-queued-ms',
  jobRunningMs: 'x-mock-job-running-ms',
  jobFailure: 'x-mock-job-failure',
} as const;

/** Values of `x-mock-fault`. */
export const MOCK_FAULTS = ['hang', 'drop', 'malformed'] as const;

/** The script key that applies to every model without its own entry. */
export const ANY_MODEL = '*';

const NONE: Behaviour = Object.freeze({});

interface Sequence {
  readonly steps: readonly Behaviour[];
  next: number;
}

/** Per-model behaviour sequences: each call takes the next step; the last step repeats. */
export class ScriptBook {
  readonly #initial: Readonly<Record<string, BehaviourScript>>;
  readonly #sequences = new Map<string, Sequence>();

  constructor(initial: Readonly<Record<string, BehaviourScript>> = {}) {
    this.#initial = initial;
    this.reset();
  }

  /** Replaces the script of `model` and restarts its sequence. */
  set(model: string, script: BehaviourScript): void {
    const steps = isSequence(script) ? [...script] : [script];
    this.#sequences.set(model, { steps, next: 0 });
  }

  /** Takes the behaviour for the next call to `model`, or `undefined` when nothing is scripted. */
  take(model: string | undefined): Behaviour | undefined {
    const sequence = (model !== undefined && this.#sequences.get(model)) || this.#sequences.get(ANY_MODEL);
    if (!sequence || sequence.steps.length === 0) return undefined;
    const index = Math.min(sequence.next, sequence.steps.length - 1);
    sequence.next += 1;
    return sequence.steps[index];
  }

  /** Drops runtime scripts and restarts the scripts given at construction. */
  reset(): void {
    this.#sequences.clear();
    for (const [model, script] of Object.entries(this.#initial)) this.set(model, script);
  }
}

function isSequence(script: BehaviourScript): script is readonly Behaviour[] {
  return Array.isArray(script);
}

/** Thrown when an `x-mock-*` header has a value the mock cannot use. */
export class MockHeaderError extends Error {
  override readonly name = 'MockHeaderError';
}

/**
 * The behaviour scripted by `x-mock-*` headers, or `undefined` when there are none.
 * @throws {MockHeaderError} when a header value is invalid.
 */
export function behaviourFromHeaders(headers: IncomingHttpHeaders): Behaviour | undefined {
  const status = header(headers, MOCK_HEADERS.status);
  const retryAfter = header(headers, MOCK_HEADERS.retryAfter);
  const latency = header(headers, MOCK_HEADERS.latencyMs);
  const firstByte = header(headers, MOCK_HEADERS.firstByteDelayMs);
  const fault = header(headers, MOCK_HEADERS.fault);
  const chunks = header(headers, MOCK_HEADERS.chunks);
  const interval = header(headers, MOCK_HEADERS.chunkIntervalMs);
  const dropAfter = header(headers, MOCK_HEADERS.dropAfterChunks);
  const streamError = header(headers, MOCK_HEADERS.streamError);
  const finishReason = header(headers, MOCK_HEADERS.finishReason);
  const cachedTokens = header(headers, MOCK_HEADERS.cachedTokens);
  const jobQueued = header(headers, MOCK_HEADERS.jobQueuedMs);
  const jobRunning = header(headers, MOCK_HEADERS.jobRunningMs);
  const jobFailure = header(headers, MOCK_HEADERS.jobFailure);
  if (
    status === undefined &&
    retryAfter === undefined &&
    latency === undefined &&
    firstByte === undefined &&
    fault === undefined &&
    chunks === undefined &&
    interval === undefined &&
    dropAfter === undefined &&
    streamError === undefined &&
    finishReason === undefined &&
    cachedTokens === undefined &&
    jobQueued === undefined &&
    jobRunning === undefined &&
    jobFailure === undefined
  ) {
    return undefined;
  }

  const behaviour: { -readonly [K in keyof Behaviour]: Behaviour[K] } = {};
  if (status !== undefined) behaviour.status = integer(MOCK_HEADERS.status, status, 100, 599);
  if (retryAfter !== undefined) behaviour.retryAfter = retryAfter;
  if (latency !== undefined) behaviour.latencyMs = integer(MOCK_HEADERS.latencyMs, latency);
  if (firstByte !== undefined) behaviour.firstByteDelayMs = integer(MOCK_HEADERS.firstByteDelayMs, firstByte);
  if (chunks !== undefined) behaviour.chunks = integer(MOCK_HEADERS.chunks, chunks, 1);
  if (interval !== undefined) behaviour.chunkIntervalMs = integer(MOCK_HEADERS.chunkIntervalMs, interval);
  if (dropAfter !== undefined) behaviour.dropAfterChunks = integer(MOCK_HEADERS.dropAfterChunks, dropAfter);
  if (streamError !== undefined) behaviour.streamError = integer(MOCK_HEADERS.streamError, streamError, 400, 599);
  if (finishReason !== undefined) behaviour.finishReason = finishReason;
  if (cachedTokens !== undefined) behaviour.cachedTokens = integer(MOCK_HEADERS.cachedTokens, cachedTokens);
  if (jobQueued !== undefined) behaviour.jobQueuedMs = integer(MOCK_HEADERS.jobQueuedMs, jobQueued);
  if (jobRunning !== undefined) behaviour.jobRunningMs = integer(MOCK_HEADERS.jobRunningMs, jobRunning);
  if (jobFailure !== undefined) behaviour.jobFailure = jobFailure;
  if (fault === 'hang') behaviour.hang = true;
  else if (fault === 'malformed') behaviour.malformed = true;
  else if (fault === 'drop') behaviour.dropAfterChunks ??= 1;
  else if (fault !== undefined) {
    throw new MockHeaderError(`Invalid ${MOCK_HEADERS.fault}: expected one of ${MOCK_FAULTS.join(', ')}.`);
  }
  return behaviour;
}

/** The behaviour of one call: the model's next scripted step, overridden field by field by headers. */
export function resolveBehaviour(book: ScriptBook, model: string | undefined, headers: IncomingHttpHeaders): Behaviour {
  const fromHeaders = behaviourFromHeaders(headers);
  const fromScript = book.take(model);
  if (!fromHeaders) return fromScript ?? NONE;
  return fromScript ? { ...fromScript, ...fromHeaders } : fromHeaders;
}

/**
 * {@link resolveBehaviour} for a route that answers a bad `x-mock-*` header with a 400 in its own API's
 * shape: the behaviour, or the header's problem as a message.
 */
export function scriptedBehaviour(
  book: ScriptBook,
  model: string | undefined,
  headers: IncomingHttpHeaders,
): { readonly behaviour: Behaviour } | { readonly headerError: string } {
  try {
    return { behaviour: resolveBehaviour(book, model, headers) };
  } catch (error) {
    if (!(error instanceof MockHeaderError)) throw error;
    return { headerError: error.message };
  }
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function integer(name: string, raw: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new MockHeaderError(`Invalid ${name}: expected an integer from ${min} to ${max}, got "${raw}".`);
  }
  return value;
}
