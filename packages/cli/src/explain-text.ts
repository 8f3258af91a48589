// `switchyard explain` for people: the decision, each rule with its signals, the fallbacks, the budget and
// how the call would end.
import type { BudgetFigures, BudgetTrace, Explanation, FallbackTrace, RuleTrace, SignalTrace } from 'switchyard';

export function explanationText(e: Explanation): string {
  const lines = [
    `policy    ${e.policy.source ?? '(in memory)'} (version ${e.policy.version})`,
    `request   ${e.endpoint ?? '?'} "${e.requested_model ?? '?'}", owner ${e.owner}${e.key ? ` (key ${e.key.name})` : ''}`,
  ];
  if (e.workflow) lines.push(`workflow  ${workflow(e)}`);
  if (e.model) lines.push(`decision  ${decision(e)}`);
  if (e.rules.length > 0) lines.push('', `rules of route ${e.route} (first match wins):`, ...e.rules.flatMap(rule));
  if (e.model) lines.push('', ...fallbacks(e));
  if (e.budget) lines.push('', budget(e.budget));
  lines.push(
    '',
    e.refusal ? `refused   ${e.refusal.status} ${e.refusal.code} (${e.refusal.by}): ${e.refusal.message}` : outcome(e),
  );
  return lines.join('\n');
}

function workflow(e: Explanation): string {
  const chargeback = e.workflow_owner && e.workflow_owner !== e.owner ? `, charged back to ${e.workflow_owner}` : '';
  return `${e.workflow}${chargeback}${e.run_id ? `, run ${e.run_id}` : ''}`;
}

function decision(e: Explanation): string {
  const where = `${e.model} on ${e.provider ?? '?'}`;
  if (e.route === null) return `exact model ID -> ${where}`;
  return `${e.route} -> ${e.rule === 'default' ? 'default' : `rule "${e.rule}"`} -> ${where}`;
}

const OUTCOMES: Readonly<Record<RuleTrace['outcome'], string>> = {
  matched: 'MATCHED',
  no_match: 'no match',
  error: 'error (counts as no match)',
  not_reached: 'not reached',
};

function rule(r: RuleTrace, i: number): string[] {
  const head = `  ${i + 1}. ${r.name} -> ${r.use}: ${OUTCOMES[r.outcome]}`;
  return [
    head,
    `       if: ${r.if}`,
    ...r.signals.map((s) => `       ${signal(s)}`),
    ...(r.error ? [`       ${r.error.code}: ${r.error.message}`] : []),
  ];
}

function signal(s: SignalTrace): string {
  const given = s.given ? ' (given)' : '';
  if (s.value !== undefined) return `${s.name} = ${JSON.stringify(s.value)}${given}`;
  if (s.at_most !== undefined) return `${s.name} <= ${s.at_most} (from the prompt's byte length, without tokenizing)${given}`;
  return `${s.name} absent: ${s.absent}`;
}

function fallbacks(e: Explanation): string[] {
  if (e.fallback_note) return [`fallbacks none: ${e.fallback_note}`];
  return ['fallbacks (in order, when the chosen model fails):', ...e.fallbacks.map(fallback)];
}

function fallback(f: FallbackTrace, i: number): string {
  const head = `  ${i + 1}. ${f.model} (${f.provider})`;
  if (f.action === 'try') return `${head}: would be tried`;
  const why =
    f.reason === 'missing_capability'
      ? `it lacks ${f.capability}`
      : f.reason === 'context_window'
        ? `the request may need ${f.needed_tokens} tokens, its context window is ${f.context_window}`
        : f.reason === 'format_not_supported'
          ? "its provider's format cannot carry this request"
          : f.reason;
  return `${head}: skipped, ${why}`;
}

function budget(b: BudgetTrace): string {
  const worst = b.worst_cases.map((w) => `${w.model} ${w.usd === null ? 'unbounded' : usd(w.usd)}`).join(', ');
  const estimate = b.estimate_usd === null ? 'no bound' : usd(b.estimate_usd);
  const parts = [`budget    owner ${b.owner}: worst case ${estimate} (${worst})`];
  if (b.limit_usd !== null) {
    parts.push(
      `          limit ${usd(b.limit_usd)}/month (${b.hard_stop ? 'hard stop' : 'soft'}), spent ${usd(b.spend_usd ?? 0)}, reserved ${usd(b.reserved_usd ?? 0)}`,
    );
  }
  if (b.max_request_usd !== null) {
    parts.push(`          at most ${usd(b.max_request_usd)} per call${b.max_request_by ? ` (${b.max_request_by})` : ''}`);
  }
  if (b.workflow) parts.push(`          workflow ${b.workflow.name}: ${figures(b.workflow, 'month')}`);
  if (b.run) parts.push(`          run ${b.run.name}: ${figures(b.run, 'run')}`);
  return parts.join('\n');
}

function figures(f: BudgetFigures, per: string): string {
  const known =
    f.spend_usd === null
      ? 'figures unknown (the store did not answer)'
      : `spent ${usd(f.spend_usd)}, reserved ${usd(f.reserved_usd ?? 0)}`;
  return `limit ${usd(f.limit_usd)}/${per} (${f.hard_stop ? 'hard stop' : 'soft'}), ${known}`;
}

function outcome(e: Explanation): string {
  const call = e.call;
  if (!call) return 'answer    (not simulated)';
  const answer = answerLine(call);
  if (!call.transition) return answer;
  const { outcome, action, from } = call.transition;
  return `${answer}\ntransition ${outcome} -> ${action} (${from} on:)${call.escalate ? ', ESCALATE' : ''}`;
}

function answerLine(call: NonNullable<Explanation['call']>): string {
  const tries = `${call.attempts.length} attempt${call.attempts.length === 1 ? '' : 's'}`;
  if (call.served)
    return `answer    ${call.status} from ${call.served} after ${tries}${call.fallback_reason ? ` (fallback: ${call.fallback_reason})` : ''}`;
  if (call.error_model) return `answer    ${call.status}, the upstream error of ${call.error_model}, after ${tries}`;
  return `answer    ${call.status} ${call.code} after ${tries}`;
}

/** Up to six decimals (a millionth of a dollar), at least two: `$9.9999`, `$10.00`, `$0.00159`. */
function usd(n: number): string {
  const [whole, cents = ''] = String(Number(n.toFixed(6))).split('.');
  return `$${whole}.${cents.padEnd(2, '0')}`;
}
