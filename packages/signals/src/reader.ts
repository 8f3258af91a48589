// The per-request SignalReader: computes a signal the first time a rule asks for it, records it, caches it.
import type { ParsedRequest, RoutingRecord, SignalReader, SignalReading } from '@switchyard/core';
import type { Request } from 'express';
import type { CatalogInternals } from './catalog.js';
import type { SignalContext, SignalDef } from './internal-types.js';
import { SIGNAL_INPUT_TOKENS } from './names.js';
import { promptSize, utf8Bytes } from './prompt.js';
import { absent, messageOf } from './readings.js';

const RESOLVED = Promise.resolve();
const NOOP = (): void => {};
const UNKNOWN = absent('unknown signal');
const COMPUTED = null;

export class RequestSignals implements SignalReader, SignalContext {
  readonly req: Request;
  readonly record: RoutingRecord;
  readonly parsed: ParsedRequest;
  readonly #catalog: CatalogInternals;
  /** Per signal name: COMPUTED, or the computation still under way. Created on the first read. */
  #state: Map<string, Promise<void> | typeof COMPUTED> | undefined;
  #bound: number | undefined;
  #instant: Date | undefined;

  constructor(catalog: CatalogInternals, req: Request, record: RoutingRecord, parsed: ParsedRequest) {
    this.#catalog = catalog;
    this.req = req;
    this.record = record;
    this.parsed = parsed;
  }

  has(name: string): boolean {
    return this.#catalog.defs.has(name);
  }

  upperBound(name: string): number | undefined {
    if (name !== SIGNAL_INPUT_TOKENS) return undefined;
    this.#bound ??= promptSize(this.parsed.body, utf8Bytes);
    return this.#bound;
  }

  now(): Date {
    this.#instant ??= this.#catalog.now();
    return this.#instant;
  }

  read(names: readonly string[]): Promise<void> {
    const state = (this.#state ??= new Map());
    let waits: Promise<void>[] | undefined;
    for (const name of names) {
      const known = state.get(name);
      if (known === COMPUTED) continue;
      if (known) {
        (waits ??= []).push(known);
        continue;
      }
      const def = this.#catalog.defs.get(name);
      const out = def ? compute(def, this) : UNKNOWN;
      if (out instanceof Promise) {
        const pending = out.then((reading) => this.#write(state, name, reading));
        state.set(name, pending);
        (waits ??= []).push(pending);
      } else {
        this.#write(state, name, out);
      }
    }
    return waits ? Promise.all(waits).then(NOOP) : RESOLVED;
  }

  #write(state: Map<string, unknown>, name: string, reading: SignalReading): void {
    state.set(name, COMPUTED);
    // A name read from a rule is never allowed to replace the record's prototype.
    if (name !== '__proto__') this.record.signals[name] = reading;
  }
}

/** Runs one computation; whatever goes wrong becomes an `absent` reading, so reads never reject. */
function compute(def: SignalDef, ctx: SignalContext): SignalReading | Promise<SignalReading> {
  try {
    const out = def.compute(ctx);
    return out instanceof Promise ? out.catch(failed) : out;
  } catch (err) {
    return failed(err);
  }
}

function failed(err: unknown): SignalReading {
  return absent(`failed: ${messageOf(err)}`);
}
