// The failover loop of one call: the plan says what to try next, each try is one forwardAttempt, and the
// last result goes to the client. The decisions themselves are @switchyard/failover's.
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  errorBody,
  type GatewayIds,
  type ParsedRequest,
  type Policy,
  type ProviderFormat,
  type RoutingContext,
  type Scrubber,
  type Selection,
  type SwitchyardError,
  type Target,
} from '@switchyard/core';
import {
  type CooldownRegistry,
  FailoverPlan,
  judgeAnswer,
  type OutputCheck,
  RequestNeeds,
  requestedSchema,
  type SchemaChecker,
  type UpstreamAnswer,
} from '@switchyard/failover';
import type { AnswerTranslator, Wire } from '@switchyard/formats';
import type { NextFunction } from 'express';
import { OBSERVED_LIMIT } from './answer-observer.js';
import { AttemptLog } from './attempt-log.js';
import type { Candidates } from './candidates.js';
import { badAnswerStart, badResponseError } from './answer-check.js';
import { BAD_RESPONSE, replayed, translatedError, translatedWhole } from './client-answer.js';
import { gatewayOverloaded } from './errors.js';
import { withGatewayIds } from './media-call.js';
import { withStreamedGatewayId } from './stream-ids.js';
import { deliver } from './deliver.js';
import { ATTEMPTS_HEADER, FALLBACK_REASON_HEADER } from './failover-headers.js';
import { FinishReasons } from './finish-reasons.js';
import { type AttemptAnswered, type AttemptResult, FIRST_TOKEN_TIMEOUT, forwardAttempt } from './forward-attempt.js';
import type { AttemptTimeouts } from './options.js';
import type { HeaderFilter } from './outgoing.js';
import type { Upstream } from './upstream.js';

/** What one dispatch() instance shares across its calls. */
export interface DispatchShared {
  readonly policy: Policy;
  readonly upstreams: ReadonlyMap<string, Upstream>;
  /** Takes the policy's provider credentials out of whatever goes back to the client. */
  readonly scrubber: Scrubber;
  /** Which client headers each provider gets, by provider name. */
  readonly headerFilters: ReadonlyMap<string, HeaderFilter>;
  readonly timeouts: AttemptTimeouts;
  readonly cooldowns: CooldownRegistry;
  readonly schemas: SchemaChecker;
  /** Wraps and reads gateway IDs (`ids:` in the policy); `undefined` when the policy has no ID key. */
  readonly ids?: GatewayIds;
}

export interface Call {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly next: NextFunction;
  readonly ctx: RoutingContext;
  readonly request: ParsedRequest;
  readonly selection: Selection;
  readonly target: Target;
  readonly candidates: Candidates;
}

export async function runCall(shared: DispatchShared, call: Call): Promise<void> {
  const { req, res, ctx, request, candidates } = call;
  const { record } = ctx;
  const log = new AttemptLog(record);
  const plan = new FailoverPlan({
    policy: shared.policy,
    record,
    selection: call.selection,
    model: call.target.model,
    cooldowns: shared.cooldowns,
    needs: new RequestNeeds(ctx.signals),
    callable: (provider, model) => candidates.callable(provider, model),
  });
  const output = outputCheck(request, shared.schemas);
  // A stored Responses answer's ID goes to the client as a gateway ID (read whole: it is one JSON object).
  const wrapsIds = shared.ids !== undefined && request.endpoint === 'responses' && !request.stream;
  let last: AttemptResult | undefined;
  let wire: Wire | undefined;
  for (let step = await plan.first(); step.kind === 'attempt'; ) {
    // A client that went away takes every planned attempt with it.
    if (step.delayMs > 0 && !(await pause(step.delayMs, res))) return;
    if (res.closed) return;
    const candidate = candidates.for(step.model, step.provider);
    // The plan checked every fallback; only the chosen model's own refusal gets here.
    if ('refused' in candidate) return call.next(candidate.refused);
    wire = candidate.wire;
    const { outgoing } = candidate;
    const upstream = shared.upstreams.get(step.provider.name)!;
    const slot = upstream.slots.acquire(shared.timeouts.connectMs);
    const release = slot instanceof Promise ? await slot : slot;
    // No connection for it: the gateway's own limit, not the provider's failure; nothing was sent.
    if (!release) return call.next(gatewayOverloaded(step.provider));
    if (res.closed) return release();
    last = await forwardAttempt({
      req,
      res,
      entry: log.begin(step.provider.name, step.model.id, step.credential?.index ?? -1),
      provider: step.provider,
      upstream,
      release,
      headerFilter: shared.headerFilters.get(step.provider.name)!,
      credential: step.credential,
      body: outgoing.body,
      path: outgoing.path,
      timeouts: shared.timeouts,
      firstByte: step.firstByte,
      // A JSON answer in another format is translated whole; a schema or a refusal is checked on the whole answer.
      whole: wrapsIds || output !== undefined || (!request.stream && (wire.answer !== undefined || plan.needsWholeAnswer)),
    });
    if (last.kind === 'answered' && last.body && wire.answer) last = translatedWhole(last, wire.answer, errorBodyFor(request));
    else if (last.kind === 'answered' && !wire.answer) last = checkedStart(last, request, step.provider.name);
    if (last.kind === 'answered' && !last.body && plan.needsErrorBody) last = await withClientError(last, wire.answer);
    const report = judgeAnswer(upstreamAnswer(last, step.provider.format, request.format), output);
    if (report.kind === 'answered' && report.schemaViolation) last.entry.classify('schema_invalid');
    step = await plan.next(report);
    if (step.kind === 'attempt' && last.kind === 'answered') discard(last);
  }
  if (!last) return;
  res.setHeader(ATTEMPTS_HEADER, record.attempts.length);
  if (record.fallbackReason !== undefined && last.entry.model !== call.target.model)
    res.setHeader(FALLBACK_REASON_HEADER, record.fallbackReason);
  if (last.kind === 'failed') {
    if (last.error) call.next(last.error);
    return;
  }
  if (
    shared.ids &&
    request.endpoint === 'responses' &&
    shared.policy.providers.get(last.entry.attempt.provider)?.format === 'openai'
  ) {
    const route = call.selection.kind === 'route' ? call.selection.route : undefined;
    const minter = { provider: last.entry.attempt.provider, model: last.entry.model, route };
    last = wrapsIds
      ? withGatewayIds(last, 'resp', shared.ids, record, minter)
      : withStreamedGatewayId(last, shared.ids, record, minter);
  }
  await deliver({
    res,
    answered: last,
    ctx,
    request,
    deadlineAt: plan.deadlineAt,
    translator: wire?.answer,
    scrubber: shared.scrubber,
  });
}

