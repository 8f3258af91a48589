// `switchyard budget --policy FILE [--json]`: each owner's spend, reservations and limit this month, read
// from the policy's store.
import { reportJson, spendReport, type CompiledPolicy, type OwnerSpend, type SpendReport } from 'switchyard';

/**
 * The report as text (a table) or JSON (the admin endpoint's shape). Closes the budget store after
 * reading it. A policy on the in-memory store gets its limits and a note instead of figures: that spend
 * lives inside each gateway process.
 */
export async function budgetCommand(file: string, compiled: CompiledPolicy, json: boolean): Promise<string> {
  const ledger = compiled.budget;
  try {
    if (ledger.storeName === 'memory') return inMemory(file, compiled, json);
    const report = await spendReport(ledger);
    return json ? JSON.stringify(reportJson(report), null, 2) : table(file, report);
  } finally {
    await ledger.shutdown();
  }
}

function table(file: string, report: SpendReport): string {
  const head = `${file}: ${report.window} (${report.timeZone}), resets ${new Date(report.resetsAt).toISOString()}; store ${report.store}`;
  const rows = [['owner', 'spent', 'reserved', 'limit', 'used', 'hard stop'], ...report.owners.map(row)];
  return [head, ...columns(rows)].join('\n');
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

function inMemory(file: string, { policy, budget }: CompiledPolicy, json: boolean): string {
  const note =
    'the policy keeps spend in memory (no budgets.store): each gateway process has its own figures, which this command cannot read; ask a running gateway (GET /v1/switchyard/budget with the admin key)';
  const owners = [...budget.config.owners.values()].map((o) => ({
    owner: o.name,
    limit_usd: o.monthlyUsd ?? null,
    hard_stop: o.hardStop,
  }));
  if (json) return JSON.stringify({ store: 'memory', note, owners }, null, 2);
  const rows = [
    ['owner', 'limit', 'hard stop'],
    ...owners.map((o) => [o.owner, o.limit_usd === null ? '-' : usd(o.limit_usd), o.hard_stop ? 'yes' : 'no']),
  ];
  return [
    `${file}: ${note}`,
    `timezone ${policy.timezone}`,
    ...(owners.length > 0 ? columns(rows) : ['no owners with budgets']),
  ].join('\n');
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
