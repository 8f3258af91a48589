// Pure lookups on a policy: what a requested name is, and which names clients may send.
import type { ModelConfig, Policy, RouteConfig } from '@switchyard/core';
import { familyShortcut } from './families.js';

/** What a `model` name that a client sent means under a policy. */
export type ModelResolution =
  /** A route (alias) of the policy; its rules pick the model. */
  | { readonly kind: 'route'; readonly route: RouteConfig }
  /** An exact, versioned model ID, pinned to `model.provider`. */
  | { readonly kind: 'exact'; readonly model: ModelConfig }
  /** A family shortcut such as `gpt` or `claude-latest`; `family` is its normalised name. */
  | { readonly kind: 'family'; readonly family: string }
  /** Nothing this policy serves. */
  | { readonly kind: 'unknown' };

/**
 * Resolves a requested model name: a route, then an exact model ID (both case-sensitive, as written in the
 * policy), then a family shortcut (case-insensitive, optional `-latest`), else unknown.
 */
export function resolveModel(policy: Policy, requested: string): ModelResolution {
  const route = policy.routes.get(requested);
  if (route) return { kind: 'route', route };
  const model = policy.models.get(requested);
  if (model) return { kind: 'exact', model };
  const family = familyShortcut(requested);
  if (family !== undefined) return { kind: 'family', family };
  return { kind: 'unknown' };
}

/** Every name a client may send as `model`: the policy's routes, then its exact model IDs, each in policy order. */
export function availableModels(policy: Policy): string[] {
  return [...policy.routes.keys(), ...policy.models.keys()];
}
