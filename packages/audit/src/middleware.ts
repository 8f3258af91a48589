// audit(): the routing record as OpenTelemetry spans, metrics and (optionally) an audit log line.
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  context,
  diag,
  propagation,
  SpanKind,
  trace,
  type Context,
  type Span,
  type TimeInput,
  type Tracer,
} from '@opentelemetry/api';
import { DEFAULT_WORKFLOW, type Policy, routing, type RoutingContext } from '@switchyard/core';
import type { RequestHandler } from 'express';
import { ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_ROUTE, ATTR_URL_PATH } from './attributes.js';
import { auditLogLine, logWriter, type LogWriter } from './audit-log.js';
import { createInstruments, recordMetrics, type Instruments } from './metrics.js';
import { requestOutcome } from './outcome.js';
import { providerFacts, type ProviderFacts } from './providers.js';
import type { RequestFacts } from './record-attributes.js';
import { SCOPE_NAME, SCOPE_VERSION } from './scope.js';
import { writeSpans, type ServerSpan } from './spans.js';
import type { AuditHandler, AuditOptions } from './types.js';

const KNOWN = new Set<string>(['policy', 'tracerProvider', 'meterProvider', 'metrics', 'useActiveSpan', 'log']);
/**
 * Marks a request some audit() already records, so that mounted twice (an app's and the stack's) it writes
 * once. A symbol property: a WeakSet costs every GC an entry per request.
 */
const AUDITED: unique symbol = Symbol('switchyard.audited');
type Audited = IncomingMessage & { [AUDITED]?: true };

/**
 * Mount first, so it sees every outcome, errors included. When the response closes (finished, failed or
 * abandoned by the client) it writes the routing record onto the request's server span (the active one,
 * e.g. `@opentelemetry/instrumentation-http`'s, else one it starts), adds one CLIENT span per upstream
 * attempt (`chat {model}`) with the record's events on it, records the metrics (GenAI client and server
 * metrics, counters of the routing decisions) and, when `log` is set, one JSON line. Prompt and completion text, client keys and provider credentials are never
 * written. It never fails a request: a failure of its own is reported through `diag`.
 * @throws TypeError for an unknown option or a `log` sink it cannot open.
 */
export function audit(options: AuditOptions = {}): AuditHandler {
  if (typeof options !== 'object' || options === null) throw new TypeError('audit(): options must be an object');
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new TypeError(`audit(): unknown option "${key}" (options: ${[...KNOWN].join(', ')})`);
  }
  const providers = providerFacts(options.policy);
  const presenceOnly = presenceOnlySignals(options.policy);
  const workflowLabels = definedWorkflows(options.policy);
  const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(SCOPE_NAME, SCOPE_VERSION);
  const useActiveSpan = options.useActiveSpan ?? true;
  const log = options.log === undefined ? undefined : logWriter(options.log);
  const wantsMetrics = options.metrics ?? true;
  // Looked up at the first request, so a meter provider registered after the stack was built is used.
  let instruments: Instruments | undefined | null = wantsMetrics ? null : undefined;

  const handler: RequestHandler = function switchyardAudit(req, res, next) {
    if ((req as Audited)[AUDITED]) return next();
    (req as Audited)[AUDITED] = true;
    if (instruments === null) instruments = createInstruments(options.meterProvider);

    let server: ServerSpan | undefined;
    let inner: Context | undefined;
    const active = useActiveSpan ? trace.getActiveSpan() : undefined;
    if (active?.isRecording()) {
      server = { span: active, own: false, release: holdEnd(active) };
    } else {
      // A caller's `traceparent` makes this span part of the caller's trace.
      const parent = propagation.extract(context.active(), req.headers);
      const path = req.baseUrl + req.path;
      const span = tracer.startSpan(
        `${req.method} ${path}`,
        {
          kind: SpanKind.SERVER,
          startTime: routing(req).record.startedAt,
          attributes: { [ATTR_HTTP_REQUEST_METHOD]: req.method, [ATTR_HTTP_ROUTE]: path, [ATTR_URL_PATH]: path },
        },
        parent,
      );
      if (span.isRecording()) server = { span, own: true, release: undefined };
      inner = trace.setSpan(parent, span);
    }

    if (server || instruments || log) {
      const done = { server, instruments, log, tracer, providers, presenceOnly, workflowLabels };
      const ctx = routing(req, res);
      pending++;
      // The record is complete once the call has settled: dispatch() finished it, budget() settled its cost.
      void ctx.settled.then((closed) => complete(req, res, ctx, done, closed.at));
    }
    if (inner) context.with(inner, next);
    else next();
  };
  return Object.assign(handler, { close: () => log?.close() });
}