/** A 2xx answer passing through unread, checked to begin like one: otherwise a 502 in the client's shape. */
function checkedStart(answered: AttemptAnswered, request: ParsedRequest, provider: string): AttemptAnswered {
  const { response } = answered;
  const status = response.statusCode ?? 0;
  if (status < 200 || status > 299) return answered;
  const why = badAnswerStart(answered, request);
  if (why === undefined) return answered;
  answered.entry.classify(BAD_RESPONSE);
  // Read and dropped, so the connection can be kept.
  if (!response.readableEnded) response.resume();
  const body = errorBodyFor(request)(badResponseError(provider, why));
  return replayed(answered, 502, { 'content-type': 'application/json', 'content-length': String(body.length) }, body);
}

/** The structured-output check of a non-streamed chat request with a JSON schema. */
function outputCheck(request: ParsedRequest, schemas: SchemaChecker): OutputCheck | undefined {
  const schema = request.endpoint === 'chat' ? requestedSchema(request.body) : undefined;
  const validate = schema && schemas.validator(schema);
  return validate ? { validate, checker: schemas } : undefined;
}

/** `bodyFormat`: the format of a body read whole (the client's: it is translated first). */
function upstreamAnswer(result: AttemptResult, format: ProviderFormat, bodyFormat: ProviderFormat): UpstreamAnswer {
  if (result.kind === 'failed')
    return result.entry.attempt.errorClass === FIRST_TOKEN_TIMEOUT
      ? { kind: 'failed', outcome: result.outcome, firstToken: true }
      : { kind: 'failed', outcome: result.outcome };
  const { response, body } = result;
  const status = response.statusCode ?? 0;
  const reasons = body && status >= 200 && status <= 299 ? new FinishReasons(bodyFormat) : undefined;
  reasons?.scan(body!);
  return { kind: 'answered', status, headers: response.headers, format, body, finishReasons: reasons?.reasons };
}

/** A 4xx answer read whole, in the client's error shape, for the plan to read its error (`unsupported_input`). */
async function withClientError(answered: AttemptAnswered, translator: AnswerTranslator | undefined): Promise<AttemptAnswered> {
  const status = answered.response.statusCode ?? 0;
  if (status < 400 || status > 499) return answered;
  if (translator) return translatedError(answered, translator);
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of answered.response as AsyncIterable<Buffer>) {
      if ((length += chunk.length) <= OBSERVED_LIMIT) chunks.push(chunk);
    }
  } catch {
    // Cut short: what arrived is the error the client gets, as it would have been.
  }
  return replayed(answered, status, answered.response.headers, Buffer.concat(chunks));
}

/** The client's error shape, for an answer the gateway could not translate. */
function errorBodyFor(request: ParsedRequest): (err: SwitchyardError) => Buffer {
  return (err) => Buffer.from(JSON.stringify(errorBody(request.format, err)));
}

/** An answer that will not be passed on: its entry is completed, and its body drained so the connection can be reused. */
function discard(answered: AttemptAnswered): void {
  const { entry, response } = answered;
  // The answer's status as the gateway saw it: a 2xx body it could not translate counts as a 502.
  const status = response.statusCode ?? 0;
  entry.ended(status >= 200 && status <= 299 ? 'ok' : 'http_error');
  if (!response.readableEnded) response.resume();
}

/** Waits `ms`; `false` as soon as the client goes away. */
function pause(ms: number, res: ServerResponse): Promise<boolean> {
  if (res.closed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onClose = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      res.off('close', onClose);
      resolve(true);
    }, ms);
    res.once('close', onClose);
  });
}
