// The last attempt's answer, passed to the client in its format: within the call's deadline, and never
// presented as complete when the upstream cut it.
import type { ServerResponse } from 'node:http';
import type { ParsedRequest, RoutingContext, Scrubber } from '@switchyard/core';
import type { AnswerTranslator, StreamEnd } from '@switchyard/formats';
import { replayed, translatedError, translatedStream, type TranslatedStream } from './client-answer.js';
import type { AttemptAnswered } from './forward-attempt.js';
import { relayAnswer } from './relay.js';
import { endCutAnswer } from './stream-error.js';

export interface DeliverOptions {
  readonly res: ServerResponse;
  /** The answer; a `body` it carries is already in the client's format. */
  readonly answered: AttemptAnswered;
  readonly ctx: RoutingContext;
  readonly request: ParsedRequest;
  /** Epoch ms at which an answer still passing is cut (`total_ms`). */
  readonly deadlineAt: number | undefined;
  /** Turns the answer into the client's format; `undefined` when it passes through as the upstream sent it. */
  readonly translator: AnswerTranslator | undefined;
  readonly scrubber: Scrubber;
}

const CUT_MESSAGES: Readonly<Record<string, string>> = {
  upstream_dropped: 'The upstream closed the connection before the answer was complete.',
  upstream_stalled: 'The upstream stopped sending before the answer was complete.',
  total_timeout: "The answer did not complete within the call's time limit (total_ms).",
};

/** How a translated stream that ended without its answer is recorded: the client already got the error event. */
const UNFINISHED: Readonly<Record<Exclude<StreamEnd, 'done'>, string>> = {
  upstream_error: 'upstream_stream_error',
  incomplete: 'upstream_stream_incomplete',
  unreadable: 'upstream_bad_response',
};

export async function deliver(options: DeliverOptions): Promise<void> {
  const { res, ctx, request, deadlineAt, translator, scrubber } = options;
  const { record } = ctx;
  const upstream = options.answered;
  const ok = (upstream.response.statusCode ?? 0) >= 200 && (upstream.response.statusCode ?? 0) <= 299;
  // Only a model whose answer reaches the client served the call; an error answer names its model apart.
  if (ok) record.servedModel = upstream.entry.model;
  else record.errorModel = upstream.entry.model;
  let expired = false;
  const timer =
    deadlineAt === undefined
      ? undefined
      : setTimeout(
          () => {
            expired = true;
            upstream.cancel();
          },
          Math.max(0, deadlineAt - Date.now()),
        );
  let answered = upstream;
  let stream: TranslatedStream | undefined;
  const status = upstream.response.statusCode ?? 502;
  if (upstream.body) answered = replayed(upstream, status, upstream.response.headers, upstream.body);
  else if (translator && (status < 200 || status > 299)) answered = await translatedError(upstream, translator);
  else if (translator) {
    stream = translatedStream(upstream, translator, request);
    answered = stream.answered;
  }
  const outcome = await relayAnswer({ res, answered, ctx, request, scrubber, usage: stream?.usage });
  clearTimeout(timer);
  const { entry } = answered;
  const ended = stream?.ended();
  if (outcome === 'ok' && ended !== undefined && ended !== 'done') {
    const code = UNFINISHED[ended];
    entry.ended('stream_cut', code);
    record.error = { status: res.statusCode, type: 'api_error', code };
  }
  if (outcome !== 'stream_cut') return;
  if (expired) entry.classify('total_timeout');
  record.error = { status: res.statusCode, type: 'api_error', code: 'stream_cut' };
  const message = CUT_MESSAGES[entry.attempt.errorClass ?? ''] ?? CUT_MESSAGES.upstream_dropped!;
  endCutAnswer(res, answered.response.headers['content-type'], request.endpoint, message);
}
