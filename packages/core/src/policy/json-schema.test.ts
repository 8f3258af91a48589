// policy.schema.json is generated from the loader's zod schema; these tests keep the committed file true to it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { POLICY_SCHEMA_ID, policyJsonSchema } from './json-schema.js';

const FILE = new URL('../../policy.schema.json', import.meta.url);

type JsonSchema = { readonly [key: string]: unknown };

/** Every `properties` entry in the schema, as `path.to.property`, with its schema. */
function properties(schema: unknown, path = ''): [string, JsonSchema][] {
  if (typeof schema !== 'object' || schema === null) return [];
  const found: [string, JsonSchema][] = [];
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'properties' && typeof value === 'object' && value !== null) {
      for (const [name, property] of Object.entries(value)) {
        found.push([`${path}${name}`, property as JsonSchema], ...properties(property, `${path}${name}.`));
      }
    } else if (key === 'additionalProperties' || key === 'items') {
      found.push(...properties(value, `${path}${key === 'items' ? '[]' : '*'}.`));
    }
  }
  return found;
}

describe('policy.schema.json', () => {
  const fresh = policyJsonSchema();

  it('should be what the loader schema generates now (else run `npm run schema -w @switchyard/core` and commit it)', () => {
    const committed = JSON.parse(readFileSync(FILE, 'utf8')) as unknown;
    expect(
      committed,
      'packages/core/policy.schema.json is stale: run `npm run schema -w @switchyard/core` and commit the file',
    ).toEqual(fresh);
    expect(Object.keys(committed as object), 'key order').toEqual(Object.keys(fresh));
  });

  it('should name itself, its draft and its title first', () => {
    expect(Object.keys(fresh).slice(0, 4)).toEqual(['$schema', '$id', 'title', 'description']);
    expect(fresh).toMatchObject({
      $schema: 'http://json-schema.org/draft-07/schema#',
      $id: POLICY_SCHEMA_ID,
      title: 'Switchyard policy',
      required: ['version', 'providers', 'models'],
      additionalProperties: false,
    });
  });

  it('should describe every property, for editors to show', () => {
    const all = properties(fresh);
    expect(all.length).toBeGreaterThan(50);
    const undescribed = all.filter(([, schema]) => typeof schema.description !== 'string').map(([path]) => path);
    expect(undescribed).toEqual([]);
  });

  it('should express the refinements it can: one of env or sha256, monthly_usd with hard_stop, triggers, misplaced keys', () => {
    const text = JSON.stringify(fresh);
    expect(text).toContain('"oneOf":[{"required":["env"]},{"required":["sha256"]}]');
    expect(text).toContain('"dependencies":{"monthly_usd":["hard_stop"],"hard_stop":["monthly_usd"]}');
    expect(text).toContain('{"enum":["timeout","connect_error"]}');
    expect(properties(fresh).find(([path]) => path === 'budgets.timezone')?.[1]).toMatchObject({ not: {} });
  });
});
