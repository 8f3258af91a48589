// What the catalog holds per signal, and what a signal's computation sees; not exported from the package.
import type { ParsedRequest, RoutingRecord, SignalReading, SignalType } from '@switchyard/core';
import type { Request } from 'express';

/** One request, as a signal's computation sees it. */
export interface SignalContext {
  readonly req: Request;
  readonly record: RoutingRecord;
  readonly request: ParsedRequest;
  /** The request's instant for time signals: the clock is read once per request, on first use. */
  now(): Date;
}

/** Computes one signal. May throw or reject: the reader records that as `absent`. */
export type ComputeSignal = (ctx: SignalContext) => SignalReading | Promise<SignalReading>;

export interface SignalDef {
  readonly name: string;
  readonly type: SignalType;
  readonly compute: ComputeSignal;
}
