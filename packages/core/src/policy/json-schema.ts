// The policy file's JSON Schema, generated from the zod schema the loader validates with: one source of truth.
// scripts/write-schema.mjs writes it to policy.schema.json (published as @switchyard/core/policy.schema.json);
// a test fails when that file differs from what this generates.
import { z } from 'zod';
import { policySchema } from './schema.js';

/** Where the published schema can be fetched, once @switchyard/core is on npm. */
export const POLICY_SCHEMA_ID = 'https://unpkg.com/@switchyard/core/policy.schema.json';

/**
 * The JSON Schema (draft-07) of the policy file as written (defaults not required). It checks shape, types
 * and ranges; references between sections, CEL rules, the time zone and env vars are the loader's to check.
 */
export function policyJsonSchema(): Record<string, unknown> {
  const { $schema, title, description, ...rest } = z.toJSONSchema(policySchema, {
    // Draft-07: the newest draft that editors' YAML support (yaml-language-server) implements fully.
    target: 'draft-07',
    io: 'input',
    unrepresentable: 'throw',
  });
  return { $schema, $id: POLICY_SCHEMA_ID, title, description, ...rest };
}
