// A FailoverPlan over a small policy, driven attempt by attempt: what the plan tests share.
import { createRecord, parsePolicy, type ModelConfig, type RoutingRecord, type Selection } from '@switchyard/core';
import { CooldownRegistry } from '../src/cooldown.js';
import type { Unmet } from '../src/needs.js';
import { FailoverPlan, type Step } from '../src/plan.js';
import type { AttemptReport } from '../src/triggers.js';

export const T0 = Date.parse('2025-06-01T12:00:00Z');

/**
 * Providers `two` (two credentials) and `one`; models `m-two` (every capability, a 128k window), `m-one` and
 * `m-alt` (tools only), `m-plain` (none, 4k); route `smart` (m-two, falling back to m-one then m-alt).
 * `extra` is appended (more routes, `workflows:`, `failover:`).
 */
export function workflowPolicy(extra = ''): ReturnType<typeof parsePolicy> {
  return parsePolicy(
    `version: 1
providers:
  two: { format: openai, base_url: "http://two.test/v1", credentials: [{ env: K1 }, { env: K2 }] }
  one: { format: openai, base_url: "http://one.test/v1", credentials: [{ env: K1 }] }
models:
  m-two: { provider: two, context_window: 128000, capabilities: [tools, json_schema, streaming, vision] }
  m-one: { provider: one, context_window: 128000, capabilities: [tools] }
  m-alt: { provider: one, context_window: 128000, capabilities: [tools] }
  m-plain: { provider: one, context_window: 4000 }
routes:
  smart: { default: m-two, fallbacks: [m-one, m-alt] }
${extra}
`,
    'policy.yaml',
    { env: { K1: 'k1', K2: 'k2' } },
  );
}

export interface Driven {
  readonly plan: FailoverPlan;
  readonly record: RoutingRecord;
  readonly clock: { now: number };
  readonly cooldowns: CooldownRegistry;
  /** Takes the step as an attempt, appending it to the record as dispatch() would; `model/credential+delay`. */
  attempt(step: Step): string;
}

export interface DriveOptions {
  readonly extra?: string;
  /** The workflow the record names, as workflows() would set it. */
  readonly workflow?: string;
  readonly selection?: Selection;
  /** What the request needs that a model lacks. Default: nothing. */
  readonly unmet?: (model: ModelConfig) => Unmet | undefined;
}

export function drive(options: DriveOptions = {}): Driven {
  const policy = workflowPolicy(options.extra);
  const clock = { now: T0 };
  const record = createRecord(T0);
  if (options.workflow !== undefined) record.workflow = options.workflow;
  const cooldowns = new CooldownRegistry(policy.failover.cooldown);
  const selection = options.selection ?? { kind: 'route', route: 'smart', rule: 'default', model: 'm-two' };
  const plan = new FailoverPlan({
    policy,
    record,
    selection,
    model: selection.model,
    cooldowns,
    needs: { unmet: async (model) => options.unmet?.(model) },
    random: () => 1,
    now: () => clock.now,
  });
  return {
    plan,
    record,
    clock,
    cooldowns,
    attempt(step) {
      if (step.kind !== 'attempt') return 'finish';
      record.attempts.push({
        provider: step.provider.name,
        model: step.model.id,
        credentialIndex: step.credential?.index ?? -1,
        startedAt: clock.now,
      });
      clock.now += step.delayMs;
      return `${step.model.id}/${step.credential?.index ?? -1}+${step.delayMs}`;
    },
  };
}

/** Runs the plan against `reports`, one per attempt: the attempts made and how it ended. */
export async function runPlan(d: Driven, reports: readonly AttemptReport[]): Promise<string[]> {
  const made: string[] = [];
  let step = await d.plan.first();
  for (const report of reports) {
    if (step.kind === 'finish') break;
    made.push(d.attempt(step));
    step = await d.plan.next(report);
  }
  made.push(step.kind === 'finish' ? 'finish' : `then ${d.attempt(step)}`);
  return made;
}

export const status = (code: number, headers: Record<string, string> = {}): AttemptReport => ({
  kind: 'answered',
  status: code,
  headers,
});
export const OK = status(200);
export const TIMEOUT: AttemptReport = { kind: 'failed', outcome: 'timeout' };
export const REFUSED: AttemptReport = { kind: 'failed', outcome: 'connect_error' };
export const INVALID: AttemptReport = {
  kind: 'answered',
  status: 200,
  headers: {},
  schemaViolation: { path: '', keyword: 'json' },
};
export const REFUSAL: AttemptReport = { kind: 'answered', status: 200, headers: {}, refusal: true };
export const IMAGE_400: AttemptReport = { kind: 'answered', status: 400, headers: {}, unsupportedInput: true };
