// `switchyard budget --policy FILE [--json]`: each owner's and each workflow's spend, reservations and limit
// this month, read from the policy's store.
import {
  reportJson,
  spendReport,
  workflowCost,
  type CompiledPolicy,
  type OwnerSpend,
  type SpendReport,
  type WorkflowReport,
} from 'switchyard';

/** A workflow's budget, as `GET /v1/switchyard/workflows` shows it (its `workflow`, `owner` and `cost`). */
type WorkflowBudget = Pick<WorkflowReport, 'workflow' | 'owner' | 'cost'>;

/**
 * The report as text (tables) or JSON (the admin endpoint's shape, plus `workflows`). Closes the budget
 * store after reading it. A policy on the in-memory store gets its limits and a note instead of figures:
 * that spend lives inside each gateway process.
 */
export async function budgetCommand(file: string, compiled: CompiledPolicy, json: boolean): Promise<string> {
  const ledger = compiled.budget;
  try {
    if (ledger.storeName === 'memory') return await inMemory(file, compiled, json);
    const [report, workflows] = await Promise.all([spendReport(ledger), workflowBudgets(compiled, true)]);
    return json ? JSON.stringify({ ...reportJson(report), workflows }, null, 2) : table(file, report, workflows);
  } finally {
    await ledger.shutdown();
  }
}

/** Every workflow of the policy, by name, with its limits and (when `read`) its figures from the store. */
function workflowBudgets({ policy, budget }: CompiledPolicy, read: boolean): Promise<WorkflowBudget[]> {
  return Promise.all(
    [...policy.workflows.values()]
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map(async (w) => ({ workflow: w.name, owner: w.owner ?? null, cost: await workflowCost(budget, w.name, read) })),
  );
}

function table(file: string, report: SpendReport, workflows: readonly WorkflowBudget[]): string {
  const head = `${file}: ${report.window} (${report.timeZone}), resets ${new Date(report.resetsAt).toISOString()}; store ${report.store}`;
  const rows = [['owner', 'spent', 'reserved', 'limit', 'used', 'hard stop'], ...report.owners.map(row)];
  const lines = [head, ...columns(rows)];
  if (workflows.length > 0) {
    const wf = [
      ['workflow', 'spent', 'reserved', 'limit', 'used', 'hard stop', 'per call', 'per run'],
      ...workflows.map(workflowRow),
    ];
    lines.push('', ...columns(wf));
  }
  return lines.join('\n');
}

function row(o: OwnerSpend): string[] {
  const pct = o.spendPct === undefined ? '-' : `${(o.spendPct * 100).toFixed(1)}%`;
  return [
    o.owner,
    usd(o.spendUsd),
    usd(o.reservedUsd),
    o.limitUsd === undefined ? '-' : usd(o.limitUsd),
    pct,
    o.limitUsd === undefined ? '-' : o.hardStop ? 'yes' : 'no',
  ];
}

/** A workflow without `monthly_usd` keeps no month's figures: its spend counts on its callers' owners. */
function workflowRow({ workflow, cost }: WorkflowBudget): string[] {
  const monthly = cost.monthly_usd !== null;
  return [
    workflow,
    cost.spend_usd === null ? '-' : usd(cost.spend_usd),
    cost.reserved_usd === null ? '-' : usd(cost.reserved_usd),
    monthly ? usd(cost.monthly_usd!) : '-',
    cost.spend_pct === null ? '-' : `${(cost.spend_pct * 100).toFixed(1)}%`,
    monthly ? (cost.hard_stop ? 'yes' : 'no') : '-',
    cost.max_request_usd === null ? '-' : usd(cost.max_request_usd),
    cost.max_run_usd === null ? '-' : usd(cost.max_run_usd),
  ];
}

async function inMemory(file: string, compiled: CompiledPolicy, json: boolean): Promise<string> {
  const { policy, budget } = compiled;
  const note =
    'the policy keeps spend in memory (no budgets.store): each gateway process has its own figures, which this command cannot read; ask a running gateway (GET /v1/switchyard/budget and GET /v1/switchyard/workflows with the admin key)';
  const owners = [...budget.config.owners.values()].map((o) => ({
    owner: o.name,
    limit_usd: o.monthlyUsd ?? null,
    hard_stop: o.hardStop,
  }));
  const workflows = await workflowBudgets(compiled, false);
  if (json) return JSON.stringify({ store: 'memory', note, owners, workflows }, null, 2);
  const rows = [
    ['owner', 'limit', 'hard stop'],
    ...owners.map((o) => [o.owner, o.limit_usd === null ? '-' : usd(o.limit_usd), o.hard_stop ? 'yes' : 'no']),
  ];
  const lines = [
    `${file}: ${note}`,
    `timezone ${policy.timezone}`,
    ...(owners.length > 0 ? columns(rows) : ['no owners with budgets']),
  ];
  if (workflows.length > 0) {
    const wf = [
      ['workflow', 'limit', 'hard stop', 'per call', 'per run'],
      ...workflows.map((w) => workflowRow(w)).map((r) => [r[0]!, r[3]!, r[5]!, r[6]!, r[7]!]),
    ];
    lines.push('', ...columns(wf));
  }
  return lines.join('\n');
}

function usd(n: number): string {
  return `$${n.toFixed(n !== 0 && Math.abs(n) < 0.01 ? 6 : 2)}`;
}

function columns(rows: readonly string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) =>
    r
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}
