// modelList(): GET /models in the OpenAI list shape, routes first, then exact model IDs.
import type { Policy } from '@switchyard/core';
import type { RequestHandler } from 'express';
import { availableModels } from './resolve.js';
import type { ModelListOptions } from './types.js';

/** Owner shown for routes, which belong to no provider. */
const ROUTE_OWNER = 'switchyard';

// Keyed by the policy object: a reloaded policy is a new object and gets a new `created`.
const firstSeen = new WeakMap<Policy, number>();

/**
 * Answers `GET` (and `HEAD`) with `{ object: "list", data: [{ id, object: "model", created, owned_by }] }`:
 * routes first (`owned_by: "switchyard"`), then exact model IDs (`owned_by`: their provider). `created`
 * is the Unix time, in seconds, at which a list was first built for this policy object, so it stays fixed
 * until the policy is reloaded. Other methods pass to `next()`. Mount: `router.get('/models', modelList({ policy }))`.
 */
export function modelList(options: ModelListOptions): RequestHandler {
  const { policy, allowedModels } = options;
  const created = createdAt(policy);
  const entries = availableModels(policy).map((id) => ({
    id,
    json: JSON.stringify({
      id,
      object: 'model',
      created,
      owned_by: policy.routes.has(id) ? ROUTE_OWNER : (policy.models.get(id)?.provider ?? ROUTE_OWNER),
    }),
  }));
  const everything = listBody(entries.map((e) => e.json));

  return function switchyardModelList(req, res, next) {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const allowed = allowedModels?.(req);
    const body = allowed ? listBody(entries.filter((e) => allowed.has(e.id)).map((e) => e.json)) : everything;
    res.type('application/json').send(body);
  };
}

function listBody(items: readonly string[]): Buffer {
  return Buffer.from(`{"object":"list","data":[${items.join(',')}]}`);
}

function createdAt(policy: Policy): number {
  let created = firstSeen.get(policy);
  if (created === undefined) {
    created = Math.floor(Date.now() / 1000);
    firstSeen.set(policy, created);
  }
  return created;
}
