// Runs a policy test suite: each case explained (no provider called, upstreams simulated through the real
// failover plan), and every expectation compared with what explain found.
import type { CompiledPolicy } from '../compile.js';
import { explainRequest } from '../explain/explain.js';
import { ExplainInputError } from '../explain/input-error.js';
import type { Explanation, UpstreamOutcome } from '../explain/types.js';
import type { ExpectField, PolicyTestCase, PolicyTestSuite } from './suite.js';

/** One expectation that did not hold. */
export interface Mismatch {
  readonly field: ExpectField;
  readonly expected: string | number | boolean | null;
  readonly actual: string | number | boolean | null;
}

/** How one case came out. */
export interface CaseResult {
  readonly name: string;
  readonly line: number;
  readonly passed: boolean;
  /** The expectations that did not hold; empty when it passed or could not run. */
  readonly mismatches: readonly Mismatch[];
  /** Why the case could not run (a `given` the policy does not know, an `upstream` model it has not). */
  readonly error?: string;
  /** What explain found; absent when the case could not run. */
  readonly explanation?: Explanation;
  readonly durationMs: number;
}

export interface PolicyTestReport {
  readonly file: string;
  readonly policy: { readonly version: string; readonly source: string | null };
  readonly results: readonly CaseResult[];
  readonly passed: number;
  readonly failed: number;
}

/** Runs every case of `suite` against `compiled`, one after the other. */
export async function runPolicyTests(compiled: CompiledPolicy, suite: PolicyTestSuite): Promise<PolicyTestReport> {
  const results: CaseResult[] = [];
  for (const testCase of suite.cases) results.push(await runCase(compiled, testCase));
  const passed = results.filter((r) => r.passed).length;
  return {
    file: suite.file,
    policy: { version: compiled.version, source: compiled.source ?? null },
    results,
    passed,
    failed: results.length - passed,
  };
}

async function runCase(compiled: CompiledPolicy, testCase: PolicyTestCase): Promise<CaseResult> {
  const started = performance.now();
  const base = { name: testCase.name, line: testCase.line };
  let explanation: Explanation;
  try {
    explanation = await explainRequest(compiled, {
      body: testCase.request,
      path: testCase.path,
      headers: testCase.headers,
      key: testCase.key,
      given: testCase.given,
      upstream: testCase.upstream as Readonly<Record<string, readonly UpstreamOutcome[]>> | undefined,
    });
  } catch (err) {
    if (!(err instanceof ExplainInputError)) throw err;
    return { ...base, passed: false, mismatches: [], error: err.message, durationMs: performance.now() - started };
  }
  const mismatches: Mismatch[] = [];
  for (const [field, expected] of Object.entries(testCase.expect) as [ExpectField, string | number | boolean | null][]) {
    const actual = actualOf(explanation, field);
    if (actual !== expected) mismatches.push({ field, expected, actual });
  }
  return { ...base, passed: mismatches.length === 0, mismatches, explanation, durationMs: performance.now() - started };
}

/** The value of `field` in what explain found: the refusal's status and code when refused, the call's otherwise. */
export function actualOf(e: Explanation, field: ExpectField): string | number | boolean | null {
  switch (field) {
    case 'route':
    case 'rule':
    case 'model':
    case 'provider':
    case 'owner':
      return e[field];
    case 'status':
      return e.refusal?.status ?? e.call?.status ?? null;
    case 'code':
      return e.refusal?.code ?? e.call?.code ?? null;
    case 'served':
    case 'error_model':
    case 'fallback_reason':
      return e.call?.[field] ?? null;
    case 'attempts':
      return e.call?.attempts.length ?? 0;
    case 'workflow':
      return e.workflow;
    case 'transition':
      // The action the last transition led to, e.g. `stop_and_escalate`; `null` when no `on:` entry decided.
      return e.call?.transition?.action ?? null;
    case 'escalate':
      return e.call?.escalate ?? false;
  }
}
