// What a gateway says about the policy it serves: GET /v1/switchyard/policy, for the admin key.
import type { PolicyProblem } from '@switchyard/core';

/** Where the policy status is served, below the stack's mount point. */
export const POLICY_STATUS_PATH = '/switchyard/policy';

/** A reload that was rejected: the gateway kept serving the policy it had. */
export interface RejectedReload {
  /** When it was rejected, ISO 8601. */
  readonly at: string;
  /** The version (content hash) of the rejected file; `null` when it could not be read. */
  readonly version: string | null;
  /** Every problem, one `file:line:column: cause` per line (or why the file could not be read or built). */
  readonly message: string;
  /** The problems one by one; empty when the file could not be read or the stack not built. */
  readonly problems: readonly PolicyProblem[];
}

/** The body of `GET /v1/switchyard/policy`. */
export interface PolicyStatus {
  /** The version of the policy being served: the first 12 hex digits of the SHA-256 of its file. */
  readonly version: string;
  /** When this version started serving, ISO 8601. */
  readonly loaded_at: string;
  /** The policy file; `null` for a policy compiled in memory. */
  readonly source: string | null;
  /** The last reload, when it was rejected; `null` when it succeeded (or none was tried). */
  readonly last_error: RejectedReload | null;
}
