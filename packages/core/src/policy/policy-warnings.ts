// Contradictions a policy may hold and still load: a model that states no capabilities, a fallback that a
// workflow blocks, a route whose model lacks what its workflow requires, a fallback transition with nowhere
// to go. `switchyard check` lists them.
import type { Selection } from '../record.js';
import { allowedFallbacks } from './fallbacks.js';
import type { PolicyProblem } from './policy-error.js';
import type { PolicyPath } from './source.js';
import type { ModelConfig, Policy, RouteConfig } from './types.js';
import type { Transitions, WorkflowConfig } from './workflow-types.js';

/**
 * What in a loaded policy contradicts itself without being wrong: each with the file, line and column of
 * the part to look at. The gateway behaves safely either way (a blocked model is never a fallback), but the
 * policy does not say what its author meant.
 */
export function policyWarnings(policy: Policy): PolicyProblem[] {
  const warnings: PolicyProblem[] = [];
  const warn = (path: PolicyPath, message: string) =>
    warnings.push({ file: policy.source.file, ...policy.source.locate(path), message });
  for (const model of policy.models.values()) {
    if (model.capabilities.size === 0) {
      warn(
        ['models', model.id],
        `model "${model.id}" states no capabilities: no call offering tools, asking for a JSON schema or a stream, or holding images is sent to it`,
      );
    }
  }
  for (const workflow of policy.workflows.values()) workflowWarnings(policy, workflow, warn);
  for (const workflow of policy.workflows.values()) ungrantedBudget(policy, workflow, warn);
  for (const route of policy.routes.values()) {
    if (route.on && allowedFallbacks(policy, byDefault(route), undefined).length === 0) {
      for (const outcome of fallingBack(route.on))
        warn(
          ['routes', route.name, 'on', outcome],
          `route "${route.name}" falls back on ${outcome} but lists no fallback besides its default`,
        );
    }
  }
  return warnings.sort((a, b) => a.line - b.line || a.column - b.column);
}

type Warn = (path: PolicyPath, message: string) => void;

/** A workflow's own month is a shared pot: keys that may run as any workflow can spend it for its owner. */
function ungrantedBudget(policy: Policy, workflow: WorkflowConfig, warn: Warn): void {
  if (workflow.cost?.monthlyUsd === undefined || !policy.keys) return;
  const open = policy.keys.filter((key) => key.workflows === undefined).map((key) => `"${key.name}"`);
  if (open.length === 0) return;
  warn(
    ['workflows', workflow.name, 'cost', 'monthly_usd'],
    `workflow "${workflow.name}" has a monthly budget that any key without a workflows list (${open.join(', ')}) can spend: list the workflows each key may run as (keys[].workflows)`,
  );
}

function workflowWarnings(policy: Policy, workflow: WorkflowConfig, warn: Warn): void {
  const { name, fallback } = workflow;
  const at: PolicyPath = ['workflows', name];
  const route = workflow.route === undefined ? undefined : policy.routes.get(workflow.route);
  for (const id of fallback.allowed ?? []) {
    if (fallback.blocked.has(id)) {
      warn([...at, 'fallback', 'allowed'], `workflow "${name}" both allows and blocks "${id}": it is blocked`);
      continue;
    }
    const model = policy.models.get(id);
    const lacks = model && missing(workflow, model);
    if (lacks)
      warn(
        [...at, 'fallback', 'allowed'],
        `workflow "${name}" allows "${id}", which lacks ${lacks} that it requires: never used`,
      );
  }
  if (!route) return;
  if (fallback.allowed === undefined) {
    route.fallbacks.forEach((id, i) => {
      if (fallback.blocked.has(id)) {
        warn(
          ['routes', route.name, 'fallbacks', i],
          `route "${route.name}" lists fallback "${id}", which workflow "${name}" blocks: its calls never fall back to it`,
        );
      }
    });
  }
  for (const [id, how] of picks(route)) {
    if (fallback.blocked.has(id)) {
      warn(
        [...at, 'fallback', 'blocked'],
        `workflow "${name}" blocks "${id}", which route "${route.name}" picks (${how}): blocked only stops fallbacks, so it still serves`,
      );
    }
  }
  const primary = policy.models.get(route.default);
  const lacks = primary && missing(workflow, primary);
  if (lacks) {
    warn(
      [...at, 'route'],
      `route "${route.name}" defaults to "${route.default}", which lacks ${lacks} that workflow "${name}" requires: its calls move to an allowed fallback or are refused (capability_missing)`,
    );
  }
  if (allowedFallbacks(policy, byDefault(route), workflow).length === 0) {
    for (const outcome of fallingBack(workflow.on))
      warn([...at, 'on', outcome], `workflow "${name}" falls back on ${outcome} but has no model to fall back to`);
  }
}

/** A call of `route` that its default serves: what a fallback moves away from. */
function byDefault(route: RouteConfig): Selection {
  return { kind: 'route', route: route.name, rule: 'default', model: route.default };
}

/** The models a route picks by itself, and how: its default and its rules'. */
function picks(route: RouteConfig): [string, string][] {
  return [[route.default, 'default'], ...route.rules.map((r): [string, string] => [r.use, `rule ${r.name}`])];
}

/** What `model` lacks of the workflow's requirements, as words; `undefined` when nothing. */
function missing(workflow: WorkflowConfig, model: ModelConfig): string | undefined {
  const lacks: string[] = [...workflow.requires.capabilities].filter((c) => !model.capabilities.has(c));
  const { longContext } = workflow.requires;
  if (longContext !== undefined && (model.contextWindow ?? 0) < longContext) lacks.push(`a context window of ${longContext}`);
  return lacks.length > 0 ? lacks.join(', ') : undefined;
}

function fallingBack(on: Transitions): string[] {
  return [...on].filter(([, t]) => t.action === 'fallback').map(([outcome]) => outcome);
}
