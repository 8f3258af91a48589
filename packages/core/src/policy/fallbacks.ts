// Where a call's fallbacks may go: the one reading of a route's `fallbacks` and its workflow's
// `fallback.allowed` / `blocked`, shared by failover (which tries them), the budget (which prices them) and
// explain (which shows them), and the rate limits (which count their output caps).
import type { Selection } from '../record.js';
import type { ModelConfig, Policy } from './types.js';
import type { WorkflowConfig } from './workflow-types.js';

/**
 * The model IDs a call's fallbacks are drawn from, in order, as the policy lists them: its workflow's
 * `fallback.allowed` when the workflow sets it (it replaces the route's list, and lets an exact model ID
 * move too), else the route's `fallbacks`; none for an exact model ID. Blocked models, duplicates and the
 * chosen model are still in it: failover passes over them one by one and says why.
 */
export function listedFallbacks(policy: Policy, selection: Selection, workflow: WorkflowConfig | undefined): readonly string[] {
  const allowed = workflow?.fallback.allowed;
  if (allowed) return allowed;
  return selection.kind === 'route' ? (policy.routes.get(selection.route)?.fallbacks ?? []) : [];
}

/** The models a fallback of this call may move to, in order: the listed ones, once each, less the chosen model and the workflow's blocked ones. */
export function allowedFallbacks(policy: Policy, selection: Selection, workflow: WorkflowConfig | undefined): string[] {
  const blocked = workflow?.fallback.blocked;
  const listed = listedFallbacks(policy, selection, workflow);
  return listed.filter((id, i) => id !== selection.model && listed.indexOf(id) === i && !blocked?.has(id));
}

/**
 * Every model that may serve a selection: the chosen one, then the fallbacks its workflow allows
 * (`allowedFallbacks`). Each list is built once per policy, workflow and selection.
 */
export function servingModels(policy: Policy): (selection: Selection, workflow?: WorkflowConfig) => readonly ModelConfig[] {
  const lists = new Map<string, readonly ModelConfig[]>();
  return (selection, workflow) => {
    const route = selection.kind === 'route' ? selection.route : '';
    const key = `${workflow?.name ?? ''}\0${route}\0${selection.model}`;
    let models = lists.get(key);
    if (!models) {
      const ids = [selection.model, ...allowedFallbacks(policy, selection, workflow)];
      models = ids.map((id) => policy.models.get(id)).filter((m): m is ModelConfig => m !== undefined);
      lists.set(key, models);
    }
    return models;
  };
}
