// `switchyard test --policy FILE TESTS.yaml [--reporter text|junit]`: the policy's unit tests. Exit 1 when
// any case fails.
import { loadPolicyTests, PolicyError, runPolicyTests, type PolicyTestSuite } from 'switchyard';
import { junitReport } from './junit.js';
import { loadOfflinePolicy } from './offline-policy.js';
import { textReport } from './test-text.js';

export interface TestCommandOptions {
  /** `--reporter`: `text` (default) or `junit` (JUnit XML on stdout). */
  readonly reporter: string;
  readonly plugins: readonly string[];
}

/**
 * Runs the cases; returns 0 when all pass, 1 when any fails or the test file is malformed, 2 for an unknown
 * reporter. Throws PolicyError for a policy that does not load.
 */
export async function testCommand(policyFile: string, testsFile: string, options: TestCommandOptions): Promise<number> {
  if (options.reporter !== 'text' && options.reporter !== 'junit') {
    console.error(`switchyard test: --reporter is text or junit, got ${options.reporter}`);
    return 2;
  }
  let suite: PolicyTestSuite;
  try {
    suite = await loadPolicyTests(testsFile);
  } catch (err) {
    if (!(err instanceof PolicyError)) throw err;
    console.error(`test file rejected:\n${err.message}`);
    return 1;
  }
  const compiled = await loadOfflinePolicy(policyFile, options.plugins);
  try {
    const report = await runPolicyTests(compiled, suite);
    console.log(options.reporter === 'junit' ? junitReport(report) : textReport(report));
    return report.failed > 0 ? 1 : 0;
  } finally {
    await compiled.budget.shutdown();
  }
}
