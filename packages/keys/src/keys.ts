// keys(): the client's key → the owner its calls are billed to, and the routes and models it may use.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { routing, type ClientKey, type Policy, type Secret } from '@switchyard/core';
import type { RequestHandler } from 'express';
import { invalidKey, missingKey } from './errors.js';

export interface KeysOptions {
  /** The policy whose `keys:` are accepted. Required. Without `keys:` the middleware lets every call through as owner `default`. */
  readonly policy: Policy;
}

interface KnownKey {
  readonly digest: Buffer;
  readonly key: ClientKey;
}

/**
 * Reads the client's key from `Authorization: Bearer <key>` or `x-api-key`, finds it among the policy's
 * `keys:` and sets `record.owner`. 401 `missing_api_key` / `invalid_api_key` otherwise. Keys are compared
 * as SHA-256 digests with `timingSafeEqual`, against every key, so the time taken tells nothing.
 * The key goes on the routing context (`ctx.key`): `pin()` and `modelList()` read its `allow`, `workflows()`
 * its `workflows`, `rateLimits()` its `limits`.
 *
 * Without a `keys:` section the gateway is open: every call passes as owner `default`.
 */
export function keys(options: KeysOptions): RequestHandler {
  const policy = options?.policy;
  if (!policy?.models) throw new TypeError('keys(): options.policy must be a loaded Policy');
  if (!policy.keys) {
    return function switchyardOpenGateway(_req, _res, next) {
      next();
    };
  }
  const known: readonly KnownKey[] = policy.keys.map((key) => ({ digest: digestBytes(key.digest), key }));

  return function switchyardKeys(req, _res, next) {
    const presented = presentedKey(req);
    if (presented === undefined) return next(missingKey());
    const found = match(known, presented);
    if (!found) return next(invalidKey());
    const ctx = routing(req);
    ctx.key = found.key;
    ctx.record.owner = found.key.owner;
    next();
  };
}

/**
 * What the request's key may call (what `pin()` and `modelList()` read by default): `undefined` (everything)
 * for a key without `allow`, or when no key was checked.
 */
export function keyAllowList(req: IncomingMessage): ReadonlySet<string> | undefined {
  return routing(req).key?.allow;
}

/** The policy key that authenticated the request, if any. */
export function clientKey(req: IncomingMessage): ClientKey | undefined {
  return routing(req).key;
}

/**
 * The key in `Authorization: Bearer …`, else `x-api-key` (Anthropic's clients), else `x-goog-api-key` or
 * the `key` query parameter (Google's, on the Gemini front door); `undefined` when none carries one.
 */
export function presentedKey(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (auth !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (match) return match[1];
  }
  const header = req.headers['x-api-key'] ?? req.headers['x-goog-api-key'];
  const key = (Array.isArray(header) ? header[0] : header)?.trim();
  return key || queryKey(req.url) || undefined;
}

/** Google's clients may send the key as `?key=`. It never reaches a provider: upstream paths are built anew. */
function queryKey(url: string | undefined): string | undefined {
  const at = url?.indexOf('?') ?? -1;
  if (at === -1) return undefined;
  return new URLSearchParams(url!.slice(at + 1)).get('key')?.trim();
}

/** Compares against every key, never stopping at the first match. */
export function match<T extends { readonly digest: Buffer }>(known: readonly T[], presented: string): T | undefined {
  const digest = createHash('sha256').update(presented, 'utf8').digest();
  let found: T | undefined;
  for (const candidate of known) {
    if (timingSafeEqual(candidate.digest, digest) && !found) found = candidate;
  }
  return found;
}

export function digestBytes(hex: Secret): Buffer {
  return Buffer.from(hex.reveal(), 'hex');
}
