// `switchyard test`'s report for people: one line per case, the differences under each failure.
import type { CaseResult, Mismatch, PolicyTestReport } from 'switchyard';

export function textReport(report: PolicyTestReport): string {
  const lines = [`${report.file}: policy ${report.policy.source ?? '(in memory)'} (version ${report.policy.version})`];
  for (const result of report.results) lines.push(...caseLines(report.file, result));
  const total = report.results.length;
  lines.push(`${total} case${total === 1 ? '' : 's'}: ${report.passed} passed, ${report.failed} failed`);
  return lines.join('\n');
}

function caseLines(file: string, r: CaseResult): string[] {
  if (r.passed) return [`  pass  ${r.name}`];
  const head = `  FAIL  ${r.name} (${file}:${r.line})`;
  if (r.error) return [head, `          could not run: ${r.error}`];
  return [head, ...r.mismatches.map((m) => `          ${difference(m)}`)];
}

/** `served: expected "gpt-4o", got "claude-sonnet"`. */
export function difference(m: Mismatch): string {
  return `${m.field}: expected ${JSON.stringify(m.expected)}, got ${JSON.stringify(m.actual)}`;
}
