// What `switchyard check` prints for a policy that loads: a summary for people, or one JSON object for machines.
import {
  PolicyError,
  policyWarnings,
  type CompiledPolicy,
  type Policy,
  type PolicyProblem,
  type WorkflowConfig,
} from 'switchyard';

/** The text summary of a policy that loads (its warnings are apart: `warningLines`). */
export function summarize(file: string, { policy, catalog }: CompiledPolicy): string {
  const lines = [`${file}: OK`];
  lines.push(`  providers: ${[...policy.providers.values()].map((p) => `${p.name} (${p.format})`).join(', ') || 'none'}`);
  lines.push(`  models:    ${[...policy.models.values()].map((m) => `${m.id} -> ${m.provider}`).join(', ') || 'none'}`);
  for (const route of policy.routes.values()) {
    const rules = route.rules.map((r) => `${r.name} -> ${r.use}`).join(', ');
    const fallbacks = route.fallbacks.length > 0 ? `; fallbacks ${route.fallbacks.join(', ')}` : '; strict';
    lines.push(`  route ${route.name}: ${rules ? `${rules}, ` : ''}default -> ${route.default}${fallbacks}`);
  }
  for (const workflow of policy.workflows.values()) lines.push(`  workflow ${workflow.name}: ${workflowLine(workflow)}`);
  if (policy.workflows.size > 0 || policy.workflowsRequired) {
    lines.push(`  workflows: ${policy.workflowsRequired ? 'required (400 unknown_workflow)' : 'optional (else default)'}`);
  }
  lines.push(`  signals:   ${catalog.types.size} readable (${[...policy.signals.keys()].join(', ') || 'no'} declared)`);
  lines.push(`  env:       ${envLine(policy)}`);
  return lines.join('\n');
}

/** The contradictions the policy holds and still loads, one `file:line:column: warning: …` line each. */
export function warningLines({ policy }: CompiledPolicy): string[] {
  return policyWarnings(policy).map(formatWarning);
}

/** E.g. `route smart; requires tools, long_context 100000; allowed a, b; blocked c; on http_5xx: fallback`. */
function workflowLine(w: WorkflowConfig): string {
  const parts = [w.route === undefined ? 'no route' : `route ${w.route}`];
  const requires = [
    ...w.requires.capabilities,
    ...(w.requires.longContext === undefined ? [] : [`long_context ${w.requires.longContext}`]),
  ];
  if (requires.length > 0) parts.push(`requires ${requires.join(', ')}`);
  if (w.fallback.allowed) parts.push(`allowed ${w.fallback.allowed.join(', ') || 'none'}`);
  if (w.fallback.blocked.size > 0) parts.push(`blocked ${[...w.fallback.blocked].join(', ')}`);
  const on = [...w.on].map(([outcome, t]) => `${outcome}: ${t.retries > 0 ? `retry ${t.retries}, then ` : ''}${t.action}`);
  if (on.length > 0) parts.push(`on ${on.join(', ')}`);
  return parts.join('; ');
}

function formatWarning(w: PolicyProblem): string {
  return `${w.file}:${w.line}:${w.column}: warning: ${w.message}`;
}

/** E.g. `serve needs OPENAI_API_KEY, REDIS_URL; unset here: REDIS_URL`. Names only, never values. */
function envLine({ requiredEnv }: Policy): string {
  if (requiredEnv.length === 0) return 'serve needs none';
  const unset = requiredEnv.filter((v) => !v.set).map((v) => v.name);
  const here = unset.length > 0 ? `unset here: ${unset.join(', ')}` : 'all set here';
  return `serve needs ${requiredEnv.map((v) => v.name).join(', ')}; ${here}`;
}

/** `switchyard check --json` for a policy that loads. */
export interface CheckReport {
  readonly ok: true;
  readonly file: string;
  readonly providers: readonly { readonly name: string; readonly format: string }[];
  readonly models: readonly { readonly id: string; readonly provider: string }[];
  readonly routes: readonly {
    readonly name: string;
    readonly rules: readonly { readonly name: string; readonly use: string }[];
    readonly default: string;
    /** Empty: strict. */
    readonly fallbacks: readonly string[];
  }[];
  /** Every signal rules can read; `declared` when the policy's `signals:` declares it. */
  readonly signals: readonly { readonly name: string; readonly type: string; readonly declared: boolean }[];
  /** The env vars `serve` needs, and whether each is set where check ran. */
  readonly env: readonly { readonly name: string; readonly used_by: readonly string[]; readonly set: boolean }[];
  /** Contradictions the policy holds and still loads (a fallback its workflow blocks, …); empty when none. */
  readonly warnings: readonly PolicyProblem[];
}

/** `switchyard check --json` when the policy is rejected (`problems`) or cannot be checked at all (`error`). */
export type CheckFailure =
  | { readonly ok: false; readonly file: string; readonly problems: readonly PolicyProblem[] }
  | { readonly ok: false; readonly file: string; readonly error: string };

export function checkReport(file: string, { policy, catalog }: CompiledPolicy): CheckReport {
  return {
    ok: true,
    file,
    providers: [...policy.providers.values()].map((p) => ({ name: p.name, format: p.format })),
    models: [...policy.models.values()].map((m) => ({ id: m.id, provider: m.provider })),
    routes: [...policy.routes.values()].map((r) => ({
      name: r.name,
      rules: r.rules.map((rule) => ({ name: rule.name, use: rule.use })),
      default: r.default,
      fallbacks: r.fallbacks,
    })),
    signals: [...catalog.types].map(([name, type]) => ({ name, type, declared: policy.signals.has(name) })),
    env: policy.requiredEnv.map((v) => ({ name: v.name, used_by: v.usedBy, set: v.set })),
    warnings: policyWarnings(policy).map((w) => ({ file: w.file, line: w.line, column: w.column, message: w.message })),
  };
}

/** The failure report: a PolicyError's problems as `{ file, line, column, message }`, any other error as its message. */
export function checkFailure(file: string, err: unknown): CheckFailure {
  if (!(err instanceof PolicyError)) return { ok: false, file, error: err instanceof Error ? err.message : String(err) };
  const problems = err.problems.map((p) => ({ file: p.file, line: p.line, column: p.column, message: p.message }));
  return { ok: false, file, problems };
}
