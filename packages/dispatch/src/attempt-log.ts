// The attempt log: the only writer of the routing record's attempts. Each attempt is begun once and
// then moves through answered / failed / ended as dispatch() learns how it went.
import type { Attempt, AttemptOutcome, RoutingRecord } from '@switchyard/core';

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** One attempt in the record, and the only way to write it. */
export class AttemptEntry {
  readonly #attempt: Writable<Attempt>;

  constructor(attempt: Writable<Attempt>) {
    this.#attempt = attempt;
  }

  /** The attempt as recorded so far. */
  get attempt(): Attempt {
    return this.#attempt;
  }

  get model(): string {
    return this.#attempt.model;
  }

  /** The upstream's status and headers arrived; a non-2xx status is its error class. */
  answered(status: number): void {
    this.#attempt.status = status;
    if (status < 200 || status > 299) this.#attempt.errorClass = `http_${status}`;
  }

  /** The attempt's answer began (its first token, or first byte of an answer read whole). */
  firstToken(at: number = Date.now()): void {
    this.#attempt.firstTokenAt ??= at;
  }

  /** Why an answer that arrived is not good (a schema violation, a body that could not be read, a stall). */
  classify(errorClass: string): void {
    this.#attempt.errorClass = errorClass;
  }

  /** The attempt is over; `errorClass` replaces what was known, when given. */
  ended(outcome: AttemptOutcome, errorClass?: string, at: number = Date.now()): void {
    this.#attempt.endedAt = at;
    this.#attempt.outcome = outcome;
    if (errorClass !== undefined) this.#attempt.errorClass = errorClass;
  }
}

/** Begins attempts in a record. */
export class AttemptLog {
  readonly #record: RoutingRecord;

  constructor(record: RoutingRecord) {
    this.#record = record;
  }

  /** Appends an attempt that starts now. Credentials appear by index only (-1: the provider has none). */
  begin(provider: string, model: string, credentialIndex: number): AttemptEntry {
    const attempt: Writable<Attempt> = { provider, model, credentialIndex, startedAt: Date.now() };
    (this.#record.attempts as Attempt[]).push(attempt);
    return new AttemptEntry(attempt);
  }

  /** How many attempts the record holds. */
  get count(): number {
    return this.#record.attempts.length;
  }
}
