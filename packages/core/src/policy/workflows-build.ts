// The `workflows:` section and the `on:` maps as loaded: actions normalised, names resolved to model IDs,
// cross-references checked with the file and line of each mistake.
import type { PolicyPath } from './source.js';
import type { ModelConfig, RouteConfig } from './types.js';
import type { Transition, TransitionOutcome, Transitions, WorkflowConfig } from './workflow-types.js';
import {
  AUTO_MODEL,
  type ActionDocument,
  DEFAULT_WORKFLOW,
  type TransitionsDocument,
  type WorkflowDocument,
  type WorkflowsDocument,
} from './workflows-schema.js';

type Problem = (path: PolicyPath, message: string, key?: string) => void;

/** An action as written, as a Transition: `fallback` → 0 retries, then fallback; `retry_same_route` → 1 retry, then stop. */
export function transitionOf(written: ActionDocument): Transition {
  if (typeof written === 'string') {
    return written === 'retry_same_route' ? { retries: 1, action: 'stop' } : { retries: 0, action: written };
  }
  return { retries: written.retry_same_route, action: written.then ?? 'stop' };
}

/** An `on:` map as loaded; `undefined` when none is written. */
export function buildTransitions(
  doc: TransitionsDocument | undefined,
  path: PolicyPath,
  problem: Problem,
): Transitions | undefined {
  if (doc === undefined) return undefined;
  const transitions = new Map<TransitionOutcome, Transition>();
  for (const [outcome, action] of Object.entries(doc)) {
    if (outcome === 'schema_invalid' && typeof action === 'object' && action.then !== undefined) {
      problem(
        [...path, outcome, 'then'],
        'what follows the retries of schema_invalid is the outcome schema_invalid_after_retry: write its action there',
      );
    }
    const transition = transitionOf(action);
    if (outcome === 'schema_invalid_after_retry' && transition.retries > 0) {
      problem(
        [...path, outcome],
        'schema_invalid_after_retry comes once the retries are spent: fallback, stop or stop_and_escalate',
      );
    }
    transitions.set(outcome as TransitionOutcome, transition);
  }
  return transitions;
}

export interface WorkflowSections {
  readonly workflows?: WorkflowsDocument;
  readonly workflows_required: boolean;
}

/**
 * Each key's `workflows:` names a workflow the policy defines, or `default` (what a call naming none runs as).
 * A policy without workflows has none to grant: there the list is a mistake, not a restriction.
 */
export function checkKeyWorkflows(
  keys: readonly { readonly name: string; readonly workflows?: readonly string[] }[] | undefined,
  workflows: ReadonlyMap<string, WorkflowConfig>,
  problem: Problem,
): void {
  const known = [...workflows.keys()];
  if (!known.includes(DEFAULT_WORKFLOW)) known.push(DEFAULT_WORKFLOW);
  keys?.forEach((key, i) => {
    if (key.workflows === undefined) return;
    if (workflows.size === 0) {
      problem(['keys', i, 'workflows'], `key "${key.name}" lists workflows, but the policy defines none (workflows:)`);
      return;
    }
    key.workflows.forEach((name, j) => {
      if (!known.includes(name)) {
        problem(
          ['keys', i, 'workflows', j],
          `key "${key.name}" lists workflow "${name}", which is not defined (workflows: ${known.join(', ')})`,
        );
      }
    });
  });
}

