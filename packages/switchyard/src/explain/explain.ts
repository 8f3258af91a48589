// explainRequest(): what the gateway would do with a request, decided by the stack's own middlewares and
// failover plan, without calling any provider.
import {
  allowedFallbacks,
  listedFallbacks,
  routing,
  SwitchyardError,
  type Policy,
  type RoutingContext,
  type RoutingEvent,
  type Selection,
  type SignalValue,
  type WorkflowConfig,
} from '@switchyard/core';
import { SIGNAL_MONTHLY_SPEND_PCT, SIGNAL_WORKFLOW_SPEND_PCT } from '@switchyard/budget';
import { EVENT_FALLBACK, EVENT_FALLBACK_SKIPPED } from '@switchyard/failover';
import { keys, presentedKey } from '@switchyard/keys';
import { pin } from '@switchyard/pinning';
import { rules, workflows } from '@switchyard/rules';
import { signals, SIGNAL_OWNER } from '@switchyard/signals';
import type { Request } from 'express';
import type { CompiledPolicy } from '../compile.js';
import { checkBudget, type BudgetTrace } from './budget-check.js';
import { formatRefusal } from './candidates.js';
import { GIVEN_RUN_SPEND_USD, GivenSignals, parseGiven } from './given.js';
import { keyView } from './key-view.js';
import { signalTrace, traceRules, type RuleTrace } from './rule-trace.js';
import { simulateCall, type SimulatedCall, type UpstreamOutcome } from './simulate.js';
import { syntheticCall, runMiddleware } from './synthetic.js';
import { checkUpstreamScript } from './upstream-script.js';
import type { ExplainInput, Explanation, FallbackTrace, Refusal, RefusalStage } from './types.js';

/** Where a request goes unless the input names a path. */
export const DEFAULT_EXPLAIN_PATH = '/chat/completions';

/**
 * Explains `input` under `compiled`: the client key's owner and allow list (keys()), the parsed request
 * (signals()), each rule with the signals it read (rules' evaluateRoute), the pinned model (pin()), the
 * budget's decision (budget(), on a what-if copy of the owner's figures: nothing is reserved), whether the
 * provider's format can carry it (formats' wires), and the call as the failover plan would run it, fallbacks
 * included. Spend is read from `compiled.budget`'s store, never written.
 * @throws ExplainInputError for a `given` signal the policy does not know, a value of the wrong type, or an
 *   `upstream` script that names no model of the policy.
 */