interface Completion {
  readonly server: ServerSpan | undefined;
  readonly instruments: Instruments | undefined;
  readonly log: LogWriter | undefined;
  readonly tracer: Tracer;
  readonly providers: ReadonlyMap<string, ProviderFacts>;
  readonly presenceOnly: ReadonlySet<string>;
  readonly workflowLabels: ReadonlySet<string>;
}

function complete(req: IncomingMessage, res: ServerResponse, ctx: RoutingContext, done: Completion, closedAt: number): void {
  try {
    const { record, request } = ctx;
    // The workflow the call ran as (workflows() resolved it), else the client's label when nothing resolved it.
    const workflow = record.workflow ?? request?.workflow;
    const facts: RequestFacts = {
      record,
      signalNames: Object.keys(record.signals),
      presenceOnly: done.presenceOnly,
      outcome: requestOutcome(record, res, closedAt),
      providers: done.providers,
      maxTokens: request?.maxOutputTokens,
      finishReasons: record.finishReasons,
      workflow,
      workflowLabel: workflow !== undefined && done.workflowLabels.has(workflow) ? workflow : undefined,
    };
    if (done.server) writeSpans(done.tracer, done.server, facts);
    if (done.instruments) recordMetrics(done.instruments, facts);
    if (done.log) done.log.write(auditLogLine(facts, done.server?.span.spanContext().traceId));
  } catch (err) {
    diag.error(`switchyard audit: could not record ${req.method} ${req.url ?? ''}`, err);
  } finally {
    done.server?.release?.();
    if (--pending === 0) for (const resolve of idle.splice(0)) resolve();
  }
}

/** Requests audit() is recording and has not written yet. */
let pending = 0;
const idle: (() => void)[] = [];

/**
 * Resolves once every request audit() is recording is written (spans ended, metrics recorded): what
 * `setupTracing()`'s `shutdown()` waits for — after the server stopped and its calls ended — before it
 * flushes, so the last calls before a SIGTERM are sent.
 */
export function recordsWritten(): Promise<void> {
  return pending === 0 ? Promise.resolve() : new Promise((resolve) => idle.push(resolve));
}

/**
 * Keeps a span its creator ends when the response closes (instrumentation-http does) open until audit has
 * written it: the end is taken when it is asked for, and applied with that time by the returned function.
 */
function holdEnd(span: Span): () => void {
  const end = span.end;
  let endTime: TimeInput | undefined;
  span.end = (time?: TimeInput) => {
    endTime = time ?? performance.timeOrigin + performance.now();
  };
  return () => {
    span.end = end;
    if (endTime !== undefined) span.end(endTime);
  };
}

/**
 * The workflow names a metric may carry: those the policy defines, and `default`. A client's free label (a
 * policy without `workflows:`, or a call refused before its workflow was resolved) would grow the metrics
 * by a series per name it sends: it stays in spans and the log only.
 */
function definedWorkflows(policy: Policy | undefined): ReadonlySet<string> {
  if (!policy || policy.workflows.size === 0) return new Set();
  return new Set([...policy.workflows.keys(), DEFAULT_WORKFLOW]);
}

/** The declared signals whose values spans must not hold (prompt text): `record: presence`. */
function presenceOnlySignals(policy: Policy | undefined): ReadonlySet<string> {
  const names = new Set<string>();
  for (const signal of policy?.signals.values() ?? []) if (signal.record === 'presence') names.add(signal.name);
  return names;
}
