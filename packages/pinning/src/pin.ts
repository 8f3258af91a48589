// pin(): the chosen model -> its one pinned provider; family shortcuts, unknown and forbidden names rejected.
import { badRequest, routing, servesEndpoint, type Policy, type Selection, type Target } from '@switchyard/core';
import type { RequestHandler } from 'express';
import { familyShortcutError, modelNotAllowedError, unknownModelError, useOneOf } from './model-errors.js';
import { availableModels, resolveModel } from './resolve.js';
import type { PinOptions } from './types.js';

/**
 * Resolves the request's model to the provider it is pinned to and writes `record.selection` (for an
 * exact model ID) and `record.target`. Mount after `signals()` and `rules()`.
 *
 * A route needs the selection `rules()` made; an exact ID is served by its pinned provider only. Family
 * shortcuts and unknown names fail with 404 `model_not_found`, names outside `allowedModels` with 403
 * `model_not_allowed`; each message lists what the caller may use. A missing `signals()` or `rules()`
 * fails the request with a configuration error (500).
 */
export function pin(options: PinOptions): RequestHandler {
  const { policy, allowedModels } = options;
  const targets = pinnedTargets(policy);
  const names = availableModels(policy);
  const everything = useOneOf(names);
  const hintFor = (allowed: ReadonlySet<string> | undefined) =>
    allowed ? useOneOf(names.filter((name) => allowed.has(name))) : everything;

  return function switchyardPin(req, _res, next) {
    const ctx = routing(req);
    const { record } = ctx;
    const requested = record.requestedModel;
    if (requested === undefined) return next(new Error('switchyard: pin() needs signals() mounted before it'));
    const allowed = allowedModels ? allowedModels(req) : ctx.key?.allow;

    let selection: Selection | undefined = record.selection;
    if (!selection) {
      const resolved = resolveModel(policy, requested);
      switch (resolved.kind) {
        case 'route':
          return next(
            new Error(
              `switchyard: pin() needs rules() mounted before it: "${requested}" is a route and no rule selected a model for it`,
            ),
          );
        case 'family':
          return next(familyShortcutError(requested, hintFor(allowed)));
        case 'unknown':
          return next(unknownModelError(requested, hintFor(allowed)));
        case 'exact':
          selection = { kind: 'exact', model: resolved.model.id };
      }
    }

    // A route is granted by its name: the models its rules pick need not be listed for the caller.
    const granted = selection.kind === 'route' ? selection.route : selection.model;
    if (allowed && !allowed.has(granted)) return next(modelNotAllowedError(granted, hintFor(allowed)));

    const target = targets.get(selection.model);
    if (!target) {
      return next(
        new Error(
          `switchyard: pin() got a selection of model "${selection.model}" that its policy does not define; give rules() and pin() the same policy`,
        ),
      );
    }
    const endpoints = policy.models.get(selection.model)?.endpoints;
    if (record.endpoint !== undefined && !servesEndpoint(endpoints, record.endpoint)) {
      return next(wrongEndpoint(selection.model, record.endpoint, endpoints));
    }
    record.selection = selection;
    record.target = target;
    next();
  };
}

/** Every model's target, built once; they are immutable and shared by all requests. */
function pinnedTargets(policy: Policy): ReadonlyMap<string, Target> {
  const targets = new Map<string, Target>();
  for (const model of policy.models.values()) {
    const provider = policy.providers.get(model.provider);
    if (!provider) throw new Error(`switchyard: pin(): model "${model.id}" is pinned to unknown provider "${model.provider}"`);
    targets.set(model.id, Object.freeze({ model: model.id, provider: provider.name, format: provider.format }));
  }
  return targets;
}

/** 400 for a model asked for on an endpoint family it does not serve, naming the ones it does. */
function wrongEndpoint(model: string, endpoint: string, endpoints: ReadonlySet<string> | undefined) {
  const served = endpoints ? [...endpoints].join(', ') : 'chat, completions, embeddings, responses, messages';
  return badRequest(
    `Model "${model}" does not serve the ${endpoint} endpoint; it serves: ${served}.`,
    'model_endpoint_mismatch',
    'model',
  );
}
