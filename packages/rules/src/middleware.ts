// rules(): picks the model for a request that names a route, by that route's compiled rules.
import { routing } from '@switchyard/core';
import type { RequestHandler } from 'express';
import { evaluateRoute } from './evaluate.js';
import type { RulesOptions } from './types.js';

/**
 * Evaluates the rules of the route the client named (`record.requestedModel`) and records the
 * selection: the first rule whose condition is true, else the route's default. Requests that name
 * anything else (an exact model ID) pass through untouched. A rule that fails to evaluate does not
 * match and is listed in `record.ruleErrors`; it never fails the request.
 *
 * Needs `signals()` mounted before it: the signal reader it installs is how rules read signals.
 */
export function rules(options: RulesOptions): RequestHandler {
  const { compiled } = options;
  if (!compiled?.routes)
    throw new TypeError('switchyard: rules() needs options.compiled, from compileRules(policy, signalTypes)');

  return async function rulesMiddleware(req, _res, next) {
    const ctx = routing(req);
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
}
