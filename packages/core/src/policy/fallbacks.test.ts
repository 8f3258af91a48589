// allowedFallbacks / listedFallbacks: the route's fallbacks, or the workflow's fallback.allowed in their
// place, less what the workflow blocks.
import { describe, expect, it } from 'vitest';
import type { Selection } from '../record.js';
import { allowedFallbacks, listedFallbacks } from './fallbacks.js';
import { parsePolicy } from './load.js';

const POLICY = parsePolicy(
  `version: 1
providers:
  a: { format: openai, base_url: https://a.test/v1 }
models:
  big: { provider: a }
  small: { provider: a }
  mini: { provider: a }
  labs: { provider: a }
routes:
  smart: { default: big, fallbacks: [labs, small, small, big] }
  strict: { default: big }
workflows:
  plain: {}
  widened: { fallback: { allowed: [mini, labs, big], blocked: [labs] } }
  shut: { fallback: { allowed: [] } }
  guarded: { fallback: { blocked: [labs, small] } }
`,
  'policy.yaml',
  { env: {} },
);

const SMART: Selection = { kind: 'route', route: 'smart', rule: 'default', model: 'big' };
const STRICT: Selection = { kind: 'route', route: 'strict', rule: 'default', model: 'big' };
const EXACT: Selection = { kind: 'exact', model: 'big' };
const wf = (name: string) => POLICY.workflows.get(name);

describe('allowedFallbacks', () => {
  it("should be the route's fallbacks, once each, without the chosen model, for a workflow that changes nothing", () => {
    expect(allowedFallbacks(POLICY, SMART, undefined)).toEqual(['labs', 'small']);
    expect(allowedFallbacks(POLICY, SMART, wf('plain'))).toEqual(['labs', 'small']);
    expect(allowedFallbacks(POLICY, STRICT, undefined)).toEqual([]);
    expect(allowedFallbacks(POLICY, EXACT, undefined)).toEqual([]);
  });

  it("should put the workflow's fallback.allowed in place of the route's, for routes and exact model IDs, less what it blocks", () => {
    expect(allowedFallbacks(POLICY, SMART, wf('widened'))).toEqual(['mini']);
    expect(allowedFallbacks(POLICY, STRICT, wf('widened'))).toEqual(['mini']);
    expect(allowedFallbacks(POLICY, EXACT, wf('widened'))).toEqual(['mini']);
    expect(allowedFallbacks(POLICY, SMART, wf('shut'))).toEqual([]);
    expect(allowedFallbacks(POLICY, SMART, wf('guarded'))).toEqual([]);
  });

  it('should keep blocked models and duplicates in the listed ones, for failover to pass over and report', () => {
    expect(listedFallbacks(POLICY, SMART, wf('guarded'))).toEqual(['labs', 'small', 'small', 'big']);
    expect(listedFallbacks(POLICY, STRICT, wf('widened'))).toEqual(['mini', 'labs', 'big']);
  });
});
