// `upstream:` in explain and policy tests: how each attempt on a model ends, scripted.
import type { Policy } from '@switchyard/core';
import { ExplainInputError } from './input-error.js';
import type { UpstreamOutcome } from './simulate.js';

/** Scripted outcomes by exact model ID, in attempt order. */
export type UpstreamScript = Readonly<Record<string, readonly UpstreamOutcome[]>>;

/**
 * Checks a script: every key a model of `policy`, every outcome an HTTP status (100–599), `timeout`,
 * `connect_error` or `refusal` (a 200 whose model refused). Throws ExplainInputError saying which entry is wrong.
 */
export function checkUpstreamScript(script: unknown, policy: Policy): UpstreamScript {
  if (typeof script !== 'object' || script === null || Array.isArray(script)) {
    throw new ExplainInputError('upstream: must map model IDs to lists of outcomes, e.g. { gpt-4o-2024-08-06: [503, timeout] }');
  }
  const checked: Record<string, UpstreamOutcome[]> = {};
  for (const [model, outcomes] of Object.entries(script)) {
    if (!policy.models.has(model)) {
      throw new ExplainInputError(
        `upstream: "${model}" is not a model of the policy (models: ${[...policy.models.keys()].join(', ')})`,
      );
    }
    const list: unknown[] = Array.isArray(outcomes) ? outcomes : [outcomes];
    checked[model] = list.map((outcome, i) => {
      if (outcome === 'timeout' || outcome === 'connect_error' || outcome === 'refusal') return outcome;
      const status = typeof outcome === 'string' && /^\d{3}$/.test(outcome) ? Number(outcome) : outcome;
      if (typeof status === 'number' && Number.isInteger(status) && status >= 100 && status <= 599) return status;
      throw new ExplainInputError(
        `upstream: ${model}[${i}] is ${JSON.stringify(outcome)}; write an HTTP status (e.g. 503), timeout, connect_error or refusal`,
      );
    });
  }
  return checked;
}
