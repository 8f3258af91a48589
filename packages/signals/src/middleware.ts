// signals(): reads each routed request once and hands the stack a lazy SignalReader.
import { bodyLimits, readRequest, routing } from '@switchyard/core';
import type { RequestHandler } from 'express';
import { catalogInternals, signalCatalog } from './catalog.js';
import { RequestSignals } from './reader.js';
import type { SignalCatalog, SignalsOptions } from './types.js';

/** The middleware, plus the catalog it built (or was given), for `rules({ catalog })`. */
export interface SignalsHandler extends RequestHandler {
  readonly catalog: SignalCatalog;
}

/**
 * Reads each POST once (core's `readRequest`: the JSON body whatever the content-type, up to `bodyLimit`;
 * 400 for a body that is not an object, has no `model`, or — chat and messages — no `messages`) and
 * installs `routing(req).signals`, a reader that computes a signal the first time a rule asks for it. No
 * signal is computed here. Errors go to `next(err)` for core's `errorHandler()`. A body the app already
 * parsed (an object, or a Buffer from `express.raw()`) is used as it is. Other methods pass through.
 *
 * Give it the policy (its catalog is built once, here) or a catalog you built with `signalCatalog()`.
 * @throws TypeError for a catalog `signalCatalog()` did not build, or a bad `bodyLimit`.
 * @throws PolicyError for a policy whose declared signals are wrong.
 */
export function signals(options: SignalsOptions): SignalsHandler {
  if (typeof options !== 'object' || options === null) throw new TypeError('signals(): options must name a policy or a catalog');
  const catalog = 'catalog' in options && options.catalog ? options.catalog : catalogFrom(options);
  const internals = catalogInternals(catalog);
  const limits = bodyLimits(options);

  const handler: RequestHandler = function switchyardSignals(req, res, next) {
    const ctx = routing(req, res);
    // A GET or DELETE routed by the stack is a follow-up on a gateway ID, its request made by mediaRequest().
    if (req.method !== 'POST' && !ctx.request) return next();
    if (ctx.signals) return next();
    readRequest(req, limits).then((request) => {
      ctx.signals ??= new RequestSignals(internals, req, ctx.record, request);
      next();
    }, next);
  };
  return Object.assign(handler, { catalog });
}

function catalogFrom(options: SignalsOptions): SignalCatalog {
  if (!('policy' in options) || !options.policy?.models) {
    throw new TypeError('signals(): options.policy must be a loaded Policy (or pass a catalog from signalCatalog())');
  }
  return signalCatalog(options.policy, { plugins: options.plugins, now: options.now });
}
