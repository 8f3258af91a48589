// Who spent what this month: the admin endpoint's JSON and `switchyard budget`'s table.
import type { RequestHandler } from 'express';
import { adminOnly } from '@switchyard/keys';
import type { BudgetLedger, OwnerSpend } from './ledger.js';

export interface SpendReport {
  readonly window: string;
  readonly timeZone: string;
  /** Epoch ms when the window ends and spend resets. */
  readonly resetsAt: number;
  readonly store: string;
  readonly owners: readonly OwnerSpend[];
}

/** Every owner the policy names (budgets.owners, key owners, or `default` for an open gateway), read from the store. */
export async function spendReport(ledger: BudgetLedger): Promise<SpendReport> {
  const { policy } = ledger;
  const names = new Set(ledger.config.owners.keys());
  for (const key of policy.keys ?? []) names.add(key.owner);
  if (!policy.keys) names.add('default');
  const window = ledger.windows.at(ledger.now());
  const owners = await Promise.all([...names].sort().map((name) => ledger.spend(name)));
  return { window: window.id, timeZone: ledger.windows.timeZone, resetsAt: window.endsAt, store: ledger.storeName, owners };
}

/** The report in its JSON shape (snake_case), as the admin endpoint and `switchyard budget --json` print it. */
export function reportJson(report: SpendReport) {
  return {
    window: report.window,
    timezone: report.timeZone,
    resets_at: new Date(report.resetsAt).toISOString(),
    store: report.store,
    owners: report.owners.map((o) => ({
      owner: o.owner,
      spend_usd: o.spendUsd,
      reserved_usd: o.reservedUsd,
      limit_usd: o.limitUsd ?? null,
      hard_stop: o.hardStop,
      spend_pct: o.spendPct ?? null,
    })),
  };
}

export interface BudgetReportOptions {
  /** The policy's budgets, from `compilePolicy()` (`compiled.budget`). Its policy must have `budgets.admin_key`. Required. */
  readonly ledger: BudgetLedger;
}

/**
 * `GET` → `{ object: "budget.report", window, timezone, resets_at, store, owners: [{ owner, spend_usd,
 * reserved_usd, limit_usd, hard_stop, spend_pct }] }`, for the admin key (`Authorization: Bearer` or
 * `x-api-key`) only: 401 without a key, 403 with another. A store that fails goes to `next(err)`.
 * @throws TypeError when the policy has no `budgets.admin_key`.
 */
export function budgetReport(options: BudgetReportOptions): RequestHandler {
  const { ledger } = options ?? {};
  const admin = ledger?.config?.adminKeyDigest;
  if (!admin) throw new TypeError('budgetReport(): the policy has no budgets.admin_key, so nobody could read the report');
  const guard = adminOnly(admin);

  return function switchyardBudgetReport(req, res, next) {
    guard(req, res, async (err?: unknown) => {
      if (err) return next(err);
      let report: SpendReport;
      try {
        report = await spendReport(ledger);
      } catch (failure) {
        return next(failure);
      }
      res.json({ object: 'budget.report', ...reportJson(report) });
    });
  };
}
