// explanationText(): what `switchyard explain` prints about a workflow's call, on the workflows example.
import { fileURLToPath } from 'node:url';
import { explainRequest, type ExplainInput } from 'switchyard';
import { describe, expect, it } from 'vitest';
import { explanationText } from './explain-text.js';
import { loadOfflinePolicy } from './offline-policy.js';

const POLICY = fileURLToPath(new URL('../../../examples/workflows/policy.yaml', import.meta.url));
const BODY = (model: string) => ({ model, max_tokens: 1024, messages: [{ role: 'user', content: 'hi' }] });

async function text(input: ExplainInput): Promise<string> {
  const compiled = await loadOfflinePolicy(POLICY, []);
  try {
    return explanationText(await explainRequest(compiled, input));
  } finally {
    await compiled.budget.shutdown();
  }
}

describe('explain text: a workflow', () => {
  it("should name whose ceiling binds, and show the run's figures", async () => {
    const out = await text({
      body: BODY('auto'),
      key: 'support-app',
      headers: { 'x-switchyard-workflow': 'support_chat', 'x-switchyard-run': 'conv-1' },
      given: { run_spend_usd: 0.1 },
    });
    expect(out).toContain('at most $0.50 per call (workflow "support_chat")');
    expect(out).toContain('run conv-1: limit $0.25/run (hard stop), spent $0.10, reserved $0.00');
    expect(out).not.toContain('workflow support_chat: limit');
    // `auto` is the workflow's route: its rules are traced as for a call naming it.
    expect(out).toContain('rules of route support (first match wins):');
    expect(out).toContain('1. slow-first-token -> gpt-5-mini@openai: no match');
  });

  it("should show the workflow's month and the refusal it leads to", async () => {
    const out = await text({
      body: BODY('auto'),
      key: 'data-jobs',
      headers: { 'x-switchyard-workflow': 'background_summaries' },
      given: { workflow_spend_pct: 1 },
    });
    expect(out).toContain('workflow background_summaries: limit $300.00/month (hard stop), spent $300.00, reserved $0.00');
    expect(out).toMatch(/refused {3}429 workflow_budget_exceeded \(budget\)/);
  });

  it("should say a workflow's fallback.allowed: [] leaves a route without fallbacks, and list a blocked route's others", async () => {
    const finance = await text({
      body: BODY('auto'),
      key: 'finance-app',
      headers: { 'x-switchyard-workflow': 'finance_review' },
    });
    expect(finance).toContain('fallbacks none: workflow "finance_review" allows no fallbacks');
    const support = await text({ body: BODY('auto'), key: 'support-app', headers: { 'x-switchyard-workflow': 'support_chat' } });
    expect(support).toContain('1. labs-preview (labs): skipped, blocked');
    expect(support).toContain('2. gpt-5-mini@openai (openai): would be tried');
  });
});
