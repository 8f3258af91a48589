// The budget's signals, contributed to the catalog as plugins: rules read them before budget() runs, so
// they come from what keys() (the owner) and the store already know.
import { routing, type Policy } from '@switchyard/core';
import { defineSignal, type SignalPlugin } from '@switchyard/signals';
import { highestWorstCase, requestSize } from './estimate.js';
import type { BudgetLedger } from './ledger.js';
import { pct } from './ledger.js';

/** (spend + open reservations) / `monthly_usd` of the call's owner, this month. */
export const SIGNAL_MONTHLY_SPEND_PCT = 'monthly_spend_pct';
/** (spend + open reservations) / `cost.monthly_usd` of the call's workflow, this month. */
export const SIGNAL_WORKFLOW_SPEND_PCT = 'workflow_spend_pct';
/** The call's worst-case cost in USD on the model it names: the exact ID, or its route's default. */
export const SIGNAL_ESTIMATED_COST_USD = 'estimated_cost_usd';

/** Long enough for a store that answers, short of holding a request up behind one that does not. */
const STORE_SIGNAL_TIMEOUT_MS = 1000;

/**
 * `monthly_spend_pct`, `workflow_spend_pct` and `estimated_cost_usd` (all `double`), for
 * `signalCatalog({ plugins })`. Each is computed only when a rule about to run reads it. `monthly_spend_pct`
 * is absent for an owner without `monthly_usd`, `workflow_spend_pct` for a workflow without
 * `cost.monthly_usd`, both when the store cannot answer (rules reading them then do not match).
 */
export function budgetSignals(ledger: BudgetLedger): SignalPlugin[] {
  const { policy } = ledger;
  return [
    defineSignal({
      name: SIGNAL_MONTHLY_SPEND_PCT,
      type: 'double',
      timeoutMs: STORE_SIGNAL_TIMEOUT_MS,
      async extract({ record }) {
        const limit = ledger.owner(record.owner)?.monthlyUsd;
        if (limit === undefined) throw new Error(`owner "${record.owner}" has no monthly_usd`);
        const { spendUsd, reservedUsd } = await ledger.store.get(ledger.key(record.owner));
        return pct(spendUsd + reservedUsd, limit);
      },
    }),
    defineSignal({
      name: SIGNAL_WORKFLOW_SPEND_PCT,
      type: 'double',
      timeoutMs: STORE_SIGNAL_TIMEOUT_MS,
      async extract({ record }) {
        const limit = ledger.workflow(record.workflow)?.cost?.monthlyUsd;
        if (limit === undefined) throw new Error(`workflow "${record.workflow}" has no cost.monthly_usd`);
        const { spendUsd, reservedUsd } = await ledger.store.get(ledger.workflowKey(record.workflow!));
        return pct(spendUsd + reservedUsd, limit);
      },
    }),
    defineSignal({
      name: SIGNAL_ESTIMATED_COST_USD,
      type: 'double',
      extract({ req, record }) {
        const model = namedModel(policy, record.requestedModel);
        if (!model) throw new Error(`"${record.requestedModel}" names no model or route`);
        const size = requestSize(routing(req));
        const cost = size && highestWorstCase(size, [model]);
        if (cost === undefined)
          throw new Error(size?.unbounded ? `the call uses ${size.unbounded}` : `"${model.id}" has no price or no output cap`);
        return cost;
      },
    }),
  ];
}

function namedModel(policy: Policy, requested: string | undefined) {
  if (requested === undefined) return undefined;
  const id = policy.routes.get(requested)?.default ?? requested;
  return policy.models.get(id);
}
