// The per-request SignalReader: computes a signal the first time it is asked for and keeps its reading.
// It writes nothing into the routing record: rules() records the signals a rule read.
import type { ParsedRequest, RoutingRecord, SignalReader, SignalReading } from '@switchyard/core';
import type { Request } from 'express';
import { catalogInternals, type CatalogInternals } from './catalog.js';
import type { SignalContext, SignalDef } from './internal-types.js';
import { SIGNAL_INPUT_TOKENS } from './names.js';
import { promptSize, utf8Bytes } from './prompt.js';
import { absent, messageOf } from './readings.js';
import type { SignalCatalog } from './types.js';

const NOOP = (): void => {};
const UNKNOWN = absent('unknown signal');

export class RequestSignals implements SignalReader, SignalContext {
  readonly req: Request;
  readonly record: RoutingRecord;
  readonly request: ParsedRequest;
  readonly #catalog: CatalogInternals;
  /** Readings computed so far. */
  readonly #readings = new Map<string, SignalReading>();
  /** Computations still under way, by signal name. */
  #pending: Map<string, Promise<void>> | undefined;
  #bound: number | undefined;
  #instant: Date | undefined;

  constructor(catalog: CatalogInternals, req: Request, record: RoutingRecord, request: ParsedRequest) {
    this.#catalog = catalog;
    this.req = req;
    this.record = record;
    this.request = request;
  }

  has(name: string): boolean {
    return this.#catalog.defs.has(name);
  }

  reading(name: string): SignalReading | undefined {
    return this.#readings.get(name);
  }

  upperBound(name: string): number | undefined {
    if (name !== SIGNAL_INPUT_TOKENS) return undefined;
    this.#bound ??= promptSize(this.request.body, utf8Bytes);
    return this.#bound;
  }

  now(): Date {
    this.#instant ??= this.#catalog.now();
    return this.#instant;
  }

  read(names: readonly string[]): Promise<void> | undefined {
    let waits: Promise<void>[] | undefined;
    for (const name of names) {
      if (this.#readings.has(name)) continue;
      const pending = this.#pending?.get(name);
      if (pending) {
        (waits ??= []).push(pending);
        continue;
      }
      const def = this.#catalog.defs.get(name);
      const out = def ? compute(def, this) : UNKNOWN;
      if (out instanceof Promise) {
        const computing = out.then((reading) => {
          this.#readings.set(name, reading);
          this.#pending?.delete(name);
        });
        (this.#pending ??= new Map()).set(name, computing);
        (waits ??= []).push(computing);
      } else {
        this.#readings.set(name, out);
      }
    }
    return waits ? Promise.all(waits).then(NOOP) : undefined;
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

/**
 * A reader of `catalog`'s signals for one request, for a middleware that installs its own when `signals()`
 * is not mounted (rules() given a policy does).
 */
export function signalReader(catalog: SignalCatalog, req: Request, record: RoutingRecord, request: ParsedRequest): SignalReader {
  return new RequestSignals(catalogInternals(catalog), req, record, request);
}