export async function explainRequest(compiled: CompiledPolicy, input: ExplainInput): Promise<Explanation> {
  const given = parseGiven(input.given ?? {}, compiled.catalog.types);
  const script = checkUpstreamScript(input.upstream ?? {}, compiled.policy);
  const view = keyView(compiled.policy);
  const headers = { ...input.headers };
  const presented = takeKey(headers, input.key);
  if (presented !== undefined) headers.authorization = `Bearer ${view.presented(presented)}`;
  const { req, res } = syntheticCall({ path: input.path ?? DEFAULT_EXPLAIN_PATH, raw: bodyBytes(input.body), headers });
  const ctx = routing(req, res);
  ctx.record.policyVersion = compiled.version;
  const found = presented === undefined ? undefined : view.find(presented);
  const explained = new Explained(compiled, ctx, found ? { name: found.name, owner: found.owner } : null);

  const keyRefusal = await runMiddleware(keys({ policy: view.policy }), req, res);
  if (keyRefusal) return explained.refused(keyRefusal, 'keys');
  const owner = given.get(SIGNAL_OWNER);
  if (typeof owner === 'string') ctx.record.owner = owner;

  const parseRefusal = await runMiddleware(signals({ catalog: compiled.catalog }), req, res);
  if (parseRefusal) return explained.refused(parseRefusal, 'request');
  const reader = new GivenSignals(ctx.signals!, given, compiled.catalog.types);
  ctx.signals = reader;
  // The workflow a call runs as (and, for `auto`, its route's selection), as the stack decides it.
  const workflowRefusal = await runMiddleware(workflows({ policy: compiled.policy, compiled: compiled.rules }), req, res);
  if (workflowRefusal) return explained.refused(workflowRefusal, 'request');

  // `auto` runs the workflow's route, whose rules workflows() has evaluated already; any other name, its own.
  const made = ctx.record.selection;
  const route = compiled.rules.routes.get(made?.kind === 'route' ? made.route : ctx.record.requestedModel!);
  if (route) {
    const ruleFailure = made ? undefined : await runMiddleware(rules({ compiled: compiled.rules }), req, res);
    if (ruleFailure) throw ruleFailure;
    explained.rules = await traceRules(compiled.rules, route, reader);
    explained.signals = Object.entries(ctx.record.signals).map(([name, reading]) => signalTrace(name, reading, reader));
  }
  const modelRefusal = await runMiddleware(pin({ policy: compiled.policy }), req, res);
  if (modelRefusal) return explained.refused(modelRefusal, 'model');

  const budget = await checkBudget({
    ledger: compiled.budget,
    ctx,
    req,
    res,
    given: {
      ownerPct: numberOf(given, SIGNAL_MONTHLY_SPEND_PCT),
      workflowPct: numberOf(given, SIGNAL_WORKFLOW_SPEND_PCT),
      runUsd: numberOf(given, GIVEN_RUN_SPEND_USD),
    },
  });
  explained.budget = budget.trace;
  const { selection, target } = ctx.record;
  const provider = compiled.policy.providers.get(target!.provider)!;
  const model = compiled.policy.models.get(target!.model)!;
  const request = ctx.request!;
  explained.fallbacks = await fallbackChain(compiled, ctx, selection!, reader);
  if (budget.refusal) return explained.refused(budget.refusal, 'budget');
  const formatProblem = formatRefusal(request, provider, model);
  if (formatProblem) return explained.refused(formatProblem, 'format');

  explained.call = await simulateCall({
    policy: compiled.policy,
    request,
    selection: selection!,
    target: target!,
    reader,
    outcome: (id, n) => script[id]?.[n] ?? 200,
    startedAt: ctx.record.startedAt,
    workflow: ctx.record.workflow,
  });
  return explained.done();
}

/** The explanation as it is put together, stage by stage. */
class Explained {
  rules: RuleTrace[] = [];
  signals: Explanation['signals'] = [];
  fallbacks: { list: FallbackTrace[]; note: string | null } = { list: [], note: null };
  budget: BudgetTrace | null = null;
  call: SimulatedCall | null = null;

  constructor(
    readonly compiled: CompiledPolicy,
    readonly ctx: RoutingContext,
    readonly key: Explanation['key'],
  ) {}

  refused(err: unknown, by: RefusalStage): Explanation {
    if (!(err instanceof SwitchyardError)) throw err;
    return this.done({ status: err.status, code: err.code, message: err.message, by });
  }

  done(refusal: Refusal | null = null): Explanation {
    const { record } = this.ctx;
    const { selection, target } = record;
    return {
      policy: { version: this.compiled.version, source: this.compiled.source ?? null },
      endpoint: record.endpoint ?? null,
      requested_model: record.requestedModel ?? null,
      key: this.key,
      owner: record.owner,
      workflow: record.workflow ?? null,
      workflow_owner: record.workflowOwner ?? null,
      run_id: record.runId ?? null,
      route: selection?.kind === 'route' ? selection.route : null,
      rule: selection?.kind === 'route' ? selection.rule : null,
      model: target?.model ?? selection?.model ?? null,
      provider: target?.provider ?? null,
      rules: this.rules,
      signals: this.signals,
      fallbacks: this.fallbacks.list,
      fallback_note: this.fallbacks.note,
      budget: this.budget,
      refusal,
      call: refusal ? null : this.call,
    };
  }
}

/**
 * The route's fallbacks as the plan meets them when every attempt fails with a fallback trigger (503 when
 * the policy lists it): which it would move to, which it would skip and why.
 */
