// Several budgets for one call: its owner's, its workflow's and its run's, reserved one after another. A
// refusal gives back what was reserved before it, so a refused call holds nothing.
import type { BudgetLedger } from './ledger.js';
import type { ReserveResult, SpendKey } from './types.js';

/** Whose budget a hold is on. */
export type HoldKind = 'owner' | 'workflow' | 'run';

/** One budget a call reserves its worst case on. */
export interface HoldSpec {
  readonly kind: HoldKind;
  /** The owner's, the workflow's or the run's name, as errors and the record show it. */
  readonly name: string;
  readonly key: SpendKey;
  /** The budget's limit, for the record and the error. */
  readonly limitUsd: number;
  /** Refuse past the limit (`hard_stop`; always for a run); else the call is only counted. */
  readonly hardStop: boolean;
}

/** The outcome of reserving every hold of a call. */
export type HoldsResult =
  | { readonly ok: true; readonly results: readonly ReserveResult[] }
  | {
      readonly ok: false;
      /** The hold that refused, and its figures before. */
      readonly refused: HoldSpec;
      readonly result: ReserveResult;
      /** The figures of the holds reserved (and given back) before it. */
      readonly results: readonly ReserveResult[];
    };

/**
 * Reserves `amountUsd` on each hold in order, under one id. Not one atomic step (the keys of an owner, a
 * workflow and a run sit in different cluster slots): under contention a call may be refused because of a
 * reservation another call is about to give back; never is a limit passed. A store error gives back what
 * was reserved and rethrows.
 */
export async function reserveAll(
  ledger: BudgetLedger,
  holds: readonly HoldSpec[],
  id: string,
  amountUsd: number,
): Promise<HoldsResult> {
  const results: ReserveResult[] = [];
  for (const [i, hold] of holds.entries()) {
    let result: ReserveResult;
    try {
      result = await ledger.reserve({
        key: hold.key,
        id,
        amountUsd,
        limitUsd: hold.hardStop ? hold.limitUsd : undefined,
        ttlMs: ledger.reservationTtlMs,
      });
    } catch (err) {
      await giveBack(ledger, holds.slice(0, i), id);
      throw err;
    }
    if (!result.ok) {
      await giveBack(ledger, holds.slice(0, i), id);
      return { ok: false, refused: hold, result, results };
    }
    results.push(result);
  }
  return { ok: true, results };
}

/** Releases the reservations `id` holds on `holds`; a store that fails gets them later (the ledger retries). */
export function giveBack(ledger: BudgetLedger, holds: readonly HoldSpec[], id: string): Promise<unknown> {
  return Promise.all(holds.map((hold) => ledger.settle({ key: hold.key, id, costUsd: 0 })));
}
