// Public options of pin() and modelList().
import type { Policy } from '@switchyard/core';
import type { Request } from 'express';

/**
 * The names (routes and exact model IDs, as clients send them) that the caller of this request may use,
 * or `undefined` for all of them. The seam for client keys: a route is checked by its name, not by the
 * models its rules pick. Names the policy does not serve are ignored, never listed.
 */
export type AllowedModels = (req: Request) => ReadonlySet<string> | undefined;

export interface PinOptions {
  /** The policy whose routes, models and providers are served. Required. */
  readonly policy: Policy;
  /**
   * What the caller may ask for: other names get 403 `model_not_allowed`, and 404/403 messages list only
   * these. Default: the `allow` list of the client key keys() checked (core's `RoutingContext.key`), else
   * everything the policy serves.
   */
  readonly allowedModels?: AllowedModels;
}

export interface ModelListOptions {
  /** The policy whose routes and models are listed. Required. */
  readonly policy: Policy;
  /** What the caller may see; see {@link PinOptions.allowedModels}. Default: the checked key's `allow`, else everything. */
  readonly allowedModels?: AllowedModels;
}
