// The failover loop of one request: the plan says what to try next, each try is one forwardAttempt, and
// the last result goes to the client. The decisions themselves are @switchyard/failover's.
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  anthropicErrorBody,
  openAIErrorBody,
  type ParsedRequest,
  type Policy,
  type ProviderConfig,
  type ProviderFormat,
  type RoutingRecord,
  type Selection,
  type SignalReader,
  type SwitchyardError,
  type Target,
} from '@switchyard/core';
import {
  FailoverPlan,
  RequestNeeds,
  requestedSchema,
  type AttemptReport,
  type CooldownRegistry,
  type OutputValidator,
  type SchemaChecker,
} from '@switchyard/failover';
import type { NextFunction } from 'express';
import { translatedWhole } from './client-answer.js';
import { deliver } from './deliver.js';
import { ATTEMPTS_HEADER, FALLBACK_REASON_HEADER } from './failover-headers.js';
import { ANTHROPIC_OVERLOADED } from '@switchyard/formats';
import { forwardAttempt, type AttemptAnswered, type AttemptResult } from './forward-attempt.js';
import type { AttemptTimeouts } from './options.js';
import type { Upstream } from './upstream.js';
import { wiresFor, type Outgoing, type Wire } from '@switchyard/formats';

/** What one dispatch() instance shares across its requests. */
export interface ServeContext {
  readonly policy: Policy;
  readonly upstreams: ReadonlyMap<string, Upstream>;
  readonly timeouts: AttemptTimeouts;
  readonly cooldowns: CooldownRegistry;
  readonly schemas: SchemaChecker;
}

export interface ServeRequest {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly next: NextFunction;
  readonly request: ParsedRequest;
  readonly record: RoutingRecord;
  readonly selection: Selection;
  readonly target: Target;
  readonly signals: SignalReader | undefined;
}

export async function serve(ctx: ServeContext, r: ServeRequest): Promise<void> {
  const { req, res, request, record } = r;
  const wires = wiresFor(request.endpoint);
  const plan = new FailoverPlan({
    policy: ctx.policy,
    record,
    selection: r.selection,
    model: r.target.model,
    cooldowns: ctx.cooldowns,
    needs: new RequestNeeds(r.signals, record),
    callable: expressible(request, wires),
  });
  const schema = request.endpoint === 'chat' ? requestedSchema(request.body) : undefined;
  const validate = schema && ctx.schemas.validator(schema);
  const streaming = request.body.stream === true;
  let outgoing: Outgoing | undefined;
  let outgoingModel: string | undefined;
  let wire: Wire | undefined;
  let last: AttemptResult | undefined;
  for (let step = await plan.first(); step.kind === 'attempt'; ) {
    // A client that went away takes every planned attempt with it.
    if (step.delayMs > 0 && !(await pause(step.delayMs, res))) return;
    if (res.closed) return;
    // dispatch() checked the chosen model's format, the plan every fallback's.
    wire = wires.get(step.provider.format)!;
    if (step.model.id !== outgoingModel) {
      try {
        outgoing = wire.outgoing(request, step.model, step.provider);
      } catch (err) {
        return r.next(err);
      }
      outgoingModel = step.model.id;
    }
    last = await forwardAttempt({
      req,
      res,
      upstream: ctx.upstreams.get(step.provider.name)!,
      model: step.model.id,
      credential: step.credential,
      body: outgoing!.body,
      path: outgoing!.path,
      timeouts: ctx.timeouts,
      firstByte: step.firstByte,
      // A JSON answer in another format is translated whole; a schema is checked on the whole answer.
      whole: validate !== undefined || (wire.answer !== undefined && !streaming),
    });
    if (last.kind === 'answered' && last.body && wire.answer) last = translatedWhole(last, wire.answer, errorBodyFor(request));
    step = await plan.next(report(last, validate, ctx.schemas, step.provider.format));
    if (step.kind === 'attempt' && last.kind === 'answered') discard(last);
  }
  if (!last) return;
  res.setHeader(ATTEMPTS_HEADER, record.attempts.length);
  if (record.fallbackReason !== undefined && last.attempt.model !== r.target.model)
    res.setHeader(FALLBACK_REASON_HEADER, record.fallbackReason);
  if (last.kind === 'failed') {
    if (last.error) r.next(last.error);
    return;
  }
  await deliver({ res, answered: last, record, request, deadlineAt: plan.deadlineAt, translator: wire?.answer });
}

/**
 * Whether a fallback's provider can take this request: the endpoint has a wire to its format, and the
 * request translates into it (a request with `n: 2` does not, into Anthropic's). Translations are tried
 * once per format, and only for fallbacks of a format other than the client's.
 */
function expressible(request: ParsedRequest, wires: ReadonlyMap<ProviderFormat, Wire>): (provider: ProviderConfig) => boolean {
  let known: Map<ProviderFormat, boolean> | undefined;
  return (provider) => {
    const wire = wires.get(provider.format);
    if (!wire) return false;
    if (!wire.answer) return true;
    known ??= new Map();
    let ok = known.get(provider.format);
    if (ok === undefined) {
      try {
        wire.outgoing(request, { id: String(request.body.model), provider: provider.name, capabilities: new Set() }, provider);
        ok = true;
      } catch {
        ok = false;
      }
      known.set(provider.format, ok);
    }
    return ok;
  };
}

/** The client's error shape, for an answer the gateway could not translate. */
function errorBodyFor(request: ParsedRequest): (err: SwitchyardError) => Buffer {
  const render = request.endpoint === 'messages' ? anthropicErrorBody : openAIErrorBody;
  return (err) => Buffer.from(JSON.stringify(render(err)));
}

function report(
  result: AttemptResult,
  validate: OutputValidator | undefined,
  schemas: SchemaChecker,
  format: ProviderFormat,
): AttemptReport {
  if (result.kind === 'failed') return { kind: 'failed', outcome: result.outcome };
  const { response, body, attempt } = result;
  let status = response.statusCode ?? 0;
  const ok = status >= 200 && status <= 299;
  const schemaViolation = ok && validate && body ? schemas.check(validate, body) : undefined;
  if (schemaViolation) attempt.errorClass = 'schema_invalid';
  // Anthropic's "overloaded" is what 503 says elsewhere: the same triggers apply to it.
  if (status === ANTHROPIC_OVERLOADED && format === 'anthropic') status = 503;
  return { kind: 'answered', status, headers: response.headers, schemaViolation };
}

/** An answer that will not be passed on: its entry is completed, and its body drained so the connection can be reused. */
function discard(answered: AttemptAnswered): void {
  const { attempt, response } = answered;
  attempt.endedAt = Date.now();
  // The answer's status as the gateway saw it: a 2xx body it could not translate counts as a 502.
  const status = response.statusCode ?? 0;
  attempt.outcome = status >= 200 && status <= 299 ? 'ok' : 'http_error';
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
