// workflows(): which workflow a call runs as, recorded with its evidence; and, for the generic model `auto`,
// the workflow's route, evaluated here so that rules() and pin() find the selection made.
import {
  AUTO_MODEL,
  DEFAULT_WORKFLOW,
  type Policy,
  readRequest,
  type RoutingEvent,
  routing,
  SwitchyardError,
  WORKFLOW_HEADER,
  type WorkflowConfig,
} from '@switchyard/core';
import { type FirstTokenStats, type SignalCatalog, signalCatalog } from '@switchyard/signals';
import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import { compileRules } from './compile.js';
import { evaluateRoute } from './evaluate.js';
import type { CompiledRules } from './types.js';

/** The header that names the run (a job of many calls) a call belongs to. */
export const RUN_HEADER = 'x-switchyard-run';

/** A run ID: letters, digits and `._:-`, up to 128 characters; it is recorded and traced as it is. */
const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** An event in the record when a call names a workflow the policy does not define and runs as `default`. */
export const EVENT_WORKFLOW_UNKNOWN = 'switchyard.workflow.unknown';

export interface WorkflowsOptions {
  /** The policy whose `workflows:` and `workflows_required` apply. */
  readonly policy: Policy;
  /** The policy's compiled rules, to evaluate a workflow's route. Default: compiled here against `catalog`, when a workflow has a route. */
  readonly compiled?: CompiledRules;
  /** The signals rules may read, when the rules are compiled here. Default: the built-in and declared signals. */
  readonly catalog?: SignalCatalog;
  /**
   * Where each settled call's time to first token goes (per workflow and model), for `p95_first_token_ms` and
   * `GET /v1/switchyard/workflows`; a call that leaves its workflow's p95 past its objective gets the event
   * `switchyard.workflow.latency_objective_breached`. Default: nowhere.
   */
  readonly firstToken?: FirstTokenStats;
  /**
   * The workflows a request may run as, `undefined` for every one. A call that would run as another gets 403
   * `workflow_not_allowed`: a key cannot spend a workflow's budget, or take its route, unless granted.
   * Default: the `workflows` list of the client key keys() checked (core's `RoutingContext.key`), else every one.
   */
  readonly allowedWorkflows?: (req: IncomingMessage) => ReadonlySet<string> | undefined;
}

/** The event on a call after which its workflow's rolling p95 time to first token on its model is past the objective. */
export const EVENT_LATENCY_BREACHED = 'switchyard.workflow.latency_objective_breached';

/**
 * Resolves the workflow a call names (header `x-switchyard-workflow`, else `metadata.workflow`) and records it
 * (`record.workflow`, `record.workflowRisk`), with the run it belongs to (`x-switchyard-run`, `record.runId`).
 * A call naming no workflow, or one the policy does not define, runs as `default`; with `workflows_required:
 * true` it is refused instead (400 `unknown_workflow`, naming the workflows there are).
 *
 * A call whose `model` is `auto` (a name the policy cannot give a route or a model while a workflow names a
 * route) takes its workflow's `route`: its rules are evaluated here and the selection recorded, which rules()
 * passes by and pin() uses (a client key must be allowed that route). A workflow without a route answers
 * `auto` with 400 `workflow_has_no_route`.
 *
 * Mount after signals() (it reads the parsed request and, for `auto`, the signal reader) and before rules().
 * @throws TypeError when options name no loaded policy.
 */
export function workflows(options: WorkflowsOptions): RequestHandler {
  const policy = options?.policy;
  if (!(policy?.workflows instanceof Map)) throw new TypeError('workflows(): options.policy must be a loaded Policy');
  const routed = [...policy.workflows.values()].some((w) => w.route !== undefined);
  const compiled =
    options.compiled ?? (routed ? compileRules(policy, (options.catalog ?? signalCatalog(policy)).types) : undefined);
  const auto = routed && !policy.routes.has(AUTO_MODEL) && !policy.models.has(AUTO_MODEL);
  const declared = policy.workflows.size > 0;

  return async function switchyardWorkflows(req, res, next) {
    const ctx = routing(req, res);
    const { record } = ctx;
    try {
      const request = ctx.request ?? (await readRequest(req));
      const allowed = options.allowedWorkflows ? options.allowedWorkflows(req) : ctx.key?.workflows;
      const workflow = resolve(policy, request.workflow, record.events, allowed);
      const runsAs = workflow?.name ?? DEFAULT_WORKFLOW;
      if (allowed && !allowed.has(runsAs)) throw workflowNotAllowed(runsAs, request.workflow, allowed);
      // A policy that declares no workflows has nothing to resolve a name against: the client's label stands.
      record.workflow = workflow?.name ?? (declared ? DEFAULT_WORKFLOW : (request.workflow ?? DEFAULT_WORKFLOW));
      record.workflowOwner = workflow?.owner ?? record.owner;
      if (workflow?.risk !== undefined) record.workflowRisk = workflow.risk;
      const run = request.header(RUN_HEADER);
      if (run !== undefined) record.runId = runId(run);
      // Filed under a workflow the policy defines (else `default`): a client's label never grows the figures.
      if (options.firstToken) observeFirstToken(ctx, options.firstToken, runsAs, workflow?.latency);
      if (auto && request.model === AUTO_MODEL) {
        const route = workflow?.route === undefined ? undefined : compiled?.routes.get(workflow.route);
        if (!route) throw noRoute(record.workflow);
        if (!ctx.signals) throw new Error('switchyard: workflows() needs signals() mounted before it');
        await evaluateRoute(compiled!, route, record, ctx.signals);
      }
    } catch (err) {
      return next(err);
    }
    next();
  };
}