/** The workflows, their names resolved and checked against the models and routes. */
export function buildWorkflows(
  doc: WorkflowSections,
  models: ReadonlyMap<string, ModelConfig>,
  routes: ReadonlyMap<string, RouteConfig>,
  problem: Problem,
): Map<string, WorkflowConfig> {
  const workflows = new Map<string, WorkflowConfig>();
  const written = Object.entries(doc.workflows ?? {});
  if (doc.workflows_required && written.length === 0) {
    problem(['workflows_required'], 'workflows_required is true but no workflow is defined: every call would be refused');
  }
  for (const [name, w] of written) workflows.set(name, buildWorkflow(name, w, models, routes, problem));
  if ([...workflows.values()].some((w) => w.route !== undefined)) {
    const clash = routes.has(AUTO_MODEL) ? 'routes' : models.has(AUTO_MODEL) ? 'models' : undefined;
    if (clash) {
      problem(
        [clash],
        `"${AUTO_MODEL}" is the model name that asks for a workflow's route (workflows.<name>.route); give this ${clash === 'routes' ? 'route' : 'model'} another name`,
        AUTO_MODEL,
      );
    }
  }
  return workflows;
}

function buildWorkflow(
  name: string,
  w: WorkflowDocument,
  models: ReadonlyMap<string, ModelConfig>,
  routes: ReadonlyMap<string, RouteConfig>,
  problem: Problem,
): WorkflowConfig {
  const at: PolicyPath = ['workflows', name];
  if (w.route !== undefined && !routes.has(w.route)) {
    problem(
      [...at, 'route'],
      `workflow "${name}" uses route "${w.route}" that is not in routes (routes: ${list(routes.keys())})`,
    );
  }
  const resolve = (names: readonly string[], field: 'allowed' | 'blocked', expand: (route: RouteConfig) => readonly string[]) =>
    names.flatMap((entry, i) => {
      if (models.has(entry)) return [entry];
      const route = routes.get(entry);
      if (route) return expand(route);
      problem(
        [...at, 'fallback', field, i],
        `workflow "${name}" fallback.${field} names "${entry}", which is neither a model nor a route (models: ${list(models.keys())}; routes: ${list(routes.keys())})`,
      );
      return [];
    });
  const allowed = w.fallback?.allowed && unique(resolve(w.fallback.allowed, 'allowed', (route) => [route.default]));
  const blocked = new Set(resolve(w.fallback?.blocked ?? [], 'blocked', everyModelOf));
  const capabilities = new Set(w.requires.flatMap((r) => (typeof r === 'string' ? [r] : [])));
  const longContext = w.requires.reduce<number | undefined>(
    (most, r) => (typeof r === 'string' ? most : Math.max(most ?? 0, r.long_context)),
    undefined,
  );
  const latency = w.latency;
  if (latency?.first_token_ms !== undefined && latency.timeout_ms !== undefined && latency.first_token_ms > latency.timeout_ms) {
    problem(
      [...at, 'latency', 'first_token_ms'],
      `first_token_ms (${latency.first_token_ms}) is longer than timeout_ms (${latency.timeout_ms})`,
    );
  }
  return {
    name,
    owner: w.owner,
    route: w.route,
    requires: { capabilities, longContext },
    fallback: { allowed, blocked },
    on: buildTransitions(w.on, [...at, 'on'], problem) ?? new Map(),
    cost: w.cost && {
      maxRequestUsd: w.cost.max_request_usd,
      monthlyUsd: w.cost.monthly_usd,
      hardStop: w.cost.hard_stop ?? false,
      maxRunUsd: w.cost.max_run_usd,
    },
    latency: latency && {
      firstTokenMs: latency.first_token_ms,
      p95FirstTokenMs: latency.p95_first_token_ms,
      timeoutMs: latency.timeout_ms,
      onTimeout: latency.on_timeout === undefined ? undefined : transitionOf(latency.on_timeout),
    },
    risk: w.risk,
  };
}

/** Every model a route can name: its default, its rules' models and its fallbacks. */
export function everyModelOf(route: RouteConfig): string[] {
  return unique([route.default, ...route.rules.map((r) => r.use), ...route.fallbacks]);
}

function unique(ids: readonly string[]): string[] {
  return ids.filter((id, i) => ids.indexOf(id) === i);
}

function list(names: Iterable<string>): string {
  return [...names].join(', ') || 'none';
}
