// rules(): picks the model for a request that names a route, by that route's compiled rules.
import { readRequest, routing } from '@switchyard/core';
import { type SignalCatalog, signalCatalog, signalReader } from '@switchyard/signals';
import type { RequestHandler } from 'express';
import { compileRules } from './compile.js';
import { evaluateRoute } from './evaluate.js';
import type { CompiledRules, RulesOptions } from './types.js';

/** The middleware, plus the rules it compiled (or was given). */
export interface RulesHandler extends RequestHandler {
  readonly compiled: CompiledRules;
}

/**
 * Evaluates the rules of the route the client named and records the selection: the first rule whose
 * condition is true, else the route's default. Requests that name anything else (an exact model ID) pass
 * through untouched. A rule that fails to evaluate does not match and is listed in `record.ruleErrors`; it
 * never fails the request.
 *
 * Give it the policy (its rules are compiled once, here, against `catalog`: by default the built-in and
 * declared signals; pass `signals().catalog` when plugins contribute signals) or rules compiled already.
 * Signals are read through the reader `signals()` installs; given a policy, rules() reads the request and
 * installs one itself when `signals()` is not mounted. Given only `compiled`, it needs `signals()` before it.
 * @throws PolicyError when a rule does not compile.
 */
export function rules(options: RulesOptions): RulesHandler {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('rules(): options must name a policy or compiled rules');
  let compiled: CompiledRules;
  let catalog: SignalCatalog | undefined;
  if ('compiled' in options && options.compiled) {
    compiled = options.compiled;
  } else if ('policy' in options && options.policy?.routes) {
    catalog = options.catalog ?? signalCatalog(options.policy);
    compiled = compileRules(options.policy, catalog.types);
  } else {
    throw new TypeError(
      'rules() needs options.compiled (from compileRules(policy, signalTypes)) or options.policy (a loaded Policy)',
    );
  }
  const own = catalog;

  const handler: RequestHandler = async function rulesMiddleware(req, res, next) {
    const ctx = routing(req, res);
    try {
      if (!ctx.signals && own) ctx.signals = signalReader(own, req, ctx.record, await readRequest(req));
    } catch (err) {
      return next(err);
    }
    const reader = ctx.signals;
    // Checked before the route so that a misassembled stack fails on its first request, whatever the model.
    if (!reader) return next(new Error('switchyard: rules() needs signals() mounted before it'));
    const requested = ctx.record.requestedModel;
    const route = requested === undefined ? undefined : compiled.routes.get(requested);
    if (!route) return next();
    try {
      await evaluateRoute(compiled, route, ctx.record, reader);
    } catch (err) {
      return next(err);
    }
    next();
  };
  return Object.assign(handler, { compiled });
}