/** Once the call settled: its attempts' first-token times into the stats, and an event if the objective is now missed. */
function observeFirstToken(
  ctx: ReturnType<typeof routing>,
  stats: FirstTokenStats,
  workflow: string,
  latency: WorkflowConfig['latency'],
): void {
  const { record } = ctx;
  const objectiveMs = latency?.p95FirstTokenMs;
  ctx.onSettle(() => {
    stats.observe(record, workflow);
    const model = record.servedModel ?? record.attempts.at(-1)?.model;
    if (objectiveMs === undefined || model === undefined) return;
    const p95 = stats.p95(workflow, model);
    if (p95 === undefined || p95 <= objectiveMs) return;
    record.events.push({
      name: EVENT_LATENCY_BREACHED,
      at: Date.now(),
      attributes: { workflow, model, p95_first_token_ms: p95, objective_ms: objectiveMs },
    });
  });
}

/**
 * The workflow `named` runs as; `undefined` for `default` when the policy does not define it. A refusal
 * lists the workflows there are, only those `allowed` when the caller's key names them.
 */
function resolve(
  policy: Policy,
  named: string | undefined,
  events: RoutingEvent[],
  allowed: ReadonlySet<string> | undefined,
): WorkflowConfig | undefined {
  if (policy.workflows.size === 0) return undefined;
  const found = named === undefined ? undefined : policy.workflows.get(named);
  if (found) return found;
  if (policy.workflowsRequired) throw unknownWorkflow(named, [...(allowed ?? policy.workflows.keys())]);
  if (named !== undefined) events.push({ name: EVENT_WORKFLOW_UNKNOWN, at: Date.now(), attributes: { requested: shown(named) } });
  return policy.workflows.get(DEFAULT_WORKFLOW);
}

function runId(value: string): string {
  if (RUN_ID.test(value)) return value;
  throw new SwitchyardError({
    status: 400,
    type: 'invalid_request_error',
    code: 'invalid_run_id',
    message: `The header ${RUN_HEADER} must be 1 to 128 letters, digits, ".", "_", ":" or "-", starting with a letter or digit.`,
  });
}

/** 400: the policy requires a defined workflow, and the call names none or another. */
export function unknownWorkflow(named: string | undefined, known: readonly string[]): SwitchyardError {
  const which = `workflows: ${known.join(', ') || 'none'}`;
  return new SwitchyardError({
    status: 400,
    type: 'invalid_request_error',
    code: 'unknown_workflow',
    message:
      named === undefined
        ? `This gateway needs each call to name its workflow, in the header ${WORKFLOW_HEADER} or in metadata.workflow (${which}).`
        : `Unknown workflow ${shown(named)} (${which}).`,
  });
}

/** 403: the client's key is not granted the workflow the call would run as. */
export function workflowNotAllowed(runsAs: string, named: string | undefined, allowed: ReadonlySet<string>): SwitchyardError {
  const asked = named === undefined || named === runsAs ? '' : ` (it names ${shown(named)}, which is not defined)`;
  return new SwitchyardError({
    status: 403,
    type: 'permission_error',
    code: 'workflow_not_allowed',
    message: `This API key may not run calls as workflow "${runsAs}"${asked}; it may run as: ${[...allowed].join(', ')}. Name one in the header ${WORKFLOW_HEADER} (or metadata.workflow in a JSON body).`,
  });
}

function noRoute(workflow: string): SwitchyardError {
  return new SwitchyardError({
    status: 400,
    type: 'invalid_request_error',
    code: 'workflow_has_no_route',
    message: `The model "${AUTO_MODEL}" asks for the workflow's route, and workflow "${workflow}" names none: name a route or a model.`,
    param: 'model',
  });
}

/** A client's text, quoted and cut short: it goes into messages and traces. */
function shown(text: string): string {
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text);
}
