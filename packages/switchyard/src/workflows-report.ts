// GET /v1/switchyard/workflows: each workflow's limits, its spend this month and its rolling time to first
// token per model, against its objective. For the admin key, like the budget report.
import { DEFAULT_WORKFLOW } from '@switchyard/core';
import type { BudgetLedger } from '@switchyard/budget';
import type { FirstTokenFigures } from '@switchyard/signals';
import type { RequestHandler } from 'express';
import type { CompiledPolicy } from './compile.js';

/** Where the stack mounts it, below `/v1`. */
export const WORKFLOWS_REPORT_PATH = '/switchyard/workflows';

export interface WorkflowReport {
  readonly workflow: string;
  /** Who its calls are charged back to; `null`: each key's owner. */
  readonly owner: string | null;
  readonly route: string | null;
  readonly risk: string | null;
  readonly cost: {
    readonly max_request_usd: number | null;
    readonly max_run_usd: number | null;
    readonly monthly_usd: number | null;
    readonly hard_stop: boolean;
    /** This month's figures, when it has `monthly_usd`; `null` otherwise. */
    readonly spend_usd: number | null;
    readonly reserved_usd: number | null;
    readonly spend_pct: number | null;
  };
  readonly latency: {
    readonly first_token_ms: number | null;
    /** The objective. */
    readonly p95_first_token_ms: number | null;
    readonly timeout_ms: number | null;
    /** Rolling p95 per model this instance has called for it (last 128 samples, last 5 minutes, none below 10). */
    readonly models: readonly FirstTokenFigures[];
    /** Some model's p95 is past the objective. */
    readonly breached: boolean;
  };
}

/** Every workflow of the policy (and `default`, whose calls have figures too), read now. */
export async function workflowsReport(compiled: CompiledPolicy): Promise<WorkflowReport[]> {
  const { policy, budget, firstToken } = compiled;
  const names = new Set([...policy.workflows.keys(), DEFAULT_WORKFLOW]);
  return Promise.all(
    [...names].sort().map(async (name): Promise<WorkflowReport> => {
      const w = policy.workflows.get(name);
      const cost = await workflowCost(budget, name);
      const models = firstToken.figures(name);
      const objective = w?.latency?.p95FirstTokenMs;
      return {
        workflow: name,
        owner: w?.owner ?? null,
        route: w?.route ?? null,
        risk: w?.risk ?? null,
        cost,
        latency: {
          first_token_ms: w?.latency?.firstTokenMs ?? null,
          p95_first_token_ms: objective ?? null,
          timeout_ms: w?.latency?.timeoutMs ?? null,
          models,
          breached: objective !== undefined && models.some((m) => m.p95_ms !== null && m.p95_ms > objective),
        },
      };
    }),
  );
}

/**
 * A workflow's cost limits and, when it has `cost.monthly_usd`, this month's figures, read from the budget's
 * store (`BudgetLedger.workflowSpend`): what this report and `switchyard budget` show of it. `read: false`
 * leaves the figures `null` (a store this process cannot see into).
 */
export async function workflowCost(budget: BudgetLedger, name: string, read = true): Promise<WorkflowReport['cost']> {
  const cost = budget.workflow(name)?.cost;
  const spend = read && cost?.monthlyUsd !== undefined ? await budget.workflowSpend(name) : undefined;
  return {
    max_request_usd: cost?.maxRequestUsd ?? null,
    max_run_usd: cost?.maxRunUsd ?? null,
    monthly_usd: cost?.monthlyUsd ?? null,
    hard_stop: cost?.hardStop ?? false,
    spend_usd: spend?.spendUsd ?? null,
    reserved_usd: spend?.reservedUsd ?? null,
    spend_pct: spend?.spendPct ?? null,
  };
}

/** `GET` → `{ object: "workflows.report", workflows: [...] }`; mount it behind the admin key. A store that fails goes to `next(err)`. */
export function workflowsReportEndpoint(compiled: CompiledPolicy): RequestHandler {
  return function switchyardWorkflowsReport(_req, res, next) {
    workflowsReport(compiled).then(
      (workflows) => void res.json({ object: 'workflows.report', workflows }),
      (err: unknown) => next(err),
    );
  };
}
