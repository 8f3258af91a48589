// Public types of @switchyard/signals: plugin definitions, the catalog and the middleware options.
import type { IncomingHttpHeaders } from 'node:http';
import type { ParsedRequest, Policy, ReadRequestOptions, RoutingRecord, SignalType } from '@switchyard/core';
import type { Request } from 'express';

/** The JS value a signal of type `T` carries: `bool` → boolean, `int`/`double` → number, `string` → string. */
export type SignalValueOf<T extends SignalType> = T extends 'bool' ? boolean : T extends 'string' ? string : number;

/** What a plugin's `extract` sees of one request. */
export interface SignalInput {
  /** The parsed JSON body (whatever body parser the app mounted). */
  readonly body: Readonly<Record<string, unknown>>;
  readonly headers: IncomingHttpHeaders;
  /** The request's facts as the stack parsed them: endpoint, model, stream, tools, … */
  readonly request: ParsedRequest;
  readonly req: Request;
  /** What the stack decided so far (owner, requested model, …). */
  readonly record: Readonly<RoutingRecord>;
}

/**
 * Computes a plugin signal for one request. Return `undefined` when the request does not carry it
 * (the signal is then `absent`). May be async; it only runs when a rule about to run reads the signal.
 */
export type SignalExtractor<T extends SignalType = SignalType> = (
  input: SignalInput,
) => SignalValueOf<T> | undefined | PromiseLike<SignalValueOf<T> | undefined>;

/** What `defineSignal()` takes. */
export interface SignalPluginDefinition<T extends SignalType = SignalType> {
  /** The name rules use, lower_snake_case (e.g. `user_tier`). Must not be a built-in or policy-declared signal. */
  readonly name: string;
  /** The CEL type rules see. */
  readonly type: T;
  readonly extract: SignalExtractor<T>;
  /**
   * How long an async `extract` may take before the signal is recorded as `absent`
   * (`timed out after N ms`). A synchronous `extract` cannot be interrupted. Default: 50 ms.
   */
  readonly timeoutMs?: number;
}

/** A custom signal, made by `defineSignal()`, that `signalCatalog()` accepts in `plugins`. */
export interface SignalPlugin<T extends SignalType = SignalType> {
  readonly name: string;
  readonly type: T;
  readonly extract: SignalExtractor<T>;
  /** The resolved timeout in milliseconds. */
  readonly timeoutMs: number;
}

/** Options of `signalCatalog()`. */
export interface SignalCatalogOptions {
  /** Custom signals contributed by the application or by other packages. Default: none. */
  readonly plugins?: readonly SignalPlugin[];
  /** The clock `hour_local` and `weekday` read. Default: `() => new Date()`. */
  readonly now?: () => Date;
}

/**
 * Every signal one policy load knows: built-ins, the policy's `signals:` and plugins.
 * Built once per policy load by `signalCatalog()`; opaque apart from `types`.
 */
export interface SignalCatalog {
  /** Each signal a rule may read, with its CEL type. Rules are type-checked against this. */
  readonly types: ReadonlyMap<string, SignalType>;
}

/** Options of the `signals()` middleware: the policy (and plugins), or a catalog built already; body limits. */
export type SignalsOptions = (
  | ({ readonly policy: Policy; readonly catalog?: undefined } & SignalCatalogOptions)
  | { readonly catalog: SignalCatalog; readonly policy?: undefined }
) &
  ReadRequestOptions;
