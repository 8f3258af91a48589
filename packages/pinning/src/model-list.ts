// modelList(): GET /models in the OpenAI list shape, routes first, then exact model IDs.
import { type Policy, routing } from '@switchyard/core';
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
 * until the policy is reloaded. A request with `anthropic-version` (Anthropic's SDKs send it) gets
 * Anthropic's list instead: `{ data: [{ type: "model", id, display_name, created_at }], has_more: false,
 * first_id, last_id }`, one page. Other methods pass to `next()`.
 * Mount: `router.get('/models', modelList({ policy }))`.
 */
export function modelList(options: ModelListOptions): RequestHandler {
  const { policy, allowedModels } = options;
  const created = createdAt(policy);
  const createdIso = new Date(created * 1000).toISOString();
  const entries = availableModels(policy).map((id) => ({
    id,
    json: JSON.stringify({
      id,
      object: 'model',
      created,
      owned_by: policy.routes.has(id) ? ROUTE_OWNER : (policy.models.get(id)?.provider ?? ROUTE_OWNER),
    }),
    anthropic: JSON.stringify({ type: 'model', id, display_name: id, created_at: createdIso }),
  }));
  const everything = listBody(entries);
  const everythingAnthropic = anthropicListBody(entries);

  return function switchyardModelList(req, res, next) {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const allowed = allowedModels ? allowedModels(req) : routing(req).key?.allow;
    const anthropic = req.headers['anthropic-version'] !== undefined;
    const listed = allowed ? entries.filter((e) => allowed.has(e.id)) : undefined;
    let body: Buffer;
    if (anthropic) body = listed ? anthropicListBody(listed) : everythingAnthropic;
    else body = listed ? listBody(listed) : everything;
    res.type('application/json').send(body);
  };
}

interface Entry {
  readonly id: string;
  readonly json: string;
  readonly anthropic: string;
}

function listBody(entries: readonly Entry[]): Buffer {
  return Buffer.from(`{"object":"list","data":[${entries.map((e) => e.json).join(',')}]}`);
}

function anthropicListBody(entries: readonly Entry[]): Buffer {
  const first = entries[0]?.id ?? null;
  const last = entries.at(-1)?.id ?? null;
  const data = entries.map((e) => e.anthropic).join(',');
  return Buffer.from(`{"data":[${data}],"has_more":false,"first_id":${JSON.stringify(first)},"last_id":${JSON.stringify(last)}}`);
}

function createdAt(policy: Policy): number {
  let created = firstSeen.get(policy);
  if (created === undefined) {
    created = Math.floor(Date.now() / 1000);
    firstSeen.set(policy, created);
  }
  return created;
}
