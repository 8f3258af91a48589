// The policy's version: a short content hash that every answer, record and span carries, so that the
// evidence of a call names the exact policy text that routed it.
import { createHash } from 'node:crypto';
import type { Policy } from '@switchyard/core';

/** The response header naming the version of the policy that answered. */
export const POLICY_HEADER = 'x-switchyard-policy';

/** How many hex digits of the SHA-256 a version keeps: enough to tell a team's policy edits apart. */
const VERSION_DIGITS = 12;

/** The version of a policy file: the first 12 hex digits of the SHA-256 of its bytes. */
export function policyVersion(bytes: string | Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, VERSION_DIGITS);
}

/**
 * The version of a policy built without its file's bytes at hand (`compilePolicy(parsePolicy(text))`): the
 * hash of its loaded content, maps and sets in their written order. Secrets count by their env var names.
 */
export function loadedPolicyVersion(policy: Policy): string {
  return policyVersion(JSON.stringify(policy, (_key, value: unknown) => plain(value)));
}

function plain(value: unknown): unknown {
  if (value instanceof Map) return Object.fromEntries(value);
  if (value instanceof Set) return [...value];
  return value;
}