async function fallbackChain(
  compiled: CompiledPolicy,
  ctx: RoutingContext,
  selection: Selection,
  reader: GivenSignals,
): Promise<{ list: FallbackTrace[]; note: string | null }> {
  const { policy } = compiled;
  const workflow = ctx.record.workflow === undefined ? undefined : policy.workflows.get(ctx.record.workflow);
  // The same list the plan draws from: the workflow's `fallback.allowed` in place of the route's, less its blocked models.
  if (allowedFallbacks(policy, selection, workflow).length === 0)
    return { list: [], note: noFallbackNote(policy, selection, workflow) };
  const route = selection.kind === 'route' ? selection.route : undefined;
  const settings = (route !== undefined && policy.failover.routes.get(route)) || policy.failover.defaults;
  const triggers = [...settings.fallback.on];
  const trigger: UpstreamOutcome | undefined = settings.fallback.on.has(503) ? 503 : triggers[0];
  if (trigger === undefined) return { list: [], note: 'failover.fallback.on is empty: no failure moves the call' };
  const failing = await simulateCall({
    policy,
    request: ctx.request!,
    selection,
    target: ctx.record.target!,
    reader,
    outcome: () => trigger,
    startedAt: ctx.record.startedAt,
    workflow: ctx.record.workflow,
  });
  return { list: failing.events.flatMap((e) => fallbackTrace(e, selection.model)), note: null };
}

/** Why a call has nowhere to fall back to, naming what says so: the exact model ID, the route, the workflow. */
function noFallbackNote(policy: Policy, selection: Selection, workflow: WorkflowConfig | undefined): string {
  const listed = listedFallbacks(policy, selection, workflow).filter((id) => id !== selection.model);
  if (workflow?.fallback.allowed !== undefined) {
    return listed.length === 0
      ? `workflow "${workflow.name}" allows no fallbacks (fallback.allowed lists none but the chosen model)`
      : `workflow "${workflow.name}" blocks every model its fallback.allowed lists`;
  }
  if (selection.kind === 'exact') return 'an exact model ID is never moved to another model';
  if (listed.length > 0) return `workflow "${workflow!.name}" blocks every fallback route "${selection.route}" lists`;
  return `route "${selection.route}" lists no fallbacks: it is strict`;
}

function numberOf(given: ReadonlyMap<string, SignalValue>, name: string): number | undefined {
  const value = given.get(name);
  return typeof value === 'number' ? value : undefined;
}

function fallbackTrace(event: RoutingEvent, primary: string): FallbackTrace[] {
  const a = event.attributes;
  if (event.name === EVENT_FALLBACK && a.to_model !== primary) {
    return [{ model: String(a.to_model), provider: String(a.to_provider), action: 'try' }];
  }
  if (event.name !== EVENT_FALLBACK_SKIPPED || a.model === primary) return [];
  const skipped: FallbackTrace = {
    model: String(a.model),
    provider: String(a.provider),
    action: 'skip',
    reason: String(a.reason),
  };
  if (typeof a.capability === 'string') return [{ ...skipped, capability: a.capability }];
  if (typeof a.needed_tokens === 'number' && typeof a.context_window === 'number') {
    return [{ ...skipped, needed_tokens: a.needed_tokens, context_window: a.context_window }];
  }
  return [skipped];
}

/** The key the request is sent with: `key`, else the one in its headers (which are taken out: a stand-in goes in). */
function takeKey(headers: Record<string, string>, key: string | undefined): string | undefined {
  const fromHeaders = presentedKey({ headers: lowerCased(headers) } as Request);
  for (const name of Object.keys(headers)) {
    const lower = name.toLowerCase();
    if (lower === 'authorization' || lower === 'x-api-key') delete headers[name];
  }
  return key ?? fromHeaders;
}

function lowerCased(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

function bodyBytes(body: unknown): Buffer {
  if (Buffer.isBuffer(body)) return body;
  if (body instanceof Uint8Array) return Buffer.from(body);
  return Buffer.from(typeof body === 'string' ? body : JSON.stringify(body ?? null));
}
