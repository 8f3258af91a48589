// The `on:` transitions that apply to one call: its workflow's and its route's, looked up by the outcome of
// an attempt in the policy's vocabulary.
import type { SchemaErrorAction, TerminalAction, Transition, TransitionOutcome, Transitions } from '@switchyard/core';
import type { AttemptReport } from './triggers.js';

/** The schema outcome of an answer: before its retries are spent, or after. */
export type SchemaOutcome = 'schema_invalid' | 'schema_invalid_after_retry';

/**
 * The outcome names an attempt's report answers to, the most specific first: `['http_503', 'http_5xx']`,
 * `['unsupported_input', 'http_400', 'http_4xx']`, `['refusal']`, `['timeout']`. Empty for what no
 * transition may be written for: a 2xx answer that passed its checks, a 401 (the provider's next credential
 * is tried), a client that went away.
 */
export function outcomesOf(report: AttemptReport, schema: SchemaOutcome): TransitionOutcome[] {
  if (report.kind === 'failed') return report.outcome === 'client_aborted' ? [] : [report.outcome];
  const { status } = report;
  if (status >= 200 && status <= 299) {
    if (report.schemaViolation) return [schema];
    return report.refusal ? ['refusal'] : [];
  }
  if (status < 400 || status > 599 || status === 401) return [];
  const byStatus: TransitionOutcome[] = [`http_${status}`, status < 500 ? 'http_4xx' : 'http_5xx'];
  return report.unsupportedInput ? ['unsupported_input', ...byStatus] : byStatus;
}

/** A transition found for an outcome, and whose `on:` map it came from. */
export interface FoundTransition {
  readonly outcome: TransitionOutcome;
  readonly transition: Transition;
  readonly from: 'workflow' | 'route';
}

/**
 * The transitions of one call. The workflow's map wins over the route's: an outcome is looked up in the
 * workflow's map under each of its names (most specific first), then in the route's.
 */
export class TransitionTable {
  readonly #maps: ReadonlyArray<readonly [Transitions, 'workflow' | 'route']>;

  constructor(workflow: Transitions | undefined, route: Transitions | undefined) {
    const maps: [Transitions, 'workflow' | 'route'][] = [];
    if (workflow && workflow.size > 0) maps.push([workflow, 'workflow']);
    if (route && route.size > 0) maps.push([route, 'route']);
    this.#maps = maps;
  }

  /** The transition written for the first of `outcomes` that has one, or `undefined`: the failover section decides. */
  find(outcomes: readonly TransitionOutcome[]): FoundTransition | undefined {
    for (const [map, from] of this.#maps) {
      for (const outcome of outcomes) {
        const transition = map.get(outcome);
        if (transition) return { outcome, transition, from };
      }
    }
    return undefined;
  }

  /** Whether a transition is written for `outcome`: then the plan must be able to tell it. */
  names(outcome: TransitionOutcome): boolean {
    return this.#maps.some(([map]) => map.has(outcome));
  }
}

/**
 * What a written transition says to do next: retry number `n` of the same model, or its terminal action.
 * `label` is the outcome's most specific name (`http_503` where the transition is written for `http_5xx`):
 * what retries, fallbacks and `fallbackReason` say, as they do without transitions.
 */
export type Decision =
  | { readonly kind: 'retry'; readonly found: FoundTransition; readonly label: TransitionOutcome; readonly n: number }
  | {
      readonly kind: 'then';
      readonly found: FoundTransition;
      readonly label: TransitionOutcome;
      readonly action: TerminalAction;
    };

/**
 * The written transitions of one call, and the retries they made of the current model (counted per
 * outcome; a move to another model starts them over). The failover section's own schema retry counts too,
 * so that `schema_invalid_after_retry` follows it.
 */
export class TransitionState {
  readonly table: TransitionTable;
  readonly #onSchemaError: SchemaErrorAction;
  readonly #retried = new Map<TransitionOutcome, number>();

  constructor(table: TransitionTable, onSchemaError: SchemaErrorAction) {
    this.table = table;
    this.#onSchemaError = onSchemaError;
  }

  /** What the transition written for this report's outcome says, or `undefined` when none is written. */
  decide(report: AttemptReport): Decision | undefined {
    const outcomes = outcomesOf(report, this.#schemaOutcome());
    const found = this.table.find(outcomes);
    if (!found) return undefined;
    const label = outcomes[0]!;
    const used = this.#retried.get(found.outcome) ?? 0;
    if (used < found.transition.retries) {
      this.#retried.set(found.outcome, used + 1);
      return { kind: 'retry', found, label, n: used + 1 };
    }
    return { kind: 'then', found, label, action: found.transition.action };
  }

  /** Counts the failover section's own retry of a schema-invalid answer; `false` when it was made already. */
  schemaRetry(): boolean {
    if ((this.#retried.get('schema_invalid') ?? 0) > 0) return false;
    this.#retried.set('schema_invalid', 1);
    return true;
  }

  /** A new model: its retries start over. */
  reset(): void {
    this.#retried.clear();
  }

  /** `schema_invalid` until the retries it allows (written, or the failover section's one) are spent. */
  #schemaOutcome(): SchemaOutcome {
    const used = this.#retried.get('schema_invalid') ?? 0;
    const written = this.table.find(['schema_invalid']);
    const allowed = written ? written.transition.retries : this.#onSchemaError === 'retry' ? 1 : 0;
    return used > 0 && used >= allowed ? 'schema_invalid_after_retry' : 'schema_invalid';
  }
}
