// Policy unit tests: cases of requests and what the policy must do with them.
export { actualOf, runPolicyTests, type CaseResult, type Mismatch, type PolicyTestReport } from './run.js';
export {
  EXPECT_FIELDS,
  loadPolicyTests,
  parsePolicyTests,
  type ExpectField,
  type Expectations,
  type PolicyTestCase,
  type PolicyTestSuite,
} from './suite.js';
